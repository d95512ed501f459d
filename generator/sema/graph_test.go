package sema

import (
	"strings"
	"testing"

	"github.com/rules-neural/rules_neural/generator/diag"

	"github.com/rules-neural/rules_neural/generator/ir"
)

// TestGraph checks the wiring of sequences, residuals, branches and merges,
// one node per line as `name Type <- inputs [role] {inner}`.
func TestGraph(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want string
	}{
		{
			name: "sequence with Keras auto names",
			src: `network N {
  input: (28, 28, 1)
  layers:
    Conv2D(32, 3, "relu")
    conv2d(64, 3)
    MaxPooling2D()
    Flatten()
    Dense(128, "relu")
    Dense(64)
    Output(10)
}`,
			want: `
conv2d Conv2D <- input
conv2d_1 Conv2D <- conv2d
max_pooling2d MaxPooling2D <- conv2d_1
flatten Flatten <- max_pooling2d
dense Dense <- flatten
dense_1 Dense <- dense
output Output <- dense_1`,
		},
		{
			name: "user names are kept and skipped by auto names",
			src: `network N {
  input: (8,)
  layers:
    Dense(4, name="dense")
    Dense(4)
    Dense(4, name="fc-1")
    BatchNormalization()
    SimpleRNN(4)
}`,
			want: `
dense Dense <- input
dense_1 Dense <- dense
fc_1 Dense <- dense_1
batch_normalization BatchNormalization <- fc_1
simple_rnn SimpleRNN <- batch_normalization`,
		},
		{
			name: "pre-norm transformer: implicit merges anchor at the block input, then at the previous merge",
			src: `network N {
  input: (16, 64)
  layers:
    LayerNormalization()
    MultiHeadAttention(num_heads=4)
    Add()
    LayerNormalization()
    Dense(256, "gelu")
    Dense(64)
    Add()
}`,
			want: `
layer_normalization LayerNormalization <- input
multi_head_attention MultiHeadAttention <- layer_normalization
add Add <- multi_head_attention, input [implicit-merge]
layer_normalization_1 LayerNormalization <- add
dense Dense <- layer_normalization_1
dense_1 Dense <- dense
add_1 Add <- dense_1, add [implicit-merge]`,
		},
		{
			name: "ResNet conv → bn → Add() in a macro anchors at the macro input",
			src: `define Block(f) {
  Conv2D($f, 3, padding="same")
  BatchNormalization()
  Activation("relu")
  Conv2D($f, 3, padding="same")
  BatchNormalization()
  Add()
  Activation("relu")
}
network N {
  input: (32, 32, 16)
  layers:
    Conv2D(16, 3, padding="same")
    Block(16)
    Block(16)
}`,
			want: `
conv2d Conv2D <- input
conv2d_1 Conv2D <- conv2d
batch_normalization BatchNormalization <- conv2d_1
activation Activation <- batch_normalization
conv2d_2 Conv2D <- activation
batch_normalization_1 BatchNormalization <- conv2d_2
add Add <- batch_normalization_1, conv2d [implicit-merge]
activation_1 Activation <- add
conv2d_3 Conv2D <- activation_1
batch_normalization_2 BatchNormalization <- conv2d_3
activation_2 Activation <- batch_normalization_2
conv2d_4 Conv2D <- activation_2
batch_normalization_3 BatchNormalization <- conv2d_4
add_1 Add <- batch_normalization_3, activation_1 [implicit-merge]
activation_3 Activation <- add_1`,
		},
		{
			name: "ResidualConnection adds the block input",
			src: `network N {
  input: (8, 8, 4)
  layers:
    ResidualConnection {
      Conv2D(4, 3, padding="same")
      BatchNormalization()
    }
    Flatten()
}`,
			want: `
conv2d Conv2D <- input
batch_normalization BatchNormalization <- conv2d
add Add <- batch_normalization, input [residual]
flatten Flatten <- add`,
		},
		{
			name: "shortcut block replaces the identity path",
			src: `network N {
  input: (8, 8, 4)
  layers:
    ResidualConnection(name="res1") {
      Conv2D(8, 3, strides=2, padding="same")
      BatchNormalization()
      shortcut: {
        Conv2D(8, 1, strides=2)
        BatchNormalization()
      }
    }
}`,
			want: `
conv2d Conv2D <- input
batch_normalization BatchNormalization <- conv2d
conv2d_1 Conv2D <- input
batch_normalization_1 BatchNormalization <- conv2d_1
res1 Add <- batch_normalization, batch_normalization_1 [residual]`,
		},
		{
			name: "merge=concat concatenates",
			src: `network N {
  input: (10,)
  layers:
    ResidualConnection(merge="concat") { Dense(10) }
}`,
			want: `
dense Dense <- input
concatenate Concatenate <- dense, input [residual]`,
		},
		{
			name: "implicit merge inside a ResidualConnection uses its own anchor",
			src: `network N {
  input: (10,)
  layers:
    Dense(10)
    ResidualConnection {
      Dense(10)
      Add()
      Dense(10)
    }
}`,
			want: `
dense Dense <- input
dense_1 Dense <- dense
add Add <- dense_1, dense [implicit-merge]
dense_2 Dense <- add
add_1 Add <- dense_2, dense [residual]`,
		},
		{
			name: "Sequential is inlined and anchors implicit merges",
			src: `network N {
  input: (10,)
  layers:
    Dense(10)
    Sequential {
      Dense(10)
      Add()
    }
    Add()
}`,
			want: `
dense Dense <- input
dense_1 Dense <- dense
add Add <- dense_1, dense [implicit-merge]
add_1 Add <- add, input [implicit-merge]`,
		},
		{
			name: "named inputs: branches merged in declaration order",
			src: `network N {
  input: { image: (32, 32, 3), meta: (4,) }
  layers:
    image: {
      Conv2D(8, 3)
      Flatten()
    }
    meta: { Dense(8) }
    Concatenate()
    Output(2)
}`,
			want: `
conv2d Conv2D <- image
flatten Flatten <- conv2d
dense Dense <- meta
concatenate Concatenate <- flatten, dense [branch-merge]
output Output <- concatenate`,
		},
		{
			name: "inputs= names inputs, branches and named layers",
			src: `network N {
  input: { a: (4,), b: (4,) }
  layers:
    a: { Dense(4, name="enc") }
    Dense(4, inputs=[b])
    Add(inputs=[a, b])
    Concatenate(inputs=[enc, a])
}`,
			want: `
enc Dense <- a
dense Dense <- b
add Add <- enc, b
concatenate Concatenate <- enc, enc`,
		},
		{
			name: "a branch over an input continues from its earlier branch",
			src: `network N {
  input: { a: (4,), b: (4,) }
  layers:
    a: { Dense(4) }
    b: { Dense(4) }
    a: { Dense(2) }
    Add()
}`,
			want: `
dense Dense <- a
dense_1 Dense <- b
dense_2 Dense <- dense
add Add <- dense_2, dense_1 [branch-merge]`,
		},
		{
			name: "TimeDistributed and Bidirectional wrap their layers",
			src: `network N {
  input: (10, 8, 8, 1)
  layers:
    TimeDistributed(Conv2D(4, 3))
    TimeDistributed {
      Flatten()
      Dense(16)
    }
    Bidirectional(LSTM(32, return_sequences=true))
    Bidirectional { GRU(8) }
}`,
			want: `
time_distributed TimeDistributed <- input {conv2d Conv2D}
time_distributed_1 TimeDistributed <- time_distributed {flatten Flatten; dense Dense}
bidirectional Bidirectional <- time_distributed_1 {lstm LSTM}
bidirectional_1 Bidirectional <- bidirectional {gru GRU}`,
		},
		{
			name: "cross-attention and decoder memory take two inputs",
			src: `network N {
  input: { q: (8, 16), ctx: (12, 16) }
  layers:
    q: { Dense(16) }
    MultiHeadAttention(2, 8, mode="cross", inputs=[q, ctx])
    TransformerDecoder(2, 32, inputs=[q, ctx])
}`,
			want: `
dense Dense <- q
multi_head_attention MultiHeadAttention <- dense, ctx
transformer_decoder TransformerDecoder <- dense, ctx`,
		},
		{
			name: "a macro or Sequential that starts with a merge merges the branches before it",
			src: `define Fuse { Concatenate() Dense(8) }
network N {
  input: { a: (4,), b: (4,) }
  layers:
    a: { Dense(4) }
    b: { Dense(4) }
    Fuse
    a: { Dense(2) }
    b: { Dense(2) }
    Sequential { Add() }
}`,
			want: `
dense Dense <- a
dense_1 Dense <- b
concatenate Concatenate <- dense, dense_1 [branch-merge]
dense_2 Dense <- concatenate
dense_3 Dense <- dense
dense_4 Dense <- dense_1
add Add <- dense_3, dense_4 [branch-merge]`,
		},
		{
			name: "placement on a container applies to its layers",
			src: `network N {
  input: (4,)
  layers:
    ResidualConnection @ "cuda:1" { Dense(4) Dense(4) @ "cpu" }
}`,
			want: `
dense Dense <- input @cuda:1
dense_1 Dense <- dense @cpu
add Add <- dense_1, input [residual] @cuda:1`,
		},
		{
			name: "repeats are independent layers",
			src: `network N {
  input: (8,)
  layers:
    Dense(4) * 3
    ResidualConnection { Dense(4) } * 2
}`,
			want: `
dense Dense <- input
dense_1 Dense <- dense
dense_2 Dense <- dense_1
dense_3 Dense <- dense_2
add Add <- dense_3, dense_2 [residual]
dense_4 Dense <- add
add_1 Add <- dense_4, add [residual]`,
		},
	}
	for _, tc := range tests {
		tc := tc
		t.Run(tc.name, func(t *testing.T) {
			m := buildOK(t, tc.src)
			if len(m.Networks) != 1 {
				t.Fatalf("got %d networks", len(m.Networks))
			}
			got := strings.TrimSpace(graphWithDevices(m.Networks[0]))
			want := strings.TrimSpace(tc.want)
			if got != want {
				t.Errorf("graph:\n%s\nwant:\n%s", got, want)
			}
			checkTopo(t, m.Networks[0])
		})
	}
}

// checkTopo verifies IDs and that every input of a node comes before it.
func checkTopo(t *testing.T, n *ir.Network) {
	t.Helper()
	pos := map[*ir.Node]int{}
	for _, in := range n.Inputs {
		pos[in.Node] = -1
	}
	for i, nd := range n.Nodes {
		if nd.ID != i {
			t.Errorf("node %s has ID %d at index %d", nd.Name, nd.ID, i)
		}
		if len(nd.Params) != len(nd.Spec.Params) {
			t.Errorf("node %s has %d params, schema has %d", nd.Name, len(nd.Params), len(nd.Spec.Params))
		}
		for _, in := range nd.Inputs {
			if p, ok := pos[in]; !ok || p >= i {
				t.Errorf("node %s consumes %s which does not come before it", nd.Name, in.Name)
			}
		}
		pos[nd] = i
	}
	if n.Output != nil && n.Output != n.Nodes[len(n.Nodes)-1] {
		t.Logf("output %s is not the last node", n.Output.Name)
	}
}

func TestNetworkBasics(t *testing.T) {
	m := buildOK(t, `
network A {
  input: (None, 28, None, 1)
  layers:
    Conv2D(8, 3) @ "CUDA:0"
    Flatten()
    Output(10)
}
network B {
  input: (100,)
  layers:
    Embedding(1000, 16)
    LSTM(8)
}
research R { metrics { accuracy: 0.95 } references { paper: "x" } }
`)
	if len(m.Networks) != 2 || m.Networks[0].Name != "A" || m.Networks[1].Name != "B" {
		t.Fatalf("networks not in file order: %+v", m.Networks)
	}
	a := m.Networks[0]
	if got := a.Inputs[0].Shape; len(got) != 3 || got[0] != 28 || got[1] != ir.Unknown || got[2] != 1 {
		t.Errorf("input shape = %v, want [28 -1 1]", got)
	}
	if a.Inputs[0].Name != "input" || a.Inputs[0].Tokens {
		t.Errorf("input = %+v", a.Inputs[0])
	}
	if a.Nodes[0].Device != "cuda:0" {
		t.Errorf("device = %q", a.Nodes[0].Device)
	}
	if a.Output != a.Nodes[2] {
		t.Errorf("output = %v", a.Output)
	}
	if !m.Networks[1].Inputs[0].Tokens {
		t.Errorf("input feeding an Embedding is not marked as tokens")
	}
	if len(m.Research) != 1 || m.Research[0].Name != "R" || len(m.Research[0].Entries) != 2 ||
		m.Research[0].Entries[0].Value.Kind != ir.KDict {
		t.Errorf("research = %+v", m.Research)
	}
}

func TestInputForms(t *testing.T) {
	tests := []struct {
		input string
		want  string
		warn  string
	}{
		{"(28, 28, 1)", "[28 28 1]", ""},
		{"(None, 784)", "[784]", ""},
		{"(1024,)", "[1024]", ""},
		{"(3)", "[3]", "write `(3,)`"},
		{"shape(1, 28, 28)", "[1 28 28]", ""},
		{"(None, None, 8)", "[-1 8]", ""},
	}
	for _, tc := range tests {
		src := "network N {\n input: " + tc.input + "\n layers: Flatten()\n}"
		m, d := build(t, src)
		if d.HasErrors() {
			t.Errorf("%s: %s", tc.input, render(d, src))
			continue
		}
		if got := shapeString(m.Networks[0].Inputs[0].Shape); got != tc.want {
			t.Errorf("%s: shape %s, want %s", tc.input, got, tc.want)
		}
		if tc.warn != "" && !strings.Contains(render(d, src), tc.warn) {
			t.Errorf("%s: missing warning %q:\n%s", tc.input, tc.warn, render(d, src))
		}
	}
}

func shapeString(s ir.Shape) string {
	parts := make([]string, len(s))
	for i, d := range s {
		parts[i] = itoa(d)
	}
	return "[" + strings.Join(parts, " ") + "]"
}

func itoa(i int) string {
	if i < 0 {
		return "-" + itoa(-i)
	}
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}

func TestExpansionRecorded(t *testing.T) {
	m := buildOK(t, `define Inner { Dense(4) }
define Outer { Inner() }
network N {
  input: (4,)
  layers:
    Outer()
}`)
	n := m.Networks[0].Nodes[0]
	if len(n.Expansion) != 2 {
		t.Fatalf("expansion = %+v", n.Expansion)
	}
	if !strings.Contains(n.Expansion[0].Message, "in expansion of Inner at t.neural:2:16") ||
		!strings.Contains(n.Expansion[1].Message, "in expansion of Outer at t.neural:6:5") {
		t.Errorf("expansion chain (innermost first) = %+v", n.Expansion)
	}
}

func graphWithDevices(n *ir.Network) string {
	lines := strings.Split(strings.TrimRight(graph(n), "\n"), "\n")
	for i, nd := range n.Nodes {
		if nd.Device != "" {
			lines[i] += " @" + nd.Device
		}
	}
	return strings.Join(lines, "\n")
}

// Users of the old tool wrote a token model's input as its embedded shape;
// (T, F) before Embedding(output_dim=F) is read as (T,) with a warning, and
// any other rank-2 input is left for shape inference to reject.
func TestEmbeddedInputShapeCompat(t *testing.T) {
	m, ds := build(t, `network A { input: (100, 300) layers: Embedding(10000, 300) LSTM(8) }
network B { input: (100, 64) layers: Embedding(10000, 300) LSTM(8) }`)
	if ds.HasErrors() {
		t.Fatalf("errors: %v", ds)
	}
	if got := m.Networks[0].Inputs[0].Shape; len(got) != 1 || got[0] != 100 {
		t.Errorf("A input = %v, want [100]", got)
	}
	if got := m.Networks[1].Inputs[0].Shape; len(got) != 2 {
		t.Errorf("B input = %v, want it unchanged", got)
	}
	warned := 0
	for _, d := range ds.Items {
		if d.Severity == diag.Warning && strings.Contains(d.Message, "shape after embedding") {
			warned++
			if d.Span.Start.Line != 1 {
				t.Errorf("warning at %s, want line 1", d.Span.Start)
			}
		}
	}
	if warned != 1 {
		t.Errorf("want exactly one warning, got %v", ds.Items)
	}
}
