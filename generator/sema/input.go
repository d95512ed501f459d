package sema

import (
	"strings"

	"github.com/rules-neural/rules_neural/generator/diag"
	"github.com/rules-neural/rules_neural/generator/ir"
	"github.com/rules-neural/rules_neural/generator/syntax"
)

// inputSection reads `input: (…)`, `input: shape(…)` or the named form
// `input: { image: (…), text: (…) }`.
func (nb *netBuilder) inputSection(g *syntax.Generic) {
	if g.Extra != nil {
		nb.errorf(syntax.SpanOf(g.Extra.Pos, g.Extra.EndPos), "unexpected block after the input shape").
			WithHint("named inputs are written `input: { image: (224, 224, 3), text: (128,) }`")
	}
	if p := primaryOf(g.Value); p != nil && p.Dict != nil {
		seen := map[string]*syntax.Ident{}
		for _, e := range p.Dict.Entries {
			if e == nil || e.Key == nil {
				continue
			}
			if prev, dup := seen[e.Key.Name]; dup {
				nb.errorf(identSpan(e.Key), "duplicate input `%s`", e.Key.Name).WithRelated(identSpan(prev), "first defined here")
				continue
			}
			seen[e.Key.Name] = e.Key
			shape, ok := nb.inputShape(e.Value)
			if ok {
				nb.addInput(e.Key.Name, shape, identSpan(e.Key))
			}
		}
		if len(nb.net.Inputs) == 0 && len(p.Dict.Entries) == 0 {
			nb.errorf(identSpan(g.Name), "`input:` names no inputs")
		}
		return
	}
	if shape, ok := nb.inputShape(g.Value); ok {
		nb.addInput("input", shape, exprSpan(g.Value))
	}
}

func (nb *netBuilder) addInput(name string, shape ir.Shape, span diag.Span) {
	node := &ir.Node{ID: -1, Name: name, Type: "Input", Span: span}
	in := &ir.Input{Name: name, Shape: shape, Span: span, Node: node}
	nb.net.Inputs = append(nb.net.Inputs, in)
	nb.scope[name] = node
	nb.inputOf[node] = in
	nb.named[name] = namedNode{node: node, span: span}
}

// inputShape reads one shape. A leading None is the batch dimension and is
// dropped; any other None is a dimension of unknown size.
func (nb *netBuilder) inputShape(e *syntax.Expr) (ir.Shape, bool) {
	// Input shapes are fixed: HPO spellings stay plain calls and are
	// rejected below instead of becoming searched values.
	nb.plain = true
	defer func() { nb.plain = false }()
	span := exprSpan(e)
	p := primaryOf(e)
	var v ir.Value
	var ok bool
	switch {
	case p != nil && p.Call != nil && p.Call.Name != nil && strings.EqualFold(p.Call.Name.Name, "shape"):
		elems := make([]*syntax.Expr, 0, len(p.Call.Args))
		for _, a := range p.Call.Args {
			if a == nil {
				continue
			}
			if a.Name != nil {
				nb.errorf(argSpan(a), "shape(…) takes dimensions only")
				return nil, false
			}
			elems = append(elems, a.Value)
		}
		v, ok = nb.evalElems(ir.KTuple, elems, span, rootEnv)
	case p != nil && p.Paren != nil && len(p.Paren.Elems) == 1 && !p.Paren.TrailingComma:
		v, ok = nb.eval(e, rootEnv)
		if ok && v.Kind == ir.KInt {
			nb.warnf(span, "`(%d)` is the number %d, not a tuple; read as the shape (%d,)", v.Int, v.Int, v.Int).
				WithHint("write `(%d,)`: a one-element tuple needs a trailing comma", v.Int)
			v = ir.Value{Kind: ir.KTuple, Elems: []ir.Value{v}, Span: span}
		}
	default:
		v, ok = nb.eval(e, rootEnv)
		if ok && v.Kind == ir.KInt {
			nb.warnf(span, "the input shape should be a tuple; read as (%d,)", v.Int).
				WithHint("write `(%d,)`", v.Int)
			v = ir.Value{Kind: ir.KTuple, Elems: []ir.Value{v}, Span: span}
		}
		if ok && v.Kind == ir.KList {
			nb.warnf(span, "the input shape should be a tuple `(…)`, not a list").
				WithHint("write `(%s)`", strings.Trim(v.String(), "[]"))
		}
	}
	if !ok {
		return nil, false
	}
	if v.Kind != ir.KTuple && v.Kind != ir.KList {
		nb.errorf(span, "the input shape must be a tuple of dimensions, got %s", v.Describe()).
			WithHint("e.g. `input: (28, 28, 1)`, or named inputs `input: { image: (224, 224, 3) }`")
		return nil, false
	}
	var shape ir.Shape
	good := true
	for i, d := range v.Elems {
		switch {
		case d.Kind == ir.KNone && i == 0:
			// the batch dimension
		case d.Kind == ir.KNone:
			shape = append(shape, ir.Unknown)
		case d.Kind == ir.KInt && d.Int >= 1 && d.Int <= 1<<31:
			shape = append(shape, int(d.Int))
		case d.Kind == ir.KCall && isHPOName(d.Call.Name):
			nb.errorf(d.Span, "input dimensions cannot be searched with HPO")
			good = false
		default:
			nb.errorf(d.Span, "input dimensions must be positive integers or None, got %s", d.Describe())
			good = false
		}
	}
	if !good {
		return nil, false
	}
	if len(shape) == 0 {
		nb.errorf(span, "the input shape has no dimensions besides the batch").
			WithHint("e.g. `input: (None, 784)` or `input: (784,)`")
		return nil, false
	}
	return shape, true
}
