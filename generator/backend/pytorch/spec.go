package pytorch

import (
	"strconv"

	"github.com/rules-neural/rules_neural/generator/ir"
	"github.com/rules-neural/rules_neural/generator/version"
)

// SPEC is the literal the runtime reads instead of the .neural file
// (docs/backends/pytorch-contract.md): plain dicts, lists, strings,
// numbers, booleans and None.

// layoutName names the torch layout of an input or output of a given rank.
func layoutName(rank int, tokens bool) string {
	switch {
	case tokens:
		return "tokens"
	case rank <= 1:
		return "NF"
	case rank == 2:
		return "NTF"
	case rank == 3:
		return "NCHW"
	case rank == 4:
		return "NCDHW"
	}
	return "NC*"
}

// dslShape is a .neural shape as a list with None for unknown dims.
func dslShape(s ir.Shape) expr {
	items := make([]expr, len(s))
	for i, d := range s {
		if d == ir.Unknown {
			items[i] = pyNone
		} else {
			items[i] = pyInt(int64(d))
		}
	}
	l := list(items...)
	l.pack = true
	return l
}

// torchShape is the shape forward() takes or returns for a .neural shape.
func torchShape(s ir.Shape, lay layout) expr {
	if lay == channelsFirst && len(s) >= 2 {
		moved := make(ir.Shape, 0, len(s))
		moved = append(moved, s[len(s)-1])
		moved = append(moved, s[:len(s)-1]...)
		return dslShape(moved)
	}
	return dslShape(s)
}

func (g *gen) spec(out tensor, outLay layout) expr {
	net := g.net
	d := newDict()
	d.set("contract", pyInt(version.RuntimeContract))
	d.set("name", pyText(net.Name))
	d.set("source", pyText(g.source))
	var inputs []expr
	for i, in := range net.Inputs {
		lay := canonical(len(in.Shape))
		dtype := "float32"
		if in.Tokens {
			lay, dtype = channelsLast, "int64"
		}
		inputs = append(inputs, newDict().
			set("name", pyText(in.Name)).
			set("arg", pyText(g.args[i])).
			set("shape", dslShape(in.Shape)).
			set("torch_shape", torchShape(in.Shape, lay)).
			set("layout", pyText(layoutName(len(in.Shape), in.Tokens))).
			set("dtype", pyText(dtype)).expr())
	}
	d.set("inputs", list(inputs...))
	d.set("output", newDict().
		set("shape", dslShape(out.shape)).
		set("torch_shape", torchShape(out.shape, outLay)).
		set("layout", pyText(layoutName(len(out.shape), false))).
		set("activation", pyText(outputActivation(net))).
		set("logits", pyBool(g.logits)).expr())
	if net.Loss != nil {
		d.set("loss", g.funcSpec("name", net.Loss.Name, net.Loss.Args, ir.LookupFunc(ir.Losses, net.Loss.Name)))
	} else {
		d.set("loss", pyNone)
	}
	if net.Optimizer != nil {
		d.set("optimizer", g.funcSpec("name", net.Optimizer.Name, net.Optimizer.Args,
			ir.LookupFunc(ir.Optimizers, net.Optimizer.Name)))
	} else {
		d.set("optimizer", pyNone)
	}
	var metrics []expr
	for _, m := range net.Metrics {
		fs := ir.LookupFunc(ir.Metrics, m.Name)
		if fs == nil {
			fs = ir.LookupFunc(ir.Losses, m.Name)
		}
		metrics = append(metrics, g.funcSpec("name", m.Name, m.Args, fs))
	}
	d.set("metrics", list(metrics...))
	d.set("train", g.trainSpec())
	d.set("execution", newDict().
		set("device", optText(net.Execution.Device)).
		set("precision", optText(net.Execution.Precision)).expr())
	var hpos []expr
	for _, h := range net.HPOs {
		if h.Kind == ir.Choice && len(h.Choices) == 1 {
			continue // fixed (or pinned with --hpo-values): nothing to search
		}
		e := newDict().set("name", pyText(h.Name)).set("kind", pyText(h.Kind.String()))
		if h.Kind == ir.Choice {
			choices := make([]expr, len(h.Choices))
			for i, c := range h.Choices {
				choices[i] = g.literal(c)
			}
			l := list(choices...)
			l.pack = true
			e.set("choices", l)
		} else {
			e.set("lo", g.literal(h.Lo)).set("hi", g.literal(h.Hi)).set("step", g.literal(h.Step))
		}
		hpos = append(hpos, e.expr())
	}
	d.set("hpo", list(hpos...))
	return d.expr()
}

func optText(s string) expr {
	if s == "" {
		return pyNone
	}
	return pyText(s)
}

// funcSpec is {"name": …, "args": {…}} with every parameter of the
// function's schema (None when unset), learning-rate schedules as
// {"schedule": …, "args": {…}}.
func (g *gen) funcSpec(key, name string, args []ir.Arg, fs *ir.FuncSpec) expr {
	d := newDict().set(key, pyText(name))
	a := newDict()
	bound := map[string]ir.Value{}
	for i, arg := range args {
		k := arg.Name
		if k == "" && fs != nil && i < len(fs.Positional) {
			k = fs.Positional[i]
		}
		bound[k] = arg.Value
	}
	if fs != nil {
		for _, p := range fs.Params {
			a.set(p.Name, g.literal(bound[p.Name]))
		}
	} else {
		for i, arg := range args {
			k := arg.Name
			if k == "" {
				k = "arg" + strconv.Itoa(i)
			}
			a.set(k, g.literal(arg.Value))
		}
	}
	d.set("args", a.expr())
	return d.expr()
}

func (g *gen) trainSpec() expr {
	t := g.net.Train
	d := newDict()
	d.set("epochs", g.literal(t.Epochs))
	d.set("batch_size", g.literal(t.BatchSize))
	d.set("validation_split", g.literal(t.ValidationSplit))
	d.set("shuffle", g.literal(t.Shuffle))
	d.set("seed", g.literal(t.Seed))
	d.set("gradient_clip", g.literal(t.GradientClip))
	if t.GradientAccumulationSteps.Kind == ir.KNone {
		d.set("gradient_accumulation_steps", pyInt(1))
	} else {
		d.set("gradient_accumulation_steps", g.literal(t.GradientAccumulationSteps))
	}
	if t.MixedPrecision.Kind == ir.KNone {
		d.set("mixed_precision", pyBool(false))
	} else {
		d.set("mixed_precision", g.literal(t.MixedPrecision))
	}
	es := t.EarlyStopping
	if es.Enabled {
		d.set("early_stopping", newDict().
			set("patience", g.literal(es.Patience)).
			set("monitor", pyText(es.Monitor)).
			set("min_delta", g.literal(es.MinDelta)).expr())
	} else {
		d.set("early_stopping", pyNone)
	}
	d.set("device", optText(t.Device))
	d.set("search_method", optText(t.SearchMethod))
	d.set("trials", g.literal(t.Trials))
	return d.expr()
}

// literal converts a value to a plain Python literal, HPO values at their
// pinned or default value, schedules as {"schedule", "args"}.
func (g *gen) literal(v ir.Value) expr {
	if r, err := v.Resolve(g.assign); err == nil {
		v = r
	}
	switch v.Kind {
	case ir.KInt:
		return pyInt(v.Int)
	case ir.KFloat:
		return pyFloat(v.Float)
	case ir.KString, ir.KIdent:
		return pyText(v.Str)
	case ir.KBool:
		return pyBool(v.Bool)
	case ir.KTuple, ir.KList:
		items := make([]expr, len(v.Elems))
		for i, e := range v.Elems {
			items[i] = g.literal(e)
		}
		l := list(items...)
		l.pack = true
		return l
	case ir.KCall:
		fs := ir.LookupFunc(ir.Schedules, v.Call.Name)
		if fs != nil {
			return g.funcSpec("schedule", fs.Name, v.Call.Args, fs)
		}
		return g.funcSpec("name", v.Call.Name, v.Call.Args, nil)
	case ir.KDict:
		d := newDict()
		for _, e := range v.Dict {
			d.set(e.Key, g.literal(e.Value))
		}
		return d.expr()
	}
	return pyNone
}
