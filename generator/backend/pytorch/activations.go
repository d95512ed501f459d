package pytorch

import (
	"strings"

	"github.com/rules-neural/rules_neural/generator/ir"
)

// Activations of LANGUAGE.md §6, as functions applied in forward() (fused
// into a layer: Dense(64, "relu")) and as modules (the Activation layer).
// softmax and log_softmax run over the last .neural axis, whose torch
// dimension depends on the tensor's layout.

// canonicalActivation canonicalises an activation name ("" if unknown).
func canonicalActivation(name string) string {
	a, ok := ir.LookupActivation(name)
	if !ok {
		return ""
	}
	return a
}

// activationCall applies the activation to e; dim is the torch dimension of
// the last .neural axis.
func activationCall(name string, e expr, dim int) expr {
	fn := map[string]string{
		"relu": "torch.relu", "relu6": "nn.functional.relu6", "selu": "torch.selu",
		"gelu": "nn.functional.gelu", "sigmoid": "torch.sigmoid", "hard_sigmoid": "nn.functional.hardsigmoid",
		"tanh": "torch.tanh", "softplus": "nn.functional.softplus", "softsign": "nn.functional.softsign",
		"swish": "nn.functional.silu", "mish": "nn.functional.mish", "exponential": "torch.exp",
		"elu": "nn.functional.elu",
	}
	switch name {
	case "linear", "":
		return e
	case "leaky_relu":
		return call("nn.functional.leaky_relu", e, kw("negative_slope", pyFloat(0.2)))
	case "softmax":
		return call("torch.softmax", e, kw("dim", pyInt(int64(dim))))
	case "log_softmax":
		return call("torch.log_softmax", e, kw("dim", pyInt(int64(dim))))
	}
	return call(fn[name], e)
}

// activationModule is the module of an Activation layer; alpha is the
// leaky_relu slope or elu scale (nil: the Keras default).
func activationModule(name string, alpha *float64, dim int) expr {
	simple := map[string]string{
		"linear": "nn.Identity", "relu": "nn.ReLU", "relu6": "nn.ReLU6", "selu": "nn.SELU",
		"gelu": "nn.GELU", "sigmoid": "nn.Sigmoid", "hard_sigmoid": "nn.Hardsigmoid", "tanh": "nn.Tanh",
		"softplus": "nn.Softplus", "softsign": "nn.Softsign", "swish": "nn.SiLU", "mish": "nn.Mish",
		"exponential": "L.Exponential",
	}
	switch name {
	case "leaky_relu":
		slope := 0.2
		if alpha != nil {
			slope = *alpha
		}
		return call("nn.LeakyReLU", kw("negative_slope", pyFloat(slope)))
	case "elu":
		scale := 1.0
		if alpha != nil {
			scale = *alpha
		}
		return call("nn.ELU", kw("alpha", pyFloat(scale)))
	case "softmax":
		return call("nn.Softmax", kw("dim", pyInt(int64(dim))))
	case "log_softmax":
		return call("nn.LogSoftmax", kw("dim", pyInt(int64(dim))))
	}
	return call(simple[name])
}

// initializers maps accepted initializer spellings (lower case, without
// underscores) to the Keras name rules_neural.layers.init_ takes.
var initializers = func() map[string]string {
	m := map[string]string{}
	for _, n := range []string{"zeros", "ones", "glorot_uniform", "glorot_normal", "he_uniform", "he_normal",
		"lecun_uniform", "lecun_normal", "random_normal", "random_uniform", "truncated_normal", "orthogonal",
		"uniform", "normal"} {
		m[strings.ReplaceAll(n, "_", "")] = n
	}
	for alias, n := range map[string]string{"zero": "zeros", "one": "ones", "xavieruniform": "glorot_uniform",
		"xaviernormal": "glorot_normal", "kaiminguniform": "he_uniform", "kaimingnormal": "he_normal"} {
		m[alias] = n
	}
	return m
}()

func canonicalInitializer(name string) (string, bool) {
	n, ok := initializers[strings.ReplaceAll(strings.ToLower(name), "_", "")]
	return n, ok
}

// initialize records `L.init_(target, name, fan_in=…, fan_out=…)` in
// reset_parameters for the initializer parameter param of n (fans < 0:
// none needed).
func (g *gen) initialize(n *ir.Node, param, def, target string, fanIn, fanOut int64) {
	name := g.strParam(n, param, def)
	canon, ok := canonicalInitializer(name)
	if !ok {
		g.errorf(n, param, "unknown initializer %s for `%s`", pyStr(name), param).
			WithHint("the initializers are zeros, ones, glorot_uniform, glorot_normal, he_uniform, he_normal, " +
				"lecun_uniform, lecun_normal, random_normal, random_uniform, truncated_normal and orthogonal")
		return
	}
	args := []expr{atom(target), pyText(canon)}
	switch canon {
	case "glorot_uniform", "glorot_normal", "he_uniform", "he_normal", "lecun_uniform", "lecun_normal":
		args = append(args, kw("fan_in", pyInt(fanIn)), kw("fan_out", pyInt(fanOut)))
	}
	g.resets = append(g.resets, stmt{e: call("L.init_", args...)})
}

// regularize records the penalty of the regularizer parameter param of n
// on the tensor target (Keras: l1 = 0.01·Σ|w|, l2 = 0.01·Σw²).
func (g *gen) regularize(n *ir.Node, param, target string) {
	v := g.value(n, param)
	if v.Kind == ir.KNone {
		return
	}
	var name string
	var args []ir.Arg
	switch v.Kind {
	case ir.KString, ir.KIdent:
		name = v.Str
	case ir.KCall:
		name, args = v.Call.Name, v.Call.Args
	default:
		g.errorf(n, param, "cannot express the regularizer %s", v.String())
		return
	}
	factors := map[string]float64{}
	name = strings.ToLower(name)
	switch name {
	case "l1", "l2":
		factors[name] = 0.01
		for i, a := range args {
			f, ok := g.regFactor(a.Value)
			if !ok || (a.Name != "" && a.Name != name && a.Name != "l") || i > 0 {
				g.errorf(n, param, "cannot express the regularizer %s: %s takes one factor", v.String(), name)
				return
			}
			factors[name] = f
		}
	case "l1_l2", "l1l2":
		factors["l1"], factors["l2"] = 0.01, 0.01
		for i, a := range args {
			f, ok := g.regFactor(a.Value)
			key := a.Name
			if key == "" && i < 2 {
				key = []string{"l1", "l2"}[i]
			}
			if !ok || (key != "l1" && key != "l2") {
				g.errorf(n, param, "cannot express the regularizer %s: l1_l2 takes l1= and l2=", v.String())
				return
			}
			factors[key] = f
		}
	default:
		g.errorf(n, param, "unknown regularizer %s (rules_neural knows l1, l2 and l1_l2)", v.String())
		return
	}
	for _, k := range []string{"l1", "l2"} {
		f, ok := factors[k]
		if !ok || f == 0 {
			continue
		}
		op := "abs"
		if k == "l2" {
			op = "square"
		}
		g.regs = append(g.regs, atom(string(pyFloat(f))+" * "+target+"."+op+"().sum()"))
	}
}

func (g *gen) regFactor(v ir.Value) (float64, bool) {
	if r, err := v.Resolve(g.assign); err == nil {
		v = r
	}
	if v.IsNumber() {
		return v.Number(), true
	}
	return 0, false
}
