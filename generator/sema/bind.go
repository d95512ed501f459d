package sema

import (
	"strings"

	"github.com/rules-neural/rules_neural/generator/diag"
	"github.com/rules-neural/rules_neural/generator/ir"
	"github.com/rules-neural/rules_neural/generator/syntax"
)

// universals are the parameters every layer accepts (ir.UniversalParams).
type universals struct {
	name       string
	nameSpan   diag.Span
	hasName    bool
	inputs     []*ir.Node
	inputsSpan diag.Span
	hasInputs  bool
	// inputsBad: inputs= was written but could not be resolved (already
	// reported); wiring must not add errors about the branches it named.
	inputsBad bool
}

// positionalOrder is the positional binding order of a layer: the listed
// parameters, then `activation` for (a) layers.
func positionalOrder(spec *ir.LayerSpec) []string {
	out := make([]string, 0, len(spec.Positional)+1)
	out = append(out, spec.Positional...)
	if spec.TakesActivation {
		has := false
		for _, p := range out {
			if p == "activation" {
				has = true
			}
		}
		if !has {
			out = append(out, "activation")
		}
	}
	return out
}

type boundArg struct {
	value ir.Value
	span  diag.Span
	ok    bool
}

// bindLayer binds call arguments to node's parameters: positional ones in
// schema order, named ones by name or alias, then fills every parameter that
// was not written with its default so that node.Params has one entry per
// schema parameter in schema order. It returns the universal parameters
// and, for wrappers, the `layer` argument (lowered by the caller).
func (nb *netBuilder) bindLayer(node *ir.Node, args []*syntax.Arg, en *env) (universals, *syntax.Arg) {
	spec := node.Spec
	var uni universals
	var layerArg *syntax.Arg
	order := positionalOrder(spec)
	got := make(map[*ir.ParamSpec]*boundArg, len(args))
	pos, sawNamed, unknown := 0, false, false
	for _, a := range args {
		if a == nil || a.Value == nil {
			continue
		}
		span := argSpan(a)
		var p *ir.ParamSpec
		if a.Name == nil {
			if sawNamed {
				nb.errorIn(en, span, "positional argument after named arguments in `%s`", spec.Name).
					WithHint("write it as name=value, or move it before the named arguments")
				continue
			}
			if pos >= len(order) {
				d := nb.errorIn(en, span, "too many positional arguments for `%s`", spec.Name)
				if len(order) == 0 {
					d.WithHint("%s takes no positional arguments; name them, e.g. %s", spec.Name, exampleNamed(spec))
				} else {
					d.WithHint("%s takes (%s) by position; name the others, e.g. %s", spec.Name, strings.Join(order, ", "), exampleNamed(spec))
				}
				pos++
				continue
			}
			p = spec.Param(order[pos])
			pos++
		} else {
			sawNamed = true
			name := a.Name.Name
			if name == "name" || name == "inputs" {
				nb.bindUniversal(&uni, a, spec.Name, en)
				continue
			}
			p = spec.Param(name)
			if p == nil {
				nb.unknownParam(spec.Name, name, spec.Params, true, span, en)
				unknown = true
				continue
			}
		}
		if p == nil {
			continue
		}
		if prev := got[p]; prev != nil {
			nb.errorIn(en, span, "parameter `%s` of %s is given twice", p.Name, spec.Name).
				WithRelated(prev.span, "first given here")
			continue
		}
		if p.Type == ir.TLayer {
			got[p] = &boundArg{span: span, ok: true}
			layerArg = a
			continue
		}
		b := &boundArg{span: span}
		got[p] = b
		v, ok := nb.eval(a.Value, en)
		if ok {
			v, ok = nb.bindValue(spec.Name, p, v, en, useCtx{node: node})
		}
		b.value, b.ok = v, ok
	}
	node.Params = make([]ir.Param, len(spec.Params))
	for i, p := range spec.Params {
		if b := got[p]; b != nil && b.ok && p.Type != ir.TLayer {
			node.Params[i] = ir.Param{Spec: p, Value: b.value, Explicit: true}
			continue
		}
		// After a misspelt name, "needs X" would only repeat the error.
		if got[p] == nil && p.Required && !unknown {
			nb.errorIn(en, node.Span, "`%s` needs `%s`", spec.Name, p.Name).
				WithHint("write %s", exampleCall(spec))
		}
		node.Params[i] = ir.Param{Spec: p, Value: defaultValue(p, node.Span)}
	}
	return uni, layerArg
}

// bindValue checks v against p and records its HPOs for naming.
func (nb *netBuilder) bindValue(owner string, p *ir.ParamSpec, v ir.Value, en *env, use useCtx) (ir.Value, bool) {
	out, ok := nb.check(owner, p, v, en)
	if ok {
		nb.recordUses(out, p.Shape, use.sub(p.Name))
	}
	return out, ok
}

// unknownParam reports a parameter name that the callee does not have.
func (nb *netBuilder) unknownParam(owner, name string, params []*ir.ParamSpec, layer bool, span diag.Span, en *env) {
	valid := ir.ParamNames(params)
	candidates := append([]string(nil), valid...)
	for _, p := range params {
		candidates = append(candidates, p.Aliases...)
	}
	if layer {
		valid = append(valid, ir.UniversalParams...)
		candidates = append(candidates, ir.UniversalParams...)
	}
	d := nb.errorIn(en, span, "unknown parameter `%s` for %s", name, owner)
	list := strings.Join(valid, ", ")
	if len(valid) == 0 {
		list = "none"
	}
	if s := diag.Suggest(name, candidates); s != "" {
		if p := findParam(params, s); p != nil {
			s = p.Name
		}
		d.WithHint("did you mean `%s`? valid names: %s", s, list)
	} else {
		d.WithHint("valid names: %s", list)
	}
}

func findParam(ps []*ir.ParamSpec, name string) *ir.ParamSpec {
	for _, p := range ps {
		if p.Name == name {
			return p
		}
		for _, a := range p.Aliases {
			if a == name {
				return p
			}
		}
	}
	return nil
}

// bindUniversal handles `name=` and `inputs=`.
func (nb *netBuilder) bindUniversal(uni *universals, a *syntax.Arg, owner string, en *env) {
	span := argSpan(a)
	key := a.Name.Name
	if (key == "name" && uni.hasName) || (key == "inputs" && uni.hasInputs) {
		prev := uni.nameSpan
		if key == "inputs" {
			prev = uni.inputsSpan
		}
		nb.errorIn(en, span, "parameter `%s` of %s is given twice", key, owner).WithRelated(prev, "first given here")
		return
	}
	v, ok := nb.eval(a.Value, en)
	if !ok {
		return
	}
	if key == "name" {
		if v.Kind != ir.KString && v.Kind != ir.KIdent {
			nb.errorIn(en, v.Span, "name= must be a string, got %s", v.Describe())
			return
		}
		id := sanitizeName(v.Str)
		if id == "" {
			nb.errorIn(en, v.Span, "name= must not be empty")
			return
		}
		uni.name, uni.nameSpan, uni.hasName = id, v.Span, true
		return
	}
	uni.inputsSpan, uni.hasInputs = v.Span, true
	elems := []ir.Value{v}
	if v.Kind == ir.KList || v.Kind == ir.KTuple {
		elems = v.Elems
	}
	if len(elems) == 0 {
		nb.errorIn(en, v.Span, "inputs= is empty")
		uni.hasInputs, uni.inputsBad = false, true
		return
	}
	for _, e := range elems {
		if e.Kind != ir.KIdent && e.Kind != ir.KString {
			nb.errorIn(en, e.Span, "inputs= takes names of inputs or branches, got %s", e.Describe())
			uni.hasInputs, uni.inputsBad = false, true
			return
		}
		node := nb.lookupTensor(e.Str)
		if node == nil {
			d := nb.errorIn(en, e.Span, "unknown input `%s`", e.Str)
			names := nb.scopeNames()
			if s := diag.Suggest(e.Str, names); s != "" {
				d.WithHint("did you mean `%s`?", s)
			} else if len(names) > 0 {
				d.WithHint("known names: %s", strings.Join(names, ", "))
			}
			uni.hasInputs, uni.inputsBad = false, true
			return
		}
		uni.inputs = append(uni.inputs, node)
	}
}

// lookupTensor resolves a name in inputs=[…]: an input or branch, or a
// layer named with name= earlier in the network.
func (nb *netBuilder) lookupTensor(name string) *ir.Node {
	if n, ok := nb.scope[name]; ok {
		return n
	}
	if n, ok := nb.named[name]; ok && n.node != nil && (n.node.ID >= 0 || n.node.Type == "Input") {
		return n.node
	}
	return nil
}

// defaultParams gives every parameter of spec its default.
func defaultParams(spec *ir.LayerSpec, span diag.Span) []ir.Param {
	out := make([]ir.Param, len(spec.Params))
	for i, p := range spec.Params {
		out[i] = ir.Param{Spec: p, Value: defaultValue(p, span)}
	}
	return out
}

// defaultValue is p's default in canonical form, as a fresh copy (the
// schema's values are shared), placed at span.
func defaultValue(p *ir.ParamSpec, span diag.Span) ir.Value {
	v := cloneValue(p.Default)
	if v.Kind != ir.KNone {
		switch p.Type {
		case ir.TIntTuple:
			if n, err := ir.NormalizeIntTuple(v, p.Rank); err == nil {
				v = n
			}
		case ir.TPadding:
			if n, err := ir.NormalizePadding(v, p.Rank); err == nil {
				v = n
			}
		case ir.TFloat, ir.TLearningRate:
			if v.Kind == ir.KInt {
				v = ir.Value{Kind: ir.KFloat, Float: float64(v.Int)}
			}
		}
	}
	setSpan(&v, span)
	return v
}

func setSpan(v *ir.Value, span diag.Span) {
	v.Span = span
	for i := range v.Elems {
		setSpan(&v.Elems[i], span)
	}
}

func cloneValue(v ir.Value) ir.Value {
	if v.Elems != nil {
		es := make([]ir.Value, len(v.Elems))
		for i, e := range v.Elems {
			es[i] = cloneValue(e)
		}
		v.Elems = es
	}
	if v.Dict != nil {
		d := make([]ir.Entry, len(v.Dict))
		for i, e := range v.Dict {
			e.Value = cloneValue(e.Value)
			d[i] = e
		}
		v.Dict = d
	}
	return v
}

// exampleCall shows how to call a layer with its required parameters.
func exampleCall(spec *ir.LayerSpec) string {
	var parts []string
	for _, name := range spec.Positional {
		if p := spec.Param(name); p != nil && p.Required {
			parts = append(parts, name)
		}
	}
	for _, p := range spec.Params {
		if p.Required && !contains(spec.Positional, p.Name) {
			parts = append(parts, p.Name+"=…")
		}
	}
	return spec.Name + "(" + strings.Join(parts, ", ") + ")"
}

func exampleNamed(spec *ir.LayerSpec) string {
	for _, p := range spec.Params {
		if !contains(spec.Positional, p.Name) && p.Name != "activation" {
			return p.Name + "=…"
		}
	}
	return "name=\"…\""
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
