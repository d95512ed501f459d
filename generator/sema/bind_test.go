package sema

import (
	"strings"
	"testing"

	"github.com/rules-neural/rules_neural/generator/ir"
)

// TestBinding checks parameter binding: positional order, activation after
// the positional parameters, aliases, the old `name: value` spelling,
// canonical forms and defaults. all=true shows defaulted parameters too.
func TestBinding(t *testing.T) {
	tests := []struct {
		layer string
		input string
		all   bool
		want  string
	}{
		{`Dense(64, "relu")`, "(8,)", false, `units=64 activation="relu"`},
		{`Dense(64)`, "(8,)", true, `units=64 activation="linear" use_bias=true kernel_initializer="glorot_uniform" bias_initializer="zeros" kernel_regularizer=None bias_regularizer=None`},
		{`dense(units: 64, activation: "ReLU")`, "(8,)", false, `units=64 activation="relu"`},
		{`Dense(7*7*16, activation=silu)`, "(8,)", false, `units=784 activation="swish"`},
		{`Dense(8, use_bias=FALSE, kernel_regularizer=l2(0.01))`, "(8,)", false, `units=8 use_bias=false kernel_regularizer=l2(l2=0.01)`},
		{`Dense(8, kernel_regularizer="l1")`, "(8,)", false, `units=8 kernel_regularizer=l1()`},
		{`Output(10)`, "(8,)", true, `units=10 activation="softmax" use_bias=true kernel_initializer="glorot_uniform" bias_initializer="zeros" kernel_regularizer=None bias_regularizer=None`},
		{`Conv2D(32, 3, "relu")`, "(8, 8, 1)", false, `filters=32 kernel_size=(3, 3) activation="relu"`},
		{`Conv2D(32, (3, 5), stride=2, padding="SAME")`, "(8, 8, 1)", true, `filters=32 kernel_size=(3, 5) strides=(2, 2) padding="same" dilation_rate=(1, 1) groups=1 activation="linear" use_bias=true kernel_initializer="glorot_uniform" bias_initializer="zeros" kernel_regularizer=None bias_regularizer=None`},
		{`Conv1D(8, 3, padding="causal")`, "(16, 4)", false, `filters=8 kernel_size=(3,) padding="causal"`},
		{`MaxPooling2D((2, 2))`, "(8, 8, 1)", true, `pool_size=(2, 2) strides=None padding="valid"`},
		{`MaxPooling2D(pool_size=2, strides=1)`, "(8, 8, 1)", false, `pool_size=(2, 2) strides=(1, 1)`},
		{`Dropout(0.5)`, "(8,)", false, `rate=0.5`},
		{`Dropout(rate=0)`, "(8,)", false, `rate=0.0`},
		{`ZeroPadding2D(1)`, "(8, 8, 1)", false, `padding=((1, 1), (1, 1))`},
		{`ZeroPadding2D((1, 2))`, "(8, 8, 1)", false, `padding=((1, 1), (2, 2))`},
		{`ZeroPadding2D(((1, 2), (3, 4)))`, "(8, 8, 1)", false, `padding=((1, 2), (3, 4))`},
		{`ZeroPadding1D((1, 2))`, "(8, 1)", false, `padding=((1, 2),)`},
		{`Cropping2D()`, "(8, 8, 1)", true, `cropping=((0, 0), (0, 0))`},
		{`Reshape((4, -1))`, "(8,)", false, `target_shape=(4, -1)`},
		{`Permute((2, 1))`, "(8, 4)", false, `dims=(2, 1)`},
		{`Activation("leaky_relu", alpha=0.2)`, "(8,)", false, `activation="leaky_relu" alpha=0.2`},
		{`LSTM(units=128, return_sequences=True)`, "(10, 8)", false, `units=128 return_sequences=true`},
		{`MultiHeadAttention(num_heads=8, key_dim=64, dropout=0.1)`, "(10, 8)", false, `num_heads=8 key_dim=64 dropout=0.1`},
		{`TransformerEncoder(num_heads: 8, ff_dim: 2048)`, "(10, 8)", false, `num_heads=8 ff_dim=2048`},
		{`PositionalEncoding(max_len: 512, encoding_type: "learnable")`, "(10, 8)", false, `max_len=512 encoding_type="learnable"`},
		{`Dense(8, activation=None)`, "(8,)", false, `units=8 activation="linear"`},
	}
	for _, tc := range tests {
		src := "network N {\n  input: " + tc.input + "\n  layers:\n    " + tc.layer + "\n}"
		m, d := build(t, src)
		if d.HasErrors() {
			t.Errorf("%s: unexpected errors:\n%s", tc.layer, render(d, src))
			continue
		}
		n := m.Networks[0].Nodes[0]
		if got := params(n, tc.all); got != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.layer, got, tc.want)
		}
	}
}

func TestParamsCanonicalKinds(t *testing.T) {
	m := buildOK(t, `network N {
  input: (8, 8, 1)
  layers:
    Conv2D(32, 3)
    Dense(8)
}`)
	conv := m.Networks[0].Nodes[0]
	for _, p := range conv.Params {
		switch p.Spec.Name {
		case "kernel_size", "strides", "dilation_rate":
			if p.Value.Kind != ir.KTuple || len(p.Value.Elems) != 2 {
				t.Errorf("%s = %s (kind %s), want a 2-tuple", p.Spec.Name, p.Value, p.Value.Kind)
			}
		}
		if p.Spec.Name == "kernel_size" && !p.Explicit {
			t.Errorf("kernel_size should be explicit")
		}
		if p.Spec.Name == "strides" && p.Explicit {
			t.Errorf("strides should be a default")
		}
		if !p.Value.Span.Start.IsValid() {
			t.Errorf("%s has no position", p.Spec.Name)
		}
	}
	// Defaults are copies: changing one node must not touch the schema.
	conv.Params[2].Value.Elems[0].Int = 99
	if ir.LookupLayer("Conv2D").Param("strides").Default.Elems[0].Int != 1 {
		t.Errorf("default value shares memory with the schema")
	}
}

func TestHPO(t *testing.T) {
	m := buildOK(t, `define Block(units, drop) {
  Dense($units, "relu")
  Dropout($drop)
  Dense($units * 2)
}
network N {
  input: (32,)
  layers:
    Block(units=HPO(choice(64, 128)), drop=choice(0.1, 0.2))
    Dense(HPO(categorical(16, 32)))
    Conv1D(8, choice(3, 5)) * 2
    Dropout(HPO(range(0.1, 0.5, step=0.1)))
    Dense(range(8, 64, step=8))
  optimizer: Adam(learning_rate=HPO(log_range(1e-4, 1e-2)))
  train {
    batch_size: HPO(choice(32, 64))
    early_stopping: HPO(choice(3, 5))
  }
}`)
	net := m.Networks[0]
	var names []string
	for i, h := range net.HPOs {
		if h.ID != i {
			t.Errorf("HPO %s has ID %d at %d", h.Name, h.ID, i)
		}
		names = append(names, h.Name+":"+h.Kind.String()+":"+boolStr(h.Shape))
	}
	want := "dense.units:choice:shape dropout.rate:choice: dense_2.units:choice:shape conv1d.kernel_size:choice:shape " +
		"dropout_1.rate:range: dense_3.units:range:shape optimizer.learning_rate:log_range: train.batch_size:choice: train.early_stopping.patience:choice:"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("HPOs:\n got %s\nwant %s", got, want)
	}
	// The macro argument is one HPO shared by its uses, including arithmetic.
	d0, d1 := net.Nodes[0], net.Nodes[2]
	u0, _ := d0.Param("units")
	u1, _ := d1.Param("units")
	if u0.Kind != ir.KHPO || u1.Kind != ir.KExpr || u1.Expr.L.HPO != u0.HPO {
		t.Errorf("units = %s and %s; want the same HPO", u0, u1)
	}
	// A repeated statement shares its HPO; int HPOs in tuples expand.
	k0, _ := net.Nodes[4].Param("kernel_size")
	k1, _ := net.Nodes[5].Param("kernel_size")
	if k0.Kind != ir.KTuple || len(k0.Elems) != 1 || k0.Elems[0].HPO == nil || k0.Elems[0].HPO != k1.Elems[0].HPO {
		t.Errorf("kernel_size = %s / %s", k0, k1)
	}
	if lr := net.Optimizer.Args[0]; lr.Name != "learning_rate" || lr.Value.Kind != ir.KHPO {
		t.Errorf("learning_rate = %+v", lr)
	}
	if net.Train.BatchSize.Kind != ir.KHPO || !net.Train.EarlyStopping.Enabled {
		t.Errorf("train = %+v", net.Train)
	}
}

func boolStr(b bool) string {
	if b {
		return "shape"
	}
	return ""
}

func TestHPOSymbolicDivision(t *testing.T) {
	src := `define Attn(d, h) {
  Dense($d / $h)
}
network N {
  input: (16,)
  layers:
    Attn(d=HPO(choice(64, 96)), h=HPO(choice(4, 8)))
}`
	m := buildOK(t, src)
	u, _ := m.Networks[0].Nodes[0].Param("units")
	if u.Kind != ir.KExpr {
		t.Fatalf("units = %s", u)
	}
	r, err := u.Resolve(ir.Assignment{{Kind: ir.KInt, Int: 96}, {Kind: ir.KInt, Int: 8}})
	if err != nil || r.Kind != ir.KInt || r.Int != 12 {
		t.Errorf("resolve = %s, %v", r, err)
	}
	// 100 / 8 is not whole for one combination.
	bad := strings.Replace(src, "64, 96", "64, 100", 1)
	_, d := build(t, bad)
	expectDiags(t, bad, d, "2:9: error: `units` of Dense must be an integer, but … in expansion of Attn at t.neural:7:5")
}

func TestHPOTupleChoices(t *testing.T) {
	m := buildOK(t, `network N {
  input: (16, 16, 3)
  layers:
    Conv2D(8, HPO(choice((3, 3), 5)), padding=choice("SAME", "valid"), activation=choice("ReLU", "gelu"))
    ZeroPadding2D(choice(1, 2))
}`)
	n := m.Networks[0].Nodes[0]
	k, _ := n.Param("kernel_size")
	if k.Kind != ir.KHPO || k.HPO.Choices[0].String() != "(3, 3)" || k.HPO.Choices[1].String() != "(5, 5)" || !k.HPO.Shape {
		t.Errorf("kernel_size = %s", k)
	}
	p, _ := n.Param("padding")
	a, _ := n.Param("activation")
	if p.HPO.Choices[0].Str != "same" || a.HPO.Choices[0].Str != "relu" || a.HPO.Shape {
		t.Errorf("padding = %s, activation = %s", p, a)
	}
	z, _ := m.Networks[0].Nodes[1].Param("padding")
	if z.String() != "((HPO(choice(1, 2)), HPO(choice(1, 2))), (HPO(choice(1, 2)), HPO(choice(1, 2))))" {
		t.Errorf("zero padding = %s", z)
	}
}
