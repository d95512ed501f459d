package sema

import (
	"strings"

	"github.com/rules-neural/rules_neural/generator/ir"
	"github.com/rules-neural/rules_neural/generator/syntax"
)

// hpoKey identifies one written HPO: the same call in the source with the
// same evaluated content (a macro body expanded twice, a repeated layer) is
// the same hyper-parameter.
type hpoKey struct {
	call *syntax.Call
	text string
}

// hpoUse records where an HPO is used so it can be given a readable name
// ("dense_1.units") once layer names are known.
type hpoUse struct {
	hpo   *ir.HPO
	node  *ir.Node // nil for non-layer uses
	label string   // parameter name, or a full name when node is nil
}

// useCtx says who is binding a value, for HPO names.
type useCtx struct {
	node  *ir.Node
	label string
}

func (u useCtx) sub(label string) useCtx {
	if u.label == "" {
		return useCtx{node: u.node, label: label}
	}
	return useCtx{node: u.node, label: u.label + "." + label}
}

func isHPOName(name string) bool {
	switch strings.ToLower(name) {
	case "hpo", "choice", "categorical", "range", "log_range":
		return true
	}
	return false
}

// hpoCall lowers `HPO(choice(…))`, `HPO(range(…))`, `HPO(log_range(…))`.
func (nb *netBuilder) hpoCall(c *syntax.Call, en *env) (ir.Value, bool) {
	var inner *syntax.Call
	if len(c.Args) == 1 && c.Args[0] != nil && c.Args[0].Name == nil {
		if p := primaryOf(c.Args[0].Value); p != nil && p.Call != nil && p.Call.Name != nil {
			switch strings.ToLower(p.Call.Name.Name) {
			case "choice", "categorical", "range", "log_range":
				inner = p.Call
			}
		}
	}
	if inner == nil {
		nb.errorIn(en, syntax.SpanOf(c.Pos, c.EndPos), "HPO(…) takes one of choice(…), range(…) or log_range(…)").
			WithHint("e.g. HPO(choice(32, 64)), HPO(range(0.1, 0.5, step=0.1)), HPO(log_range(1e-4, 1e-2))")
		return ir.Value{}, false
	}
	return nb.hpoSpec(inner, c, en)
}

// hpoSpec builds the HPO for `choice(…)`, `categorical(…)` (old spelling of
// choice), `range(lo, hi, step=s)` or `log_range(lo, hi)`. outer is the
// written call (HPO(…) or the bare form) that identifies the HPO.
func (nb *netBuilder) hpoSpec(c, outer *syntax.Call, en *env) (ir.Value, bool) {
	span := syntax.SpanOf(outer.Pos, outer.EndPos)
	callSpan := syntax.SpanOf(c.Pos, c.EndPos)
	kind := strings.ToLower(c.Name.Name)
	var pos []ir.Value
	named := map[string]ir.Value{}
	ok := true
	for _, a := range c.Args {
		if a == nil {
			continue
		}
		v, aok := nb.eval(a.Value, en)
		if !aok {
			ok = false
			continue
		}
		if v.IsSymbolic() {
			nb.errorIn(en, v.Span, "an HPO value cannot depend on another HPO")
			ok = false
			continue
		}
		if a.Name == nil {
			pos = append(pos, v)
			continue
		}
		name := strings.ToLower(a.Name.Name)
		switch name {
		case "low", "lo", "min":
			name = "lo"
		case "high", "hi", "max":
			name = "hi"
		}
		if kind == "choice" || kind == "categorical" || (name != "lo" && name != "hi" && (name != "step" || kind == "log_range")) {
			valid := "lo, hi"
			if kind == "range" {
				valid = "lo, hi, step"
			}
			if kind == "choice" || kind == "categorical" {
				valid = "none: list the values"
			}
			nb.errorIn(en, argSpan(a), "%s(…) has no parameter `%s`", kind, a.Name.Name).WithHint("valid names: %s", valid)
			ok = false
			continue
		}
		if _, dup := named[name]; dup {
			nb.errorIn(en, argSpan(a), "`%s` is given twice", a.Name.Name)
			ok = false
			continue
		}
		named[name] = v
	}
	if !ok {
		return ir.Value{}, false
	}
	h := &ir.HPO{Span: span, Step: ir.Value{Kind: ir.KNone}}
	switch kind {
	case "choice", "categorical":
		h.Kind = ir.Choice
		if len(pos) == 0 {
			nb.errorIn(en, callSpan, "%s() needs at least one value", kind)
			return ir.Value{}, false
		}
		h.Choices = pos
	case "range", "log_range":
		h.Kind = ir.Range
		max := 3
		if kind == "log_range" {
			h.Kind = ir.LogRange
			max = 2
		}
		names := []string{"lo", "hi", "step"}
		if len(pos) > max {
			nb.errorIn(en, pos[max].Span, "%s(…) takes at most %d values (%s)", kind, max, strings.Join(names[:max], ", "))
			return ir.Value{}, false
		}
		for i, v := range pos {
			if _, dup := named[names[i]]; dup {
				nb.errorIn(en, v.Span, "`%s` is given twice", names[i])
				return ir.Value{}, false
			}
			named[names[i]] = v
		}
		lo, hasLo := named["lo"]
		hi, hasHi := named["hi"]
		if !hasLo || !hasHi {
			nb.errorIn(en, callSpan, "%s(…) needs a low and a high bound: %s(lo, hi)", kind, kind)
			return ir.Value{}, false
		}
		for _, v := range []ir.Value{lo, hi} {
			if !v.IsNumber() {
				nb.errorIn(en, v.Span, "%s(…) bounds must be numbers, got %s", kind, v.Describe())
				return ir.Value{}, false
			}
		}
		if lo.Number() >= hi.Number() {
			nb.errorIn(en, callSpan, "%s(…) needs lo < hi, got %s and %s", kind, lo, hi)
			return ir.Value{}, false
		}
		if h.Kind == ir.LogRange && lo.Number() <= 0 {
			nb.errorIn(en, lo.Span, "log_range(…) needs 0 < lo, got %s", lo).
				WithHint("a logarithmic range cannot include zero or negative values")
			return ir.Value{}, false
		}
		h.Lo, h.Hi = lo, hi
		if step, has := named["step"]; has {
			if !step.IsNumber() || step.Number() <= 0 {
				nb.errorIn(en, step.Span, "range(…) step must be a positive number, got %s", step.Describe())
				return ir.Value{}, false
			}
			h.Step = step
		}
	}
	key := hpoKey{outer, ir.Value{Kind: ir.KHPO, HPO: h}.String()}
	if old := nb.hpoByCall[key]; old != nil {
		return ir.Value{Kind: ir.KHPO, HPO: old, Span: span}, true
	}
	h.ID = len(nb.net.HPOs)
	nb.net.HPOs = append(nb.net.HPOs, h)
	nb.hpoByCall[key] = h
	return ir.Value{Kind: ir.KHPO, HPO: h, Span: span}, true
}

// recordUses remembers the HPOs in v for naming and marks them as affecting
// shapes when the parameter does.
func (nb *netBuilder) recordUses(v ir.Value, shape bool, use useCtx) {
	switch v.Kind {
	case ir.KCall:
		for _, a := range v.Call.Args {
			label := a.Name
			if label == "" {
				label = "arg"
			}
			nb.recordUses(a.Value, shape, use.sub(label))
		}
		return
	case ir.KDict:
		for _, e := range v.Dict {
			nb.recordUses(e.Value, shape, use.sub(e.Key))
		}
		return
	}
	for _, h := range v.HPOs(nil) {
		if shape {
			h.Shape = true
		}
		nb.hpoUses = append(nb.hpoUses, hpoUse{hpo: h, node: use.node, label: use.label})
	}
}

// hpoValues lists the distinct HPOs of v in first-use order.
func hpoValues(v ir.Value) []*ir.HPO {
	var out []*ir.HPO
	seen := map[*ir.HPO]bool{}
	for _, h := range v.HPOs(nil) {
		if !seen[h] {
			seen[h] = true
			out = append(out, h)
		}
	}
	return out
}
