package graph

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rules-neural/rules_neural/generator/internal/golden"
	"github.com/rules-neural/rules_neural/generator/ir"
)

// The networks are built by hand so that the golden files test drawing
// only, independent of sema and shape inference.

func input(name string, shape ir.Shape) *ir.Input {
	return &ir.Input{Name: name, Shape: shape, Node: &ir.Node{ID: -1, Name: name, Type: "Input", Shape: shape}}
}

func node(name, typ string, shape ir.Shape, inputs ...*ir.Node) *ir.Node {
	return &ir.Node{Name: name, Type: typ, Shape: shape, Inputs: inputs}
}

func network(name string, inputs []*ir.Input, nodes ...*ir.Node) *ir.Network {
	for i, n := range nodes {
		n.ID = i
	}
	return &ir.Network{Name: name, Inputs: inputs, Nodes: nodes, Output: nodes[len(nodes)-1]}
}

func mnist() *ir.Network {
	in := input("input", ir.Shape{28, 28, 1})
	conv := node("conv2d", "Conv2D", ir.Shape{26, 26, 32}, in.Node)
	pool := node("max_pooling2d", "MaxPooling2D", ir.Shape{13, 13, 32}, conv)
	flat := node("flatten", "Flatten", ir.Shape{5408}, pool)
	dense := node("dense", "Dense", ir.Shape{128}, flat)
	drop := node("dropout", "Dropout", ir.Shape{128}, dense)
	out := node("output", "Output", ir.Shape{10}, drop)
	return network("MNIST", []*ir.Input{in}, conv, pool, flat, dense, drop, out)
}

// multimodal has two named inputs, branches, a merge, a residual add and
// wrappers with inner layers (one of them nested).
func multimodal() *ir.Network {
	img := input("image", ir.Shape{32, 32, 3})
	txt := input("text", ir.Shape{ir.Unknown})
	conv := node("conv", "Conv2D", ir.Shape{32, 32, 16}, img.Node)
	gap := node("gap", "GlobalAveragePooling2D", ir.Shape{16}, conv)
	emb := node("embedding", "Embedding", ir.Shape{ir.Unknown, 16}, txt.Node)
	td := node("time_distributed", "TimeDistributed", ir.Shape{ir.Unknown, 16}, emb)
	td.Inner = []*ir.Node{
		{Name: "td_dense", Type: "Dense"},
		{Name: "td_seq", Type: "Sequential", Inner: []*ir.Node{{Name: "td_dropout", Type: "Dropout"}}},
	}
	bi := node("bidirectional", "Bidirectional", ir.Shape{16}, td)
	bi.Inner = []*ir.Node{{Name: "lstm", Type: "LSTM"}}
	cat := node("concatenate", "Concatenate", ir.Shape{32}, gap, bi)
	dense := node("dense", "Dense", ir.Shape{32}, cat)
	add := node("add", "Add", ir.Shape{32}, dense, cat)
	add.Role = "implicit-merge"
	out := node("output", "Output", ir.Shape{2}, add)
	return network("Multi\"Modal", []*ir.Input{img, txt}, conv, gap, emb, td, bi, cat, dense, add, out)
}

func TestGolden(t *testing.T) {
	cases := []struct {
		name  string
		model *ir.Model
	}{
		{"mnist", &ir.Model{Networks: []*ir.Network{mnist()}}},
		{"multimodal", &ir.Model{Networks: []*ir.Network{multimodal()}}},
		{"two_networks", &ir.Model{Networks: []*ir.Network{mnist(), multimodal()}}},
	}
	for _, tc := range cases {
		for _, f := range []struct {
			format Format
			ext    string
		}{{DOT, ".dot"}, {Mermaid, ".mmd"}} {
			var b bytes.Buffer
			if err := Write(&b, tc.model, f.format); err != nil {
				t.Fatal(err)
			}
			golden.Check(t, filepath.Join("testdata", tc.name+f.ext), b.Bytes())
			// Rendering twice gives the same bytes.
			var again bytes.Buffer
			_ = Write(&again, tc.model, f.format)
			if !bytes.Equal(b.Bytes(), again.Bytes()) {
				t.Errorf("%s%s: rendering is not deterministic", tc.name, f.ext)
			}
		}
	}
}

func TestEdgesFollowInputs(t *testing.T) {
	out := string(RenderDOT(&ir.Model{Networks: []*ir.Network{multimodal()}}))
	for _, e := range []string{"n0_1 -> n0_5;", "n0_4 -> n0_5;", "n0_6 -> n0_7;", "n0_5 -> n0_7;", "n0_in1 -> n0_2;"} {
		if !strings.Contains(out, e) {
			t.Errorf("missing edge %q in\n%s", e, out)
		}
	}
	if !strings.Contains(out, `bidirectional: Bidirectional\n↳ lstm: LSTM\n(None, 16)`) {
		t.Errorf("wrapper label lacks its inner layer:\n%s", out)
	}
	if !strings.Contains(out, `digraph "Multi\"Modal"`) {
		t.Errorf("network name not escaped:\n%s", out)
	}
}

func TestParseFormat(t *testing.T) {
	for _, s := range []string{"dot", "mermaid"} {
		if f, ok := ParseFormat(s); !ok || string(f) != s {
			t.Errorf("ParseFormat(%q) = %q, %v", s, f, ok)
		}
	}
	if _, ok := ParseFormat("svg"); ok {
		t.Error("ParseFormat accepted svg")
	}
	if err := Write(&bytes.Buffer{}, &ir.Model{}, "svg"); err == nil {
		t.Error("Write accepted an unknown format")
	}
}
