package sema

import (
	"math"
	"strconv"
	"strings"

	"github.com/alecthomas/participle/v2/lexer"

	"github.com/rules-neural/rules_neural/generator/diag"
	"github.com/rules-neural/rules_neural/generator/ir"
	"github.com/rules-neural/rules_neural/generator/syntax"
)

// env is the lexical context of an expansion: the macro arguments in scope
// and the chain of calls that led here.
type env struct {
	macro  *macro
	params map[string]ir.Value
	bad    map[string]bool // arguments whose value already had an error
	// chain lists the macro calls on the way, innermost first.
	chain []diag.Related
	// stack lists the macros being expanded, outermost first.
	stack  []*macro
	depth  int
	device string // placement inherited from `Macro(…) @ "cuda:0"`
}

var rootEnv = &env{}

// spanKey identifies a value's source span for side tables.
type spanKey struct {
	file       string
	start, end int
}

func keyOf(s diag.Span) spanKey { return spanKey{s.Start.File, s.Start.Offset, s.End.Offset} }

// identSpan is the exact span of an identifier.
func identSpan(id *syntax.Ident) diag.Span {
	if id == nil {
		return diag.Span{}
	}
	s := syntax.PosOf(id.Pos)
	e := s
	e.Offset += len(id.Name)
	e.Col += len(id.Name)
	return diag.Span{Start: s, End: e}
}

// tokenSpan is the exact span of a one-token primary of length n.
func tokenSpan(pos lexer.Position, n int) diag.Span {
	s := syntax.PosOf(pos)
	e := s
	e.Offset += n
	e.Col += n
	return diag.Span{Start: s, End: e}
}

func exprSpan(e *syntax.Expr) diag.Span {
	if e == nil {
		return diag.Span{}
	}
	if p := primaryOf(e); p != nil {
		return primarySpan(p)
	}
	return syntax.SpanOf(e.Pos, e.EndPos)
}

func primarySpan(p *syntax.Primary) diag.Span {
	switch {
	case p.Float != nil:
		return tokenSpan(p.Pos, len(*p.Float))
	case p.Int != nil:
		return tokenSpan(p.Pos, len(*p.Int))
	case p.String != nil:
		return tokenSpan(p.Pos, len(*p.String))
	case p.Var != nil:
		return tokenSpan(p.Pos, len(*p.Var))
	case p.Ident != nil:
		return tokenSpan(p.Pos, len(*p.Ident))
	}
	return syntax.SpanOf(p.Pos, p.EndPos)
}

func argSpan(a *syntax.Arg) diag.Span {
	if a.Name == nil {
		return exprSpan(a.Value)
	}
	s := identSpan(a.Name)
	if a.Value != nil {
		s.End = exprSpan(a.Value).End
	}
	return s
}

// primaryOf returns the primary of an expression that is just one primary
// (no operators), or nil.
func primaryOf(e *syntax.Expr) *syntax.Primary {
	if e == nil || len(e.Rest) > 0 || e.Left == nil || len(e.Left.Rest) > 0 || e.Left.Left == nil || e.Left.Left.Neg {
		return nil
	}
	return e.Left.Left.Primary
}

// eval lowers an expression to a value, substituting macro arguments and
// folding arithmetic. ok is false when an error was reported; the value is
// then KNone.
func (nb *netBuilder) eval(e *syntax.Expr, en *env) (ir.Value, bool) {
	if e == nil || e.Left == nil {
		return ir.Value{}, false
	}
	v, ok := nb.evalTerm(e.Left, en)
	for _, r := range e.Rest {
		if r == nil || r.Term == nil {
			return ir.Value{}, false
		}
		rv, rok := nb.evalTerm(r.Term, en)
		if !ok || !rok {
			ok = false
			continue
		}
		span := syntax.SpanOf(e.Pos, r.EndPos)
		v, ok = nb.arith(r.Op, v, rv, span, en, "")
	}
	if !ok {
		return ir.Value{}, false
	}
	return v, true
}

func (nb *netBuilder) evalTerm(t *syntax.Term, en *env) (ir.Value, bool) {
	if t.Left == nil {
		return ir.Value{}, false
	}
	v, ok := nb.evalUnary(t.Left, en)
	for i, r := range t.Rest {
		if r == nil || r.Unary == nil {
			return ir.Value{}, false
		}
		rv, rok := nb.evalUnary(r.Unary, en)
		if !ok || !rok {
			ok = false
			continue
		}
		span := syntax.SpanOf(t.Pos, r.EndPos)
		v, ok = nb.arith(r.Op, v, rv, span, en, termText(t, i+1))
	}
	return v, ok
}

// arith folds l op r, reporting errors at span. text is the source of a
// division, remembered when it is not whole so that an integer parameter can
// name it.
func (nb *netBuilder) arith(op string, l, r ir.Value, span diag.Span, en *env, text string) (ir.Value, bool) {
	out, err := ir.Arith(op, l, r, span)
	if err != nil {
		nb.errorIn(en, span, "%v", err)
		return ir.Value{}, false
	}
	switch {
	case op == "/" && l.Kind == ir.KInt && r.Kind == ir.KInt && out.Kind == ir.KFloat:
		nb.divisions[keyOf(span)] = divisionNote{text: text, l: l.Int, r: r.Int, result: out.Float}
	default:
		if d, ok := nb.divisions[keyOf(l.Span)]; ok && out.Kind == ir.KFloat {
			nb.divisions[keyOf(span)] = d
		} else if d, ok := nb.divisions[keyOf(r.Span)]; ok && out.Kind == ir.KFloat {
			nb.divisions[keyOf(span)] = d
		}
	}
	return out, true
}

// divisionNote remembers an integer division that was not whole.
type divisionNote struct {
	text   string
	l, r   int64
	result float64
}

func (nb *netBuilder) evalUnary(u *syntax.Unary, en *env) (ir.Value, bool) {
	if u.Primary == nil {
		return ir.Value{}, false
	}
	v, ok := nb.evalPrimary(u.Primary, en)
	if !ok || !u.Neg {
		return v, ok
	}
	span := syntax.SpanOf(u.Pos, u.EndPos)
	switch v.Kind {
	case ir.KInt:
		if v.Int == math.MinInt64 {
			nb.errorIn(en, span, "integer overflow")
			return ir.Value{}, false
		}
		return ir.Value{Kind: ir.KInt, Int: -v.Int, Span: span}, true
	case ir.KFloat:
		return ir.Value{Kind: ir.KFloat, Float: -v.Float, Span: span}, true
	case ir.KHPO, ir.KExpr:
		return ir.Value{Kind: ir.KExpr, Expr: &ir.Expr{Op: "neg", L: v}, Span: span}, true
	}
	nb.errorIn(en, span, "cannot negate %s", v.Describe())
	return ir.Value{}, false
}

func (nb *netBuilder) evalPrimary(p *syntax.Primary, en *env) (ir.Value, bool) {
	span := primarySpan(p)
	switch {
	case p.Float != nil:
		f, err := strconv.ParseFloat(*p.Float, 64)
		if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			nb.errorIn(en, span, "number %s is out of range", *p.Float)
			return ir.Value{}, false
		}
		return ir.Value{Kind: ir.KFloat, Float: f, Span: span}, true
	case p.Int != nil:
		i, err := strconv.ParseInt(*p.Int, 10, 64)
		if err != nil {
			nb.errorIn(en, span, "integer %s is too large", *p.Int)
			return ir.Value{}, false
		}
		return ir.Value{Kind: ir.KInt, Int: i, Span: span}, true
	case p.String != nil:
		return ir.Value{Kind: ir.KString, Str: syntax.Unquote(*p.String), Span: span}, true
	case p.Var != nil:
		return nb.lookupVar(strings.TrimPrefix(*p.Var, "$"), span, en)
	case p.Call != nil:
		return nb.evalCall(p.Call, en)
	case p.Ident != nil:
		return identValue(*p.Ident, span), true
	case p.Paren != nil:
		if len(p.Paren.Elems) == 1 && !p.Paren.TrailingComma {
			return nb.eval(p.Paren.Elems[0], en) // grouping
		}
		return nb.evalElems(ir.KTuple, p.Paren.Elems, span, en)
	case p.List != nil:
		return nb.evalElems(ir.KList, p.List.Elems, span, en)
	case p.Dict != nil:
		return nb.evalDict(p.Dict, en)
	}
	return ir.Value{}, false
}

// identValue gives bare words their meaning: booleans in any case, None,
// otherwise a name (`Adam`, an input name in inputs=[…]).
func identValue(name string, span diag.Span) ir.Value {
	switch strings.ToLower(name) {
	case "true":
		return ir.Value{Kind: ir.KBool, Bool: true, Span: span}
	case "false":
		return ir.Value{Kind: ir.KBool, Bool: false, Span: span}
	case "none":
		return ir.Value{Kind: ir.KNone, Span: span}
	}
	return ir.Value{Kind: ir.KIdent, Str: name, Span: span}
}

func (nb *netBuilder) evalElems(kind ir.Kind, elems []*syntax.Expr, span diag.Span, en *env) (ir.Value, bool) {
	out := ir.Value{Kind: kind, Span: span, Elems: make([]ir.Value, 0, len(elems))}
	ok := true
	for _, e := range elems {
		v, eok := nb.eval(e, en)
		ok = ok && eok
		out.Elems = append(out.Elems, v)
	}
	return out, ok
}

func (nb *netBuilder) evalDict(d *syntax.Dict, en *env) (ir.Value, bool) {
	out := ir.Value{Kind: ir.KDict, Span: syntax.SpanOf(d.Pos, d.EndPos)}
	ok := true
	for _, e := range d.Entries {
		if e == nil || e.Key == nil {
			continue
		}
		v, eok := nb.eval(e.Value, en)
		ok = ok && eok
		out.Dict = append(out.Dict, ir.Entry{Key: e.Key.Name, Value: v, Span: identSpan(e.Key)})
	}
	return out, ok
}

// lookupVar substitutes a macro argument. The value keeps its identity (an
// HPO passed in stays the same HPO) but takes the span of `$name` in the
// body, where errors about it are reported.
func (nb *netBuilder) lookupVar(name string, span diag.Span, en *env) (ir.Value, bool) {
	if en.macro == nil {
		nb.errorIn(en, span, "`$%s` can only be used inside a macro body", name).
			WithHint("declare it as a parameter: define Name(%s) { … }", name)
		return ir.Value{}, false
	}
	if en.bad[name] {
		return ir.Value{}, false
	}
	v, ok := en.params[name]
	if !ok {
		d := nb.errorIn(en, span, "macro `%s` has no parameter `%s`", en.macro.name, name)
		if s := diag.Suggest(name, en.macro.params); s != "" {
			d.WithHint("did you mean `$%s`?", s)
		} else {
			d.WithHint("its parameters are (%s)", strings.Join(en.macro.params, ", "))
		}
		return ir.Value{}, false
	}
	if d, had := nb.divisions[keyOf(v.Span)]; had {
		nb.divisions[keyOf(span)] = d
	}
	v.Span = span
	return v, true
}

// evalCall lowers `Name(args)`: HPO expressions become *ir.HPO values,
// anything else a KCall for the caller to interpret.
func (nb *netBuilder) evalCall(c *syntax.Call, en *env) (ir.Value, bool) {
	if c.Name == nil {
		return ir.Value{}, false
	}
	span := syntax.SpanOf(c.Pos, c.EndPos)
	if !nb.plain {
		switch strings.ToLower(c.Name.Name) {
		case "hpo":
			return nb.hpoCall(c, en)
		case "choice", "categorical", "range", "log_range":
			return nb.hpoSpec(c, c, en)
		}
	}
	call := &ir.Call{Name: c.Name.Name, Span: span}
	ok := true
	for _, a := range c.Args {
		if a == nil {
			continue
		}
		v, aok := nb.eval(a.Value, en)
		ok = ok && aok
		arg := ir.Arg{Value: v, Span: argSpan(a)}
		if a.Name != nil {
			arg.Name = a.Name.Name
		}
		call.Args = append(call.Args, arg)
	}
	return ir.Value{Kind: ir.KCall, Call: call, Span: span}, ok
}

// termText renders the first n+1 factors of t in source form, for messages
// that name a division (`$filters / 4`).
func termText(t *syntax.Term, n int) string {
	var b strings.Builder
	writeUnary(&b, t.Left)
	for i := 0; i < n && i < len(t.Rest); i++ {
		b.WriteString(" " + t.Rest[i].Op + " ")
		writeUnary(&b, t.Rest[i].Unary)
	}
	return b.String()
}

func writeExpr(b *strings.Builder, e *syntax.Expr) {
	if e == nil || e.Left == nil {
		return
	}
	writeTerm(b, e.Left)
	for _, r := range e.Rest {
		if r == nil {
			continue
		}
		b.WriteString(" " + r.Op + " ")
		writeTerm(b, r.Term)
	}
}

func writeTerm(b *strings.Builder, t *syntax.Term) {
	if t == nil {
		return
	}
	b.WriteString(termText(t, len(t.Rest)))
}

func writeUnary(b *strings.Builder, u *syntax.Unary) {
	if u == nil || u.Primary == nil {
		return
	}
	if u.Neg {
		b.WriteString("-")
	}
	p := u.Primary
	switch {
	case p.Float != nil:
		b.WriteString(*p.Float)
	case p.Int != nil:
		b.WriteString(*p.Int)
	case p.String != nil:
		b.WriteString(*p.String)
	case p.Var != nil:
		b.WriteString(*p.Var)
	case p.Ident != nil:
		b.WriteString(*p.Ident)
	case p.Call != nil:
		if p.Call.Name != nil {
			b.WriteString(p.Call.Name.Name)
		}
		b.WriteString("(…)")
	case p.Paren != nil:
		b.WriteString("(")
		for i, e := range p.Paren.Elems {
			if i > 0 {
				b.WriteString(", ")
			}
			writeExpr(b, e)
		}
		if p.Paren.TrailingComma {
			b.WriteString(",")
		}
		b.WriteString(")")
	case p.List != nil:
		b.WriteString("[…]")
	case p.Dict != nil:
		b.WriteString("{…}")
	}
}
