package sema

import (
	"fmt"
	"strings"

	"github.com/rules-neural/rules_neural/generator/diag"
	"github.com/rules-neural/rules_neural/generator/ir"
)

// maxCombinations bounds the HPO combinations checked for an arithmetic
// expression over HPOs (the shape checker uses the same bound).
const maxCombinations = 4096

// check validates v against p and returns it in canonical form: ints stay
// ints, floats where a number is wanted, enum and activation names in their
// canonical spelling, int tuples and paddings expanded (ir.NormalizeIntTuple,
// ir.NormalizePadding). Errors are reported at the value's span.
func (nb *netBuilder) check(owner string, p *ir.ParamSpec, v ir.Value, en *env) (ir.Value, bool) {
	switch v.Kind {
	case ir.KHPO:
		return nb.checkHPO(owner, p, v, en)
	case ir.KExpr:
		return nb.checkExpr(owner, p, v, en)
	case ir.KNone:
		if p.Type == ir.TActivation {
			return ir.Value{Kind: ir.KString, Str: "linear", Span: v.Span}, true
		}
		if !p.Required && p.Default.Kind == ir.KNone {
			return v, true
		}
		d := nb.errorIn(en, v.Span, "%s cannot be None", what(owner, p))
		if p.Default.Kind != ir.KNone {
			d.WithHint("leave it out to use the default %s", p.Default)
		}
		return v, false
	}
	switch p.Type {
	case ir.TInt:
		return nb.checkInt(owner, p, v, en)
	case ir.TFloat:
		return nb.checkFloat(owner, p, v, en)
	case ir.TBool:
		if v.Kind == ir.KBool {
			return v, true
		}
		return v, nb.typeError(owner, p, "true or false", v, en)
	case ir.TString:
		if v.Kind == ir.KString || v.Kind == ir.KIdent {
			return ir.Value{Kind: ir.KString, Str: v.Str, Span: v.Span}, true
		}
		return v, nb.typeError(owner, p, "a string", v, en)
	case ir.TEnum:
		return nb.checkEnum(owner, p, v, en)
	case ir.TActivation:
		return nb.checkActivation(owner, p, v, en)
	case ir.TIntTuple:
		return nb.checkIntTuple(owner, p, v, en)
	case ir.TShape:
		return nb.checkShape(owner, p, v, en)
	case ir.TPadding:
		return nb.checkPadding(owner, p, v, en)
	case ir.TRegularizer:
		return nb.checkRegularizer(owner, p, v, en)
	case ir.TLearningRate:
		return nb.checkLearningRate(owner, p, v, en)
	case ir.TLayer:
		return v, nb.typeError(owner, p, "a layer such as LSTM(64)", v, en)
	}
	return v, true
}

// what names a parameter in messages: "`units` of Dense".
func what(owner string, p *ir.ParamSpec) string {
	if owner == "" {
		return "`" + p.Name + "`"
	}
	return fmt.Sprintf("`%s` of %s", p.Name, owner)
}

func (nb *netBuilder) typeError(owner string, p *ir.ParamSpec, want string, v ir.Value, en *env) bool {
	d := nb.errorIn(en, v.Span, "%s must be %s, got %s", what(owner, p), want, v.Describe())
	if v.Kind == ir.KString && (p.Type == ir.TInt || p.Type == ir.TFloat) {
		d.WithHint("remove the quotes: numbers are written without them")
	}
	if v.Kind == ir.KString && p.Type == ir.TBool {
		d.WithHint("write true or false without quotes")
	}
	if v.Kind == ir.KIdent && en.macro != nil && contains(en.macro.params, v.Str) {
		d.WithHint("did you mean the macro parameter `$%s`?", v.Str)
	}
	return false
}

// bound returns a description of the violated bound of p for x, or "".
func bound(p *ir.ParamSpec, x float64) string {
	if p.HasMin {
		if p.MinOpen && x <= p.Min {
			return "greater than " + formatNumber(p.Min)
		}
		if !p.MinOpen && x < p.Min {
			return "at least " + formatNumber(p.Min)
		}
	}
	if p.HasMax {
		if p.MaxOpen && x >= p.Max {
			return "less than " + formatNumber(p.Max)
		}
		if !p.MaxOpen && x > p.Max {
			return "at most " + formatNumber(p.Max)
		}
	}
	return ""
}

func (nb *netBuilder) checkBound(owner string, p *ir.ParamSpec, v ir.Value, en *env) bool {
	if b := bound(p, v.Number()); b != "" {
		nb.errorIn(en, v.Span, "%s must be %s, got %s", what(owner, p), b, v)
		return false
	}
	return true
}

func (nb *netBuilder) checkInt(owner string, p *ir.ParamSpec, v ir.Value, en *env) (ir.Value, bool) {
	switch v.Kind {
	case ir.KInt:
		return v, nb.checkBound(owner, p, v, en)
	case ir.KFloat:
		if d, ok := nb.divisions[keyOf(v.Span)]; ok {
			nb.errorIn(en, v.Span, "%s must be an integer, but the division `%s` is not whole (%d / %d = %s)",
				what(owner, p), d.text, d.l, d.r, formatNumber(d.result)).
				WithHint("choose values that divide evenly")
			return v, false
		}
		d := nb.errorIn(en, v.Span, "%s must be an integer, got %s", what(owner, p), v)
		if v.Float == float64(int64(v.Float)) {
			d.WithHint("write %d", int64(v.Float))
		}
		return v, false
	}
	return v, nb.typeError(owner, p, "an integer", v, en)
}

func (nb *netBuilder) checkFloat(owner string, p *ir.ParamSpec, v ir.Value, en *env) (ir.Value, bool) {
	if !v.IsNumber() {
		return v, nb.typeError(owner, p, "a number", v, en)
	}
	if !nb.checkBound(owner, p, v, en) {
		return v, false
	}
	return ir.Value{Kind: ir.KFloat, Float: v.Number(), Span: v.Span}, true
}

func (nb *netBuilder) checkEnum(owner string, p *ir.ParamSpec, v ir.Value, en *env) (ir.Value, bool) {
	if v.Kind != ir.KString && v.Kind != ir.KIdent {
		return v, nb.typeError(owner, p, "one of "+quoteList(p.Enum), v, en)
	}
	for _, e := range p.Enum {
		if strings.EqualFold(e, v.Str) {
			return ir.Value{Kind: ir.KString, Str: e, Span: v.Span}, true
		}
	}
	d := nb.errorIn(en, v.Span, "%s must be one of %s, got %q", what(owner, p), quoteList(p.Enum), v.Str)
	if s := diag.Suggest(v.Str, p.Enum); s != "" {
		d.WithHint("did you mean %q?", s)
	}
	return v, false
}

func quoteList(vals []string) string {
	out := make([]string, len(vals))
	for i, v := range vals {
		out[i] = fmt.Sprintf("%q", v)
	}
	return strings.Join(out, ", ")
}

func (nb *netBuilder) checkActivation(owner string, p *ir.ParamSpec, v ir.Value, en *env) (ir.Value, bool) {
	if v.Kind != ir.KString && v.Kind != ir.KIdent {
		return v, nb.typeError(owner, p, "an activation name", v, en)
	}
	if a, ok := ir.LookupActivation(v.Str); ok {
		return ir.Value{Kind: ir.KString, Str: a, Span: v.Span}, true
	}
	d := nb.errorIn(en, v.Span, "unknown activation %q for %s", v.Str, what(owner, p))
	if s := diag.Suggest(v.Str, append(append([]string(nil), ir.Activations...), "silu")); s != "" {
		d.WithHint("did you mean %q?", s)
	} else {
		d.WithHint("activations: %s", strings.Join(ir.Activations, ", "))
	}
	return v, false
}

// scalarOf is the integer parameter that one element of a TIntTuple,
// TShape or TPadding value is checked against.
func scalarOf(p *ir.ParamSpec) *ir.ParamSpec {
	s := *p
	s.Type = ir.TInt
	return &s
}

// checkIntElems checks that every element is an integer within p's bounds
// (HPO elements included); allowMinusOne admits -1 (Reshape).
func (nb *netBuilder) checkIntElems(owner string, p *ir.ParamSpec, elems []ir.Value, en *env, allowMinusOne bool) ([]ir.Value, bool) {
	sp := scalarOf(p)
	out := make([]ir.Value, len(elems))
	ok := true
	for i, e := range elems {
		if allowMinusOne && e.Kind == ir.KInt && e.Int == -1 {
			out[i] = e
			continue
		}
		var eok bool
		out[i], eok = nb.check(owner, sp, e, en)
		ok = ok && eok
	}
	return out, ok
}

func (nb *netBuilder) checkIntTuple(owner string, p *ir.ParamSpec, v ir.Value, en *env) (ir.Value, bool) {
	switch v.Kind {
	case ir.KInt, ir.KFloat:
		c, ok := nb.checkInt(owner, p, v, en)
		if !ok {
			return v, false
		}
		n, _ := ir.NormalizeIntTuple(c, p.Rank)
		return n, true
	case ir.KTuple, ir.KList:
		if len(v.Elems) == 0 || (p.Rank > 0 && len(v.Elems) != p.Rank) {
			want := "at least one integer"
			if p.Rank > 0 {
				want = fmt.Sprintf("%d integers (one per spatial dimension)", p.Rank)
			}
			d := nb.errorIn(en, v.Span, "%s needs %s, got %d", what(owner, p), want, len(v.Elems))
			if p.Rank > 0 {
				d.WithHint("a single integer is repeated for every dimension: %s=3", p.Name)
			}
			return v, false
		}
		elems, ok := nb.checkIntElems(owner, p, v.Elems, en, false)
		if !ok {
			return v, false
		}
		return ir.Value{Kind: ir.KTuple, Elems: elems, Span: v.Span}, true
	}
	return v, nb.typeError(owner, p, "an integer or a tuple of integers", v, en)
}

func (nb *netBuilder) checkShape(owner string, p *ir.ParamSpec, v ir.Value, en *env) (ir.Value, bool) {
	switch v.Kind {
	case ir.KInt:
		v = ir.Value{Kind: ir.KTuple, Elems: []ir.Value{v}, Span: v.Span}
	case ir.KTuple, ir.KList:
	default:
		return v, nb.typeError(owner, p, "a tuple of integers", v, en)
	}
	if len(v.Elems) == 0 {
		nb.errorIn(en, v.Span, "%s needs at least one dimension", what(owner, p))
		return v, false
	}
	minus := 0
	for _, e := range v.Elems {
		if e.Kind == ir.KInt && e.Int == -1 {
			minus++
		}
	}
	if minus > 1 {
		nb.errorIn(en, v.Span, "%s may have at most one -1 dimension, got %d", what(owner, p), minus)
		return v, false
	}
	sp := *p
	sp.Min, sp.HasMin, sp.MinOpen = 1, true, false
	elems, ok := nb.checkIntElems(owner, &sp, v.Elems, en, true)
	if !ok {
		return v, false
	}
	return ir.Value{Kind: ir.KTuple, Elems: elems, Span: v.Span}, true
}

func (nb *netBuilder) checkPadding(owner string, p *ir.ParamSpec, v ir.Value, en *env) (ir.Value, bool) {
	var elems []ir.Value
	switch v.Kind {
	case ir.KInt, ir.KFloat:
		elems = []ir.Value{v}
	case ir.KTuple, ir.KList:
		for _, e := range v.Elems {
			if e.Kind == ir.KTuple || e.Kind == ir.KList {
				elems = append(elems, e.Elems...)
			} else {
				elems = append(elems, e)
			}
		}
	default:
		return v, nb.typeError(owner, p, "an integer or a tuple of integers", v, en)
	}
	if _, ok := nb.checkIntElems(owner, p, elems, en, false); !ok {
		return v, false
	}
	n, err := ir.NormalizePadding(v, p.Rank)
	if err != nil {
		nb.errorIn(en, v.Span, "%s %v", what(owner, p), err)
		return v, false
	}
	return n, true
}

var regularizers = []string{"l1", "l2", "l1_l2"}

func (nb *netBuilder) checkRegularizer(owner string, p *ir.ParamSpec, v ir.Value, en *env) (ir.Value, bool) {
	var call ir.Call
	switch v.Kind {
	case ir.KString, ir.KIdent:
		call = ir.Call{Name: v.Str, Span: v.Span}
	case ir.KCall:
		call = *v.Call
	default:
		return v, nb.typeError(owner, p, `a regularizer such as "l2" or l2(0.01)`, v, en)
	}
	name := strings.ToLower(call.Name)
	if !contains(regularizers, name) {
		d := nb.errorIn(en, v.Span, "unknown regularizer %q for %s", call.Name, what(owner, p))
		if s := diag.Suggest(name, regularizers); s != "" {
			d.WithHint("did you mean %q?", s)
		} else {
			d.WithHint("regularizers: l1(f), l2(f), l1_l2(l1=f, l2=f)")
		}
		return v, false
	}
	factor := &ir.ParamSpec{Name: "factor", Type: ir.TFloat, Min: 0, HasMin: true}
	names := []string{name}
	if name == "l1_l2" {
		names = []string{"l1", "l2"}
	}
	out := &ir.Call{Name: name, Span: call.Span}
	ok := true
	for i, a := range call.Args {
		argName := a.Name
		if argName == "" {
			if i >= len(names) {
				nb.errorIn(en, a.Span, "too many arguments for %s(…)", name)
				ok = false
				continue
			}
			argName = names[i]
		}
		if name != "l1_l2" && (argName == "l" || argName == "factor") {
			argName = name
		}
		if !contains(names, argName) {
			nb.errorIn(en, a.Span, "unknown parameter `%s` for %s(…)", argName, name).WithHint("valid names: %s", strings.Join(names, ", "))
			ok = false
			continue
		}
		fp := *factor
		fp.Name = argName
		fv, fok := nb.check(name, &fp, a.Value, en)
		ok = ok && fok
		out.Args = append(out.Args, ir.Arg{Name: argName, Value: fv, Span: a.Span})
	}
	return ir.Value{Kind: ir.KCall, Call: out, Span: v.Span}, ok
}

func (nb *netBuilder) checkLearningRate(owner string, p *ir.ParamSpec, v ir.Value, en *env) (ir.Value, bool) {
	switch v.Kind {
	case ir.KInt, ir.KFloat:
		return nb.checkFloat(owner, p, v, en)
	case ir.KCall:
		return nb.bindSchedule(v, en, useCtx{})
	case ir.KString, ir.KIdent:
		if ir.LookupFunc(ir.Schedules, v.Str) != nil {
			return nb.bindSchedule(ir.Value{Kind: ir.KCall, Call: &ir.Call{Name: v.Str, Span: v.Span}, Span: v.Span}, en, useCtx{})
		}
	}
	return v, nb.typeError(owner, p, "a number, an HPO or a schedule such as ExponentialDecay(0.01, 1000, 0.9)", v, en)
}

// checkHPO validates every value an HPO can take against p.
func (nb *netBuilder) checkHPO(owner string, p *ir.ParamSpec, v ir.Value, en *env) (ir.Value, bool) {
	h := v.HPO
	switch p.Type {
	case ir.TLayer:
		nb.errorIn(en, v.Span, "%s cannot be searched with HPO", what(owner, p))
		return v, false
	case ir.TIntTuple, ir.TShape, ir.TPadding:
		if hpoScalar(h) {
			if _, ok := nb.checkHPO(owner, scalarOf(p), v, en); !ok {
				return v, false
			}
			switch p.Type {
			case ir.TIntTuple:
				n, _ := ir.NormalizeIntTuple(v, p.Rank)
				return n, true
			case ir.TPadding:
				n, _ := ir.NormalizePadding(v, p.Rank)
				return n, true
			}
			return ir.Value{Kind: ir.KTuple, Elems: []ir.Value{v}, Span: v.Span}, true
		}
	}
	if h.Kind != ir.Choice {
		switch p.Type {
		case ir.TInt, ir.TFloat, ir.TLearningRate:
		default:
			nb.errorIn(en, v.Span, "%s(…) gives numbers, but %s must be %s", h.Kind, what(owner, p), describeType(p)).
				WithHint("use choice(…) to list the values")
			return v, false
		}
		vals := []ir.Value{h.Lo, h.Hi}
		if h.Step.Kind != ir.KNone {
			vals = append(vals, h.Step)
		}
		if p.Type == ir.TInt {
			for _, x := range vals {
				if x.Kind != ir.KInt {
					nb.errorIn(en, x.Span, "%s must be an integer, but this %s(…) gives non-integer values (%s)", what(owner, p), h.Kind, x).
						WithHint("use integer bounds and step, e.g. range(32, 256, step=32)")
					return v, false
				}
			}
		}
		ok := nb.checkBound(owner, p, h.Lo, en) && nb.checkBound(owner, p, h.Hi, en)
		if ok && p.Shape {
			h.Shape = true
		}
		return v, ok
	}
	ok := true
	for i, c := range h.Choices {
		nc, cok := nb.check(owner, p, c, en)
		if !cok {
			ok = false
			continue
		}
		switch p.Type {
		case ir.TEnum, ir.TActivation, ir.TString, ir.TIntTuple, ir.TShape, ir.TPadding, ir.TRegularizer:
			h.Choices[i] = nc // canonical spelling / form; the same for every use
		}
	}
	if ok && p.Shape {
		h.Shape = true
	}
	return v, ok
}

// hpoScalar reports whether an HPO draws single numbers.
func hpoScalar(h *ir.HPO) bool {
	if h.Kind != ir.Choice {
		return true
	}
	for _, c := range h.Choices {
		if c.Kind != ir.KInt && c.Kind != ir.KFloat {
			return false
		}
	}
	return true
}

func describeType(p *ir.ParamSpec) string {
	switch p.Type {
	case ir.TEnum:
		return "one of " + quoteList(p.Enum)
	case ir.TBool:
		return "true or false"
	case ir.TString:
		return "a string"
	case ir.TActivation:
		return "an activation name"
	}
	return p.Type.String()
}

// checkExpr validates arithmetic over HPOs by trying every combination of
// their values (up to maxCombinations).
func (nb *netBuilder) checkExpr(owner string, p *ir.ParamSpec, v ir.Value, en *env) (ir.Value, bool) {
	numeric := p.Type == ir.TInt || p.Type == ir.TFloat || p.Type == ir.TLearningRate || p.Type == ir.TIntTuple
	if !numeric {
		nb.errorIn(en, v.Span, "%s must be %s, got arithmetic %s", what(owner, p), describeType(p), v)
		return v, false
	}
	hs := hpoValues(v)
	total := 1
	for _, h := range hs {
		total *= len(h.Values())
		if total > maxCombinations {
			break
		}
	}
	if total <= maxCombinations && len(nb.net.HPOs) > 0 {
		a := make(ir.Assignment, len(nb.net.HPOs))
		idx := make([]int, len(hs))
		for {
			for i, h := range hs {
				if h.ID < len(a) {
					a[h.ID] = h.Values()[idx[i]]
				}
			}
			r, err := v.Resolve(a)
			var problem string
			switch {
			case err != nil:
				problem = err.Error()
			case (p.Type == ir.TInt || p.Type == ir.TIntTuple) && r.Kind != ir.KInt:
				problem = fmt.Sprintf("must be an integer, but %s gives %s", v, r)
			default:
				if b := bound(p, r.Number()); b != "" {
					problem = fmt.Sprintf("must be %s, but %s gives %s", b, v, r)
				}
			}
			if problem != "" {
				var vals []string
				for i, h := range hs {
					vals = append(vals, h.Values()[idx[i]].String())
				}
				nb.errorIn(en, v.Span, "%s %s when the HPO values are %s", what(owner, p), problem, strings.Join(vals, ", ")).
					WithHint("every combination of HPO choices must give a valid value")
				return v, false
			}
			// next combination
			i := 0
			for ; i < len(hs); i++ {
				idx[i]++
				if idx[i] < len(hs[i].Values()) {
					break
				}
				idx[i] = 0
			}
			if i == len(hs) {
				break
			}
		}
	}
	if p.Shape {
		for _, h := range hs {
			h.Shape = true
		}
	}
	if p.Type == ir.TIntTuple {
		n, _ := ir.NormalizeIntTuple(v, p.Rank)
		return n, true
	}
	return v, true
}

// formatNumber prints a bound without a needless ".0".
func formatNumber(f float64) string {
	if f == float64(int64(f)) {
		return fmt.Sprintf("%d", int64(f))
	}
	return ir.FormatFloat(f)
}
