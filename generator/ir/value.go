// Package ir is the typed model graph that sema builds from the AST and that
// shape inference and every backend read, plus the single layer schema table
// that drives parameter binding, validation, docs and code generation.
package ir

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/rules-neural/rules_neural/generator/diag"
)

// Kind is the dynamic type of a Value.
type Kind int

const (
	KNone   Kind = iota // `None`: an unknown dimension
	KInt                // 32
	KFloat              // 0.5
	KString             // "relu"
	KBool               // true
	KTuple              // (3, 3)
	KList               // [a, b]
	KIdent              // a bare word: an input name in inputs=[…], `Adam`
	KCall               // Name(args): a nested layer, schedule, metric with params
	KDict               // { key: value }
	KHPO                // a hyper-parameter whose value is chosen per trial
	KExpr               // arithmetic over HPO values, folded once they are chosen
)

var kindNames = [...]string{"None", "integer", "float", "string", "boolean", "tuple", "list", "name", "call", "block", "HPO", "expression"}

func (k Kind) String() string { return kindNames[k] }

// Value is a parameter value after macro expansion. Numbers that were
// written as arithmetic over plain numbers are already folded.
type Value struct {
	Kind  Kind
	Int   int64
	Float float64
	Str   string // KString, KIdent
	Bool  bool
	Elems []Value // KTuple, KList
	Call  *Call   // KCall
	Dict  []Entry // KDict
	HPO   *HPO    // KHPO
	Expr  *Expr   // KExpr
	Span  diag.Span
}

// Entry is one key of a KDict value.
type Entry struct {
	Key   string
	Value Value
	Span  diag.Span
}

// Call is `Name(args…)` used as a value.
type Call struct {
	Name string
	Args []Arg
	Span diag.Span
}

// Arg is one argument of a Call; Name is "" for a positional argument.
type Arg struct {
	Name  string
	Value Value
	Span  diag.Span
}

// Expr is arithmetic with at least one HPO operand: `$d_model / $heads`
// where d_model is searched. Op is one of + - * /, or "neg" with one operand.
type Expr struct {
	Op   string
	L, R Value
}

// HPOKind says how a hyper-parameter's values are drawn.
type HPOKind int

const (
	Choice HPOKind = iota
	Range
	LogRange
)

func (k HPOKind) String() string {
	return [...]string{"choice", "range", "log_range"}[k]
}

// HPO is one searched hyper-parameter. Every `HPO(…)` written in the source
// (or passed once into a macro) is one HPO, shared by all its uses.
type HPO struct {
	ID      int // index in Network.HPOs
	Name    string
	Kind    HPOKind
	Choices []Value // Choice
	Lo, Hi  Value   // Range, LogRange
	Step    Value   // Range; KNone when absent
	Span    diag.Span
	Shape   bool // some use of it affects shapes (set by sema)
}

// Default is the value used for summaries: the first choice, or lo.
func (h *HPO) Default() Value {
	if h.Kind == Choice {
		return h.Choices[0]
	}
	return h.Lo
}

// Values enumerates the candidate values whose effect on shapes must be
// checked: every choice, and for integer ranges every step (capped by the
// caller through the combination limit).
func (h *HPO) Values() []Value {
	switch h.Kind {
	case Choice:
		return h.Choices
	case Range:
		if h.Lo.Kind == KInt && h.Hi.Kind == KInt && (h.Step.Kind == KInt || h.Step.Kind == KNone) {
			step := int64(1)
			if h.Step.Kind == KInt && h.Step.Int > 0 {
				step = h.Step.Int
			}
			var out []Value
			for v := h.Lo.Int; v <= h.Hi.Int && len(out) < 4096; v += step {
				out = append(out, Value{Kind: KInt, Int: v, Span: h.Span})
			}
			return out
		}
	}
	return []Value{h.Lo, h.Hi}
}

// Assignment picks a value for each HPO of a network, by HPO.ID. A nil
// Assignment means "every HPO at its default".
type Assignment []Value

// Resolve returns v with HPO values and expressions replaced by concrete
// values under a.
func (v Value) Resolve(a Assignment) (Value, error) {
	switch v.Kind {
	case KHPO:
		if v.HPO.ID < len(a) && a[v.HPO.ID].Kind != KNone {
			r := a[v.HPO.ID]
			r.Span = v.Span
			return r, nil
		}
		r := v.HPO.Default()
		r.Span = v.Span
		return r, nil
	case KExpr:
		l, err := v.Expr.L.Resolve(a)
		if err != nil {
			return v, err
		}
		if v.Expr.Op == "neg" {
			return Arith("-", Value{Kind: KInt}, l, v.Span)
		}
		r, err := v.Expr.R.Resolve(a)
		if err != nil {
			return v, err
		}
		return Arith(v.Expr.Op, l, r, v.Span)
	case KTuple, KList:
		if !v.IsSymbolic() {
			return v, nil
		}
		out := v
		out.Elems = make([]Value, len(v.Elems))
		for i, e := range v.Elems {
			r, err := e.Resolve(a)
			if err != nil {
				return v, err
			}
			out.Elems[i] = r
		}
		return out, nil
	}
	return v, nil
}

// IsSymbolic reports whether v depends on an HPO.
func (v Value) IsSymbolic() bool {
	switch v.Kind {
	case KHPO, KExpr:
		return true
	case KTuple, KList:
		for _, e := range v.Elems {
			if e.IsSymbolic() {
				return true
			}
		}
	}
	return false
}

// HPOs appends the HPOs v depends on to dst.
func (v Value) HPOs(dst []*HPO) []*HPO {
	switch v.Kind {
	case KHPO:
		return append(dst, v.HPO)
	case KExpr:
		dst = v.Expr.L.HPOs(dst)
		if v.Expr.Op != "neg" {
			dst = v.Expr.R.HPOs(dst)
		}
	case KTuple, KList:
		for _, e := range v.Elems {
			dst = e.HPOs(dst)
		}
	}
	return dst
}

// Arith folds l op r. Integer operands give an integer except for a
// division that is not whole, which gives a float (the caller reports it
// where an integer is required).
func Arith(op string, l, r Value, span diag.Span) (Value, error) {
	if l.Kind == KHPO || l.Kind == KExpr || r.Kind == KHPO || r.Kind == KExpr {
		return Value{Kind: KExpr, Expr: &Expr{Op: op, L: l, R: r}, Span: span}, nil
	}
	if !l.IsNumber() || !r.IsNumber() {
		bad := l
		if l.IsNumber() {
			bad = r
		}
		return Value{}, fmt.Errorf("arithmetic needs numbers, got %s", bad.Describe())
	}
	if l.Kind == KInt && r.Kind == KInt {
		a, b := l.Int, r.Int
		switch op {
		case "+":
			return Value{Kind: KInt, Int: a + b, Span: span}, nil
		case "-":
			return Value{Kind: KInt, Int: a - b, Span: span}, nil
		case "*":
			if a != 0 && (a*b)/a != b {
				return Value{}, fmt.Errorf("integer overflow in %d * %d", a, b)
			}
			return Value{Kind: KInt, Int: a * b, Span: span}, nil
		case "/":
			if b == 0 {
				return Value{}, fmt.Errorf("division by zero")
			}
			if a%b == 0 {
				return Value{Kind: KInt, Int: a / b, Span: span}, nil
			}
			return Value{Kind: KFloat, Float: float64(a) / float64(b), Span: span}, nil
		}
	}
	a, b := l.Number(), r.Number()
	var f float64
	switch op {
	case "+":
		f = a + b
	case "-":
		f = a - b
	case "*":
		f = a * b
	case "/":
		if b == 0 {
			return Value{}, fmt.Errorf("division by zero")
		}
		f = a / b
	}
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return Value{}, fmt.Errorf("arithmetic result is not a finite number")
	}
	return Value{Kind: KFloat, Float: f, Span: span}, nil
}

// IsNumber reports whether v is an integer or a float.
func (v Value) IsNumber() bool { return v.Kind == KInt || v.Kind == KFloat }

// Number returns v as a float64 (0 for non-numbers).
func (v Value) Number() float64 {
	if v.Kind == KInt {
		return float64(v.Int)
	}
	return v.Float
}

// Ints returns the integers of an int or a tuple/list of ints; ok is false
// for anything else.
func (v Value) Ints() ([]int64, bool) {
	switch v.Kind {
	case KInt:
		return []int64{v.Int}, true
	case KTuple, KList:
		out := make([]int64, len(v.Elems))
		for i, e := range v.Elems {
			if e.Kind != KInt {
				return nil, false
			}
			out[i] = e.Int
		}
		return out, true
	}
	return nil, false
}

// Describe names v for error messages: `string "relu"`, `integer 3`.
func (v Value) Describe() string {
	switch v.Kind {
	case KNone:
		return "None"
	case KCall:
		return "call " + v.Call.Name + "(…)"
	case KDict:
		return "a block"
	}
	return v.Kind.String() + " " + v.String()
}

// String renders v in .neural syntax (canonical form, used by fmt-like
// output, summaries and error messages).
func (v Value) String() string {
	var b strings.Builder
	v.write(&b)
	return b.String()
}

func (v Value) write(b *strings.Builder) {
	switch v.Kind {
	case KNone:
		b.WriteString("None")
	case KInt:
		b.WriteString(strconv.FormatInt(v.Int, 10))
	case KFloat:
		b.WriteString(FormatFloat(v.Float))
	case KString:
		b.WriteString(strconv.Quote(v.Str))
	case KBool:
		b.WriteString(strconv.FormatBool(v.Bool))
	case KIdent:
		b.WriteString(v.Str)
	case KTuple, KList:
		open, close := "(", ")"
		if v.Kind == KList {
			open, close = "[", "]"
		}
		b.WriteString(open)
		for i, e := range v.Elems {
			if i > 0 {
				b.WriteString(", ")
			}
			e.write(b)
		}
		if v.Kind == KTuple && len(v.Elems) == 1 {
			b.WriteString(",")
		}
		b.WriteString(close)
	case KCall:
		b.WriteString(v.Call.Name)
		b.WriteString("(")
		for i, a := range v.Call.Args {
			if i > 0 {
				b.WriteString(", ")
			}
			if a.Name != "" {
				b.WriteString(a.Name)
				b.WriteString("=")
			}
			a.Value.write(b)
		}
		b.WriteString(")")
	case KDict:
		b.WriteString("{")
		for i, e := range v.Dict {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(e.Key)
			b.WriteString(": ")
			e.Value.write(b)
		}
		b.WriteString("}")
	case KHPO:
		h := v.HPO
		b.WriteString("HPO(")
		b.WriteString(h.Kind.String())
		b.WriteString("(")
		if h.Kind == Choice {
			for i, c := range h.Choices {
				if i > 0 {
					b.WriteString(", ")
				}
				c.write(b)
			}
		} else {
			h.Lo.write(b)
			b.WriteString(", ")
			h.Hi.write(b)
			if h.Step.Kind != KNone {
				b.WriteString(", step=")
				h.Step.write(b)
			}
		}
		b.WriteString("))")
	case KExpr:
		if v.Expr.Op == "neg" {
			b.WriteString("-")
			v.Expr.L.write(b)
			return
		}
		b.WriteString("(")
		v.Expr.L.write(b)
		b.WriteString(" " + v.Expr.Op + " ")
		v.Expr.R.write(b)
		b.WriteString(")")
	}
}

// FormatFloat prints a float in the shortest form that reads back exactly,
// always with a decimal point or exponent so it stays a float.
func FormatFloat(f float64) string {
	s := strconv.FormatFloat(f, 'g', -1, 64)
	if !strings.ContainsAny(s, ".eEn") {
		s += ".0"
	}
	return s
}
