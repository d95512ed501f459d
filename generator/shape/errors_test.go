package shape

import (
	"strings"
	"testing"

	"github.com/rules-neural/rules_neural/generator/diag"
	"github.com/rules-neural/rules_neural/generator/ir"
)

// chainCase builds a one-input sequential network.
func chainCase(input ir.Shape, layers ...func(t *testing.T) *ir.Node) func(t *testing.T) *graph {
	return func(t *testing.T) *graph {
		g := newGraph(t, input)
		from := g.in(0)
		for _, l := range layers {
			from = g.add(l(t), from)
		}
		return g
	}
}

func L(typ string, p P) func(t *testing.T) *ir.Node {
	return func(t *testing.T) *ir.Node { return mk(t, typ, p) }
}

func mergeCase(typ string, p P, ins ...ir.Shape) func(t *testing.T) *graph {
	return func(t *testing.T) *graph {
		g := newGraph(t, ins...)
		var nodes []*ir.Node
		for i := range ins {
			nodes = append(nodes, g.in(i))
		}
		g.add(mk(t, typ, p), nodes...)
		return g
	}
}

func TestErrors(t *testing.T) {
	runErrorCases(t, []errorCase{
		{"conv after flatten", chainCase(sh(28, 28, 1), L("Conv2D", P{"filters": 8, "kernel_size": 3}), L("Flatten", nil), L("Dense", P{"units": 128}), L("Conv2D", P{"filters": 8, "kernel_size": 3})),
			3, "Conv2D needs (height, width, channels) but receives (128); `flatten_1` (Flatten) earlier removed the spatial dimensions", "move `Flatten`"},
		{"pool after global pooling", chainCase(sh(28, 28, 1), L("GlobalAveragePooling2D", nil), L("MaxPooling2D", nil)),
			1, "MaxPooling2D needs (height, width, channels) but receives (1); `globalaveragepooling2d_0` (GlobalAveragePooling2D) earlier removed the spatial dimensions", ""},
		{"conv on vector input", chainCase(sh(784), L("Conv2D", P{"filters": 8, "kernel_size": 3})),
			0, "Conv2D needs (height, width, channels) but receives (784)", "declare the input as (height, width, channels)"},
		{"conv1d rank", chainCase(sh(28, 28, 1), L("Conv1D", P{"filters": 8, "kernel_size": 3})),
			0, "Conv1D needs (steps, channels) but receives (28, 28, 1)", ""},
		{"conv3d rank", chainCase(sh(28, 28, 1), L("Conv3D", P{"filters": 8, "kernel_size": 3})),
			0, "Conv3D needs (depth, height, width, channels) but receives (28, 28, 1)", ""},
		{"lstm after lstm", chainCase(sh(10, 8), L("LSTM", P{"units": 16}), L("LSTM", P{"units": 16})),
			1, "LSTM needs (timesteps, features) but receives (16); `lstm_0` (LSTM) earlier removed the time dimension", "set `return_sequences=true` on `lstm_0`"},
		{"dense on image then repeat", chainCase(sh(8, 8, 3), L("Conv2D", P{"filters": 4, "kernel_size": 3}), L("Dense", P{"units": 16}), L("RepeatVector", P{"n": 3})),
			2, "RepeatVector needs a vector (features) but receives (6, 6, 16)", "insert `Flatten()` before `Dense`"},
		{"dense on image then concat with vector", func(t *testing.T) *graph {
			g := newGraph(t, sh(8, 8, 3), sh(10))
			x := g.chain(g.in(0), mk(t, "Conv2D", P{"filters": 4, "kernel_size": 3}), mk(t, "Dense", P{"units": 10}))
			g.add(mk(t, "Concatenate", nil), x, g.in(1))
			return g
		}, 2, "Concatenate along axis -1 needs the other dimensions to match but receives (6, 6, 10) from `dense_1` (Dense) and (10) from input `input_1`", "insert `Flatten()` before `Dense`"},
		{"dense on image then lstm", chainCase(sh(8, 8, 3), L("Dense", P{"units": 16}), L("LSTM", P{"units": 3})),
			1, "LSTM needs (timesteps, features) but receives (8, 8, 16)", ""},
		{"kernel too large", chainCase(sh(3, 3, 16), L("Conv2D", P{"filters": 8, "kernel_size": 5})),
			0, "Conv2D kernel 5 is larger than the input 3 along the height of (3, 3, 16)", `padding="same"`},
		{"dilated kernel too large", chainCase(sh(10, 4), L("Conv1D", P{"filters": 8, "kernel_size": 3, "dilation_rate": 5})),
			0, "Conv1D dilated kernel 11 (kernel_size 3, dilation_rate 5) is larger than the input 10 along the steps of (10, 4)", ""},
		{"pool too large", chainCase(sh(1, 1, 64), L("MaxPooling2D", nil)),
			0, "MaxPooling2D pool size 2 is larger than the input 1 along the height of (1, 1, 64)", ""},
		{"groups", chainCase(sh(8, 8, 6), L("Conv2D", P{"filters": 8, "kernel_size": 3, "groups": 4})),
			0, "Conv2D groups=4 must divide both the input channels (6) and filters (8)", ""},
		{"unknown channels", chainCase(sh(8, 8, none), L("Conv2D", P{"filters": 8, "kernel_size": 3})),
			0, "Conv2D needs a known number of input channels but receives (8, 8, None)", ""},
		{"transpose output_padding", chainCase(sh(8, 8, 3), L("Conv2DTranspose", P{"filters": 8, "kernel_size": 3, "strides": 2, "output_padding": 2})),
			0, "Conv2DTranspose `output_padding` 2 must be smaller than `strides` 2", ""},
		{"transpose zero output", chainCase(sh(1, 1, 3), L("Conv2DTranspose", P{"filters": 8, "kernel_size": 2, "padding": "same", "output_padding": 0})),
			0, "Conv2DTranspose would produce the output shape (0, 0, 8): every dimension must be positive", ""},
		{"flatten unknown", chainCase(sh(none, 64), L("Flatten", nil)),
			0, "Flatten cannot flatten (None, 64): dimension 1 is unknown (None)", "global pooling"},
		{"reshape count", chainCase(sh(28, 28), L("Reshape", P{"target_shape": []int{30, 30}})),
			0, "Reshape cannot turn (28, 28) (784 elements) into (30, 30) (900 elements)", ""},
		{"reshape infer", chainCase(sh(10), L("Reshape", P{"target_shape": []int{-1, 3}})),
			0, "Reshape cannot turn (10) (10 elements) into (-1, 3): 10 is not a multiple of 3", ""},
		{"reshape two -1", chainCase(sh(12), L("Reshape", P{"target_shape": []int{-1, -1}})),
			0, "may contain only one -1", ""},
		{"permute", chainCase(sh(2, 3), L("Permute", P{"dims": []int{1, 1}})),
			0, "Permute `dims` (1, 1) must be a permutation of 1…2 for the input (2, 3)", ""},
		{"permute rank", chainCase(sh(2, 3), L("Permute", P{"dims": []int{2, 1, 3}})),
			0, "must be a permutation of 1…2", ""},
		{"repeat vector rank", chainCase(sh(2, 3), L("RepeatVector", P{"n": 2})),
			0, "RepeatVector needs a vector (features) but receives (2, 3)", ""},
		{"cropping too much", chainCase(sh(6, 6, 3), L("Cropping2D", P{"cropping": 3})),
			0, "Cropping2D removes 3+3 from the height of size 6 in (6, 6, 3), leaving nothing", ""},
		{"groupnorm groups", chainCase(sh(8, 8, 48), L("GroupNormalization", nil)),
			0, "GroupNormalization groups=32 must divide the 48 channels of (8, 8, 48)", ""},
		{"batchnorm batch axis", chainCase(sh(8, 4), L("BatchNormalization", P{"axis": 0})),
			0, "BatchNormalization cannot use axis 0, the batch axis", ""},
		{"batchnorm axis range", chainCase(sh(8, 4), L("BatchNormalization", P{"axis": 3})),
			0, "BatchNormalization axis 3 is out of range for the input (8, 4)", ""},
		{"embedding after dense", chainCase(sh(10), L("Dense", P{"units": 16}), L("Embedding", P{"input_dim": 100, "output_dim": 8})),
			1, "Embedding expects integer token indices (T,) but receives float features (16) from `dense_0` (Dense)", "Dense(8)"},
		{"embedding after embedding", chainCase(sh(10), L("Embedding", P{"input_dim": 100, "output_dim": 8}), L("Embedding", P{"input_dim": 100, "output_dim": 8})),
			1, "Embedding expects integer token indices (T,) but receives float features (10, 8) from `embedding_0` (Embedding)", ""},
		{"embedding rank", chainCase(sh(10, 2), L("Embedding", P{"input_dim": 100, "output_dim": 8})),
			0, "Embedding expects integer token indices (T,) but receives (10, 2)", ""},
		{"positional max_len", chainCase(sh(600, 64), L("PositionalEncoding", P{"max_len": 512})),
			0, "PositionalEncoding max_len=512 is shorter than the sequence length 600 of (600, 64)", "at least 600"},
		{"mha key_dim", chainCase(sh(10, 100), L("MultiHeadAttention", P{"num_heads": 8})),
			0, "MultiHeadAttention key_dim defaults to F / num_heads, but F = 100 is not divisible by num_heads = 8", "set `key_dim`"},
		{"encoder heads", chainCase(sh(10, 100), L("TransformerEncoder", P{"num_heads": 3, "ff_dim": 64})),
			0, "TransformerEncoder needs the feature size 100 to be divisible by num_heads = 3", ""},
		{"recurrent rank", chainCase(sh(28, 28, 1), L("GRU", P{"units": 4})),
			0, "GRU needs (timesteps, features) but receives (28, 28, 1)", ""},
		{"add mismatch", mergeCase("Add", nil, sh(26, 26, 32), sh(13, 13, 64)),
			0, "Add needs inputs of the same shape (or size-1 dimensions that broadcast) but receives (26, 26, 32) from input `input_0` and (13, 13, 64) from input `input_1`", ""},
		{"add rank mismatch", mergeCase("Add", nil, sh(4, 4), sh(4)),
			0, "Add needs inputs of the same shape", ""},
		{"subtract three", mergeCase("Subtract", nil, sh(4), sh(4), sh(4)),
			0, "Subtract takes exactly two inputs but receives 3", ""},
		{"add one", mergeCase("Add", nil, sh(4)),
			0, "Add merges at least two inputs but receives 1", ""},
		{"concat mismatch", mergeCase("Concatenate", nil, sh(10, 4), sh(9, 4)),
			0, "Concatenate along axis -1 needs the other dimensions to match but receives (10, 4) from input `input_0` and (9, 4) from input `input_1`", ""},
		{"concat axis", mergeCase("Concatenate", P{"axis": 3}, sh(10, 4), sh(10, 4)),
			0, "Concatenate axis 3 is out of range for the input (10, 4) (valid: -2…-1 or 1…2)", ""},
		{"dense two inputs", mergeCase("Dense", P{"units": 3}, sh(4), sh(4)),
			0, "Dense takes one input but receives 2", ""},
		{"bidirectional dense", func(t *testing.T) *graph {
			g := newGraph(t, sh(10, 4))
			g.add(wrap(mk(t, "Bidirectional", nil), mk(t, "Dense", P{"units": 3})), g.in(0))
			return g
		}, 0, "Bidirectional wraps a recurrent layer (SimpleRNN, LSTM or GRU), not Dense", ""},
		{"upsampling overflow", chainCase(sh(1<<30, 1), L("UpSampling1D", P{"size": 1 << 20})),
			0, "dimension overflows", ""},
		{"flatten overflow", chainCase(sh(1<<30, 1<<30, 1<<30), L("Flatten", nil)),
			0, "dimension overflows", ""},
		{"params overflow", chainCase(sh(1<<40), L("Dense", P{"units": 1 << 40})),
			0, "parameter count overflows", ""},
		{"huge units", chainCase(sh(4), L("Dense", P{"units": int64(1) << 62})),
			0, "dimension overflows", ""},
	})
}

func TestOutputNeedsVector(t *testing.T) {
	g := newGraph(t, sh(28, 28, 1))
	from := g.chain(g.in(0), mk(t, "Conv2D", P{"filters": 8, "kernel_size": 3}), mk(t, "MaxPooling2D", nil))
	dense := g.add(mk(t, "Dense", P{"units": 128, "activation": "relu"}), from)
	out := g.add(mk(t, "Output", P{"units": 10}), dense)
	g.net.Loss = &ir.Loss{Name: "sparse_categorical_crossentropy"}
	d := g.check()
	if len(d.Items) != 1 {
		t.Fatalf("want one error, got %q", errorsOf(d))
	}
	e := d.Items[0]
	if want := "the model output is (13, 13, 10), but sparse_categorical_crossentropy needs one vector of class scores per example"; e.Message != want {
		t.Errorf("message %q", e.Message)
	}
	if e.Hint != "insert `Flatten()` before `Dense`" || e.Span != out.Span {
		t.Errorf("hint %q at %s", e.Hint, e.Span.Start)
	}
	if len(e.Related) != 1 || e.Related[0].Span != dense.Span || !strings.Contains(e.Related[0].Message, "receives (13, 13, 8)") {
		t.Errorf("related %+v", e.Related)
	}

	// A segmentation head (a convolution) is left alone.
	g = newGraph(t, sh(28, 28, 1))
	g.chain(g.in(0), mk(t, "Conv2D", P{"filters": 3, "kernel_size": 1, "activation": "softmax"}))
	g.net.Loss = &ir.Loss{Name: "sparse_categorical_crossentropy"}
	if d := g.check(); len(d.Items) != 0 {
		t.Errorf("segmentation output: %q", errorsOf(d))
	}
}

func TestResidualHint(t *testing.T) {
	g := newGraph(t, sh(56, 56, 64))
	x := g.in(0)
	y := g.chain(x, mk(t, "Conv2D", P{"filters": 128, "kernel_size": 3, "strides": 2, "padding": "same"}))
	add := mk(t, "Add", nil)
	add.Role = "residual"
	g.add(add, y, x)
	d := g.check()
	if len(d.Items) != 1 {
		t.Fatalf("%q", errorsOf(d))
	}
	if want := "e.g. `shortcut: { Conv2D(128, 1, strides=2) }`"; !strings.Contains(d.Items[0].Hint, want) {
		t.Errorf("hint %q, want %q", d.Items[0].Hint, want)
	}
}

func TestNoCascade(t *testing.T) {
	// One mistake early: one error, later layers are skipped and unknown.
	net, d := seq(t, sh(3, 3, 1),
		mk(t, "Conv2D", P{"filters": 8, "kernel_size": 5}),
		mk(t, "Flatten", nil),
		mk(t, "Dense", P{"units": 10}),
		mk(t, "RepeatVector", P{"n": 2}),
	)
	if d.ErrorCount() != 1 {
		t.Fatalf("want one error, got %q", errorsOf(d))
	}
	for _, n := range net.Nodes {
		if n.Shape != nil || n.Trainable != 0 {
			t.Errorf("%s: shape %v params %d after an earlier error", n.Name, n.Shape, n.Trainable)
		}
	}
	// Independent mistakes are all reported.
	g := newGraph(t, sh(3, 3, 1), sh(4))
	g.add(mk(t, "Conv2D", P{"filters": 8, "kernel_size": 5}), g.in(0))
	g.add(mk(t, "RepeatVector", P{"n": 2}), g.in(1))
	g.add(mk(t, "LSTM", P{"units": 2}), g.in(1))
	if d := g.check(); d.ErrorCount() != 2 {
		t.Errorf("want two errors, got %q", errorsOf(d))
	}
}

func TestExpansionNotes(t *testing.T) {
	g := newGraph(t, sh(3, 3, 1))
	conv := mk(t, "Conv2D", P{"filters": 8, "kernel_size": 5})
	g.add(conv, g.in(0))
	conv.Expansion = []diag.Related{{Span: span(90), Message: "in expansion of ConvBlock at test.neural:91:1"}}
	d := g.check()
	if len(d.Items) != 1 {
		t.Fatalf("%q", errorsOf(d))
	}
	e := d.Items[0]
	if e.Span != conv.Span || len(e.Related) != 1 || e.Related[0].Message != "in expansion of ConvBlock at test.neural:91:1" {
		t.Errorf("span %s related %+v", e.Span.Start, e.Related)
	}
}

func TestWrappedLayerErrorAtItsSpan(t *testing.T) {
	g := newGraph(t, sh(5, 3, 3, 1))
	inner := mk(t, "Conv2D", P{"filters": 8, "kernel_size": 5})
	td := g.add(wrap(mk(t, "TimeDistributed", nil), inner), g.in(0))
	td.Expansion = []diag.Related{{Span: span(90), Message: "in expansion of M"}}
	d := g.check()
	if len(d.Items) != 1 {
		t.Fatalf("%q", errorsOf(d))
	}
	e := d.Items[0]
	if e.Span != inner.Span || !strings.Contains(e.Message, "kernel 5 is larger than the input 3") {
		t.Errorf("%s: %s", e.Span.Start, e.Message)
	}
	if len(e.Related) != 1 || e.Related[0].Message != "in expansion of M" {
		t.Errorf("related %+v", e.Related)
	}
	if td.Shape != nil || inner.Shape != nil {
		t.Errorf("failed wrapper keeps shapes %v %v", td.Shape, inner.Shape)
	}
}

func TestBadInputsAndGraphs(t *testing.T) {
	// A zero input dimension is reported at the input and its consumers
	// are skipped.
	g := newGraph(t, sh(0, 4))
	g.add(mk(t, "Dense", P{"units": 3}), g.in(0))
	if d := g.check(); d.ErrorCount() != 1 || !strings.Contains(d.Items[0].Message, "every dimension must be a positive integer or None") {
		t.Errorf("%q", errorsOf(d))
	}
	// A node reading a node that is not in the network.
	g = newGraph(t, sh(4))
	stray := &ir.Node{Name: "stray", Type: "Dense", ID: 7}
	g.add(mk(t, "Dense", P{"units": 3}), stray)
	if d := g.check(); d.ErrorCount() != 1 || !strings.Contains(d.Items[0].Message, "not computed before it") {
		t.Errorf("%q", errorsOf(d))
	}
	// An unknown layer type and a node without parameters do not panic.
	g = newGraph(t, sh(4))
	g.add(&ir.Node{Type: "Lambda"}, g.in(0))
	g.add(&ir.Node{Type: "Dense"}, g.in(0))
	g.add(&ir.Node{Type: "Conv2D"}, g.in(0))
	g.add(&ir.Node{Type: "Reshape"}, g.in(0))
	g.add(&ir.Node{Type: "Bidirectional"}, g.in(0))
	g.add(&ir.Node{Type: "TimeDistributed"}, g.in(0))
	if d := g.check(); d.ErrorCount() != 6 {
		t.Errorf("%q", errorsOf(d))
	}
	// Nil network, nil inputs, nil nodes.
	Check(nil, &diag.List{})
	var dl diag.List
	Check(&ir.Network{Inputs: []*ir.Input{nil}, Nodes: []*ir.Node{nil}}, &dl)
}

func TestHPOExpressionResolvesToFraction(t *testing.T) {
	h := &ir.HPO{ID: 0, Name: "d", Kind: ir.Choice, Choices: []ir.Value{{Kind: ir.KInt, Int: 10}}}
	units := ir.Value{Kind: ir.KExpr, Expr: &ir.Expr{Op: "/", L: ir.Value{Kind: ir.KHPO, HPO: h}, R: ir.Value{Kind: ir.KInt, Int: 4}}}
	net, d := seq(t, sh(4), mk(t, "Dense", P{"units": units}))
	net.HPOs = []*ir.HPO{h}
	if d.ErrorCount() != 1 || !strings.Contains(d.Items[0].Message, "`units` must be a whole number, got 2.5") {
		t.Errorf("%q", errorsOf(d))
	}
}

func TestConsequencesOfEarlierErrorsAreQuiet(t *testing.T) {
	build := func() *graph {
		g := newGraph(t, sh(4))
		g.add(&ir.Node{Type: "Dense"}, g.in(0)) // sema could not bind units
		g.add(mk(t, "Dense", P{"units": 2}), &ir.Node{Type: "Input", Name: "rejected"})
		return g
	}
	// Alone, the missing parameter is reported (a sema bug would show).
	if d := build().check(); d.ErrorCount() != 1 || !strings.Contains(d.Items[0].Message, "Dense needs `units`") {
		t.Errorf("%q", errorsOf(d))
	}
	// After sema's own error, it is not repeated.
	var d diag.List
	d.Errorf(span(99), "`units` must be an integer")
	Check(build().net, &d)
	if d.ErrorCount() != 1 {
		t.Errorf("%q", errorsOf(&d))
	}
}

// A kernel error on an input that looks channels-first says so.
func TestChannelsFirstHint(t *testing.T) {
	g := newGraph(t, sh(1, 28, 28))
	g.add(mk(t, "Conv2D", P{"filters": 8, "kernel_size": 3}), g.in(0))
	d := g.check()
	if len(d.Items) != 1 || !strings.Contains(d.Items[0].Hint, "looks channels-first") || !strings.Contains(d.Items[0].Hint, "(28, 28, 1)") {
		t.Errorf("%q / hint %q", errorsOf(d), d.Items[0].Hint)
	}
}
