package shape

import (
	"fmt"
	"strings"
	"testing"

	"github.com/rules-neural/rules_neural/generator/diag"
	"github.com/rules-neural/rules_neural/generator/ir"
)

// P holds parameter overrides for a test layer, by schema name.
type P map[string]interface{}

// val converts a Go literal into an ir.Value the way sema binds it.
func val(t testing.TB, x interface{}) ir.Value {
	switch v := x.(type) {
	case ir.Value:
		return v
	case *ir.HPO:
		return ir.Value{Kind: ir.KHPO, HPO: v}
	case int:
		return ir.Value{Kind: ir.KInt, Int: int64(v)}
	case int64:
		return ir.Value{Kind: ir.KInt, Int: v}
	case float64:
		return ir.Value{Kind: ir.KFloat, Float: v}
	case string:
		return ir.Value{Kind: ir.KString, Str: v}
	case bool:
		return ir.Value{Kind: ir.KBool, Bool: v}
	case []int:
		out := ir.Value{Kind: ir.KTuple}
		for _, e := range v {
			out.Elems = append(out.Elems, ir.Value{Kind: ir.KInt, Int: int64(e)})
		}
		return out
	case [][]int:
		out := ir.Value{Kind: ir.KTuple}
		for _, e := range v {
			out.Elems = append(out.Elems, val(t, e))
		}
		return out
	}
	t.Fatalf("val: unsupported literal %#v", x)
	return ir.Value{}
}

// mk builds a node of layer typ as sema does: one Param per schema
// parameter in schema order, overrides from p, defaults otherwise, and
// TIntTuple ints widened to tuples of the layer's rank.
func mk(t testing.TB, typ string, p P) *ir.Node {
	t.Helper()
	spec := ir.LookupLayer(typ)
	if spec == nil {
		t.Fatalf("unknown layer %s", typ)
	}
	for name := range p {
		if spec.Param(name) == nil {
			t.Fatalf("%s has no parameter %s", typ, name)
		}
	}
	n := &ir.Node{Type: spec.Name, Spec: spec, Name: strings.ToLower(spec.Name)}
	for _, ps := range spec.Params {
		v, explicit := ps.Default, false
		if raw, ok := p[ps.Name]; ok {
			v, explicit = val(t, raw), true
		}
		if ps.Type == ir.TIntTuple && ps.Rank > 1 && v.Kind == ir.KInt {
			w := ir.Value{Kind: ir.KTuple}
			for i := 0; i < ps.Rank; i++ {
				w.Elems = append(w.Elems, v)
			}
			v = w
		}
		n.Params = append(n.Params, ir.Param{Spec: ps, Value: v, Explicit: explicit})
	}
	return n
}

// wrap sets the wrapped layers of a TimeDistributed or Bidirectional node.
func wrap(n *ir.Node, inner ...*ir.Node) *ir.Node {
	n.Inner = inner
	return n
}

// graph builds a network by hand.
type graph struct {
	t   testing.TB
	net *ir.Network
}

func newGraph(t testing.TB, inputs ...ir.Shape) *graph {
	g := &graph{t: t, net: &ir.Network{Name: "Net", Span: span(0)}}
	for i, s := range inputs {
		name := "input"
		if len(inputs) > 1 {
			name = fmt.Sprintf("input_%d", i)
		}
		in := &ir.Input{Name: name, Shape: s, Span: span(1000 + i)}
		in.Node = &ir.Node{ID: -1, Name: name, Type: "Input", Span: in.Span}
		g.net.Inputs = append(g.net.Inputs, in)
	}
	return g
}

func span(line int) diag.Span {
	p := diag.Pos{File: "test.neural", Line: line + 1, Col: 1, Offset: line * 100}
	return diag.Span{Start: p, End: p}
}

func (g *graph) in(i int) *ir.Node { return g.net.Inputs[i].Node }

// add appends n consuming inputs and gives it a unique name and a span on
// its own line.
func (g *graph) add(n *ir.Node, inputs ...*ir.Node) *ir.Node {
	n.ID = len(g.net.Nodes)
	n.Name = fmt.Sprintf("%s_%d", strings.ToLower(n.Type), n.ID)
	n.Inputs = inputs
	n.Span = span(n.ID + 1)
	for j, w := range n.Inner {
		w.Span = span(500 + n.ID*4 + j)
		w.Name = fmt.Sprintf("%s_inner_%d", n.Name, j)
	}
	g.net.Nodes = append(g.net.Nodes, n)
	g.net.Output = n
	return n
}

// chain appends layers in sequence after from.
func (g *graph) chain(from *ir.Node, layers ...*ir.Node) *ir.Node {
	for _, l := range layers {
		from = g.add(l, from)
	}
	return from
}

func (g *graph) check() *diag.List {
	var d diag.List
	Check(g.net, &d)
	return &d
}

// seq checks a one-input sequential network.
func seq(t testing.TB, input ir.Shape, layers ...*ir.Node) (*ir.Network, *diag.List) {
	g := newGraph(t, input)
	g.chain(g.in(0), layers...)
	return g.net, g.check()
}

func sh(d ...int) ir.Shape { return ir.Shape(d) }

const none = ir.Unknown

func errorsOf(d *diag.List) []string {
	var out []string
	for _, x := range d.Items {
		out = append(out, x.Severity.String()+": "+x.Message)
	}
	return out
}

func totals(net *ir.Network) (tr, nt int64) {
	for _, n := range net.Nodes {
		tr += n.Trainable
		nt += n.NonTrainable
	}
	return tr, nt
}

// layerCase is one row of a per-family table: a layer on an input.
type layerCase struct {
	name  string
	in    ir.Shape
	layer *ir.Node
	out   ir.Shape
	tr    int64 // trainable parameters
	nt    int64 // non-trainable parameters
}

func runLayerCases(t *testing.T, cases []layerCase) {
	t.Helper()
	for _, tc := range cases {
		tc := tc
		t.Run(tc.name, func(t *testing.T) {
			net, d := seq(t, tc.in, tc.layer)
			if len(d.Items) != 0 {
				t.Fatalf("unexpected diagnostics: %q", errorsOf(d))
			}
			n := net.Nodes[0]
			if !sameShape(n.Shape, tc.out) {
				t.Errorf("shape %s, want %s", fmtShape(n.Shape), fmtShape(tc.out))
			}
			if n.Trainable != tc.tr || n.NonTrainable != tc.nt {
				t.Errorf("params %d + %d non-trainable, want %d + %d", n.Trainable, n.NonTrainable, tc.tr, tc.nt)
			}
		})
	}
}

// errorCase is a network expected to fail with one error matching msg
// (and hint, when set) at the node with index at.
type errorCase struct {
	name  string
	build func(t *testing.T) *graph
	at    int // node index whose span the error has; -1: any
	msg   string
	hint  string
}

func runErrorCases(t *testing.T, cases []errorCase) {
	t.Helper()
	for _, tc := range cases {
		tc := tc
		t.Run(tc.name, func(t *testing.T) {
			g := tc.build(t)
			d := g.check()
			var errs []*diag.Diagnostic
			for _, x := range d.Items {
				if x.Severity == diag.Error {
					errs = append(errs, x)
				}
			}
			if len(errs) != 1 {
				t.Fatalf("want exactly one error, got %q", errorsOf(d))
			}
			e := errs[0]
			if !strings.Contains(e.Message, tc.msg) {
				t.Errorf("message %q\nwant it to contain %q", e.Message, tc.msg)
			}
			if tc.hint != "" && !strings.Contains(e.Hint, tc.hint) {
				t.Errorf("hint %q\nwant it to contain %q", e.Hint, tc.hint)
			}
			if tc.at >= 0 && e.Span != g.net.Nodes[tc.at].Span {
				t.Errorf("error at %s, want node %d at %s", e.Span.Start, tc.at, g.net.Nodes[tc.at].Span.Start)
			}
		})
	}
}
