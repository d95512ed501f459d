package sema

import (
	"fmt"
	"strings"
	"testing"
)

// TestLayerErrors checks the message and position of every error class of
// a single layer statement. The statement sits at line 4, column 5; `at`
// marks the offending token (its first occurrence in the statement).
func TestLayerErrors(t *testing.T) {
	tests := []struct {
		layer, at, msg string
	}{
		// names
		{`Dense2(10)`, `Dense2`, "unknown layer `Dense2` hint: did you mean `Dense`?"},
		{`Dens(10)`, `Dens`, "unknown layer `Dens` hint: did you mean `Dense`?"},
		{`Lambda(10)`, `Lambda`, "`Lambda` is not a built-in layer, and custom layers are not supported yet"},
		{`CapsuleLayer(10)`, `Capsule`, "`CapsuleLayer` is not a built-in layer … define CapsuleLayer { … }"},
		{`QuantumLayer()`, `Quantum`, "`QuantumLayer` is not a built-in layer"},
		{`GraphConv(16)`, `Graph`, "`GraphConv` is not a built-in layer"},
		{`AttentionLayer()`, `Attention`, "`AttentionLayer` is not a built-in layer … the closest built-in layer is `MultiHeadAttention`"},
		{`DenseLayer(8)`, `Dense`, "`DenseLayer` is not a built-in layer … the closest built-in layer is `Dense`"},
		// binding
		{`Dense(10, units=20)`, `units`, "parameter `units` of Dense is given twice note: 4:11: first given here"},
		{`Conv2D(32, 3, stride=1, strides=2)`, `strides`, "parameter `strides` of Conv2D is given twice"},
		{`Conv2D(32, kernal_size=3)`, `kernal`, "unknown parameter `kernal_size` for Conv2D hint: did you mean `kernel_size`? valid names: filters, kernel_size, strides"},
		{`Dense(10, foo=1)`, `foo`, "unknown parameter `foo` for Dense hint: valid names: units, activation, use_bias, kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer, name, inputs"},
		{`Dense(10, "relu", 3)`, `3`, "too many positional arguments for `Dense` hint: Dense takes (units, activation) by position"},
		{`Flatten(2)`, `2`, "too many positional arguments for `Flatten` hint: Flatten takes no positional arguments"},
		{`Dense(units=10, "relu")`, `"relu"`, "positional argument after named arguments in `Dense`"},
		{`Conv2D(32)`, `Conv2D`, "`Conv2D` needs `kernel_size` hint: write Conv2D(filters, kernel_size)"},
		{`Dense()`, `Dense`, "`Dense` needs `units`"},
		// types
		{`Dense("64")`, `"64"`, "`units` of Dense must be an integer, got string \"64\" hint: remove the quotes"},
		{`Dense(64.0)`, `64.0`, "`units` of Dense must be an integer, got 64.0 hint: write 64"},
		{`Dense(10, use_bias="yes")`, `"yes"`, "`use_bias` of Dense must be true or false, got string \"yes\""},
		{`Dropout("half")`, `"half"`, "`rate` of Dropout must be a number, got string \"half\""},
		{`Dense(10/4)`, `10/4`, "`units` of Dense must be an integer, but the division `10 / 4` is not whole (10 / 4 = 2.5)"},
		{`Conv2D(32, (3, 3, 3))`, `(3, 3, 3)`, "`kernel_size` of Conv2D needs 2 integers (one per spatial dimension), got 3"},
		{`Conv2D(32, (3, 2.5))`, `2.5`, "`kernel_size` of Conv2D must be an integer, got 2.5"},
		{`Conv2D(32, "3")`, `"3"`, "`kernel_size` of Conv2D must be an integer or a tuple of integers, got string \"3\""},
		{`Reshape((-1, -1))`, `(-1`, "`target_shape` of Reshape may have at most one -1 dimension, got 2"},
		{`ZeroPadding2D((1, 2, 3))`, `(1, 2, 3)`, "`padding` of ZeroPadding2D needs an integer, 2 integers or 2 (before, after) pairs"},
		// ranges and enums
		{`Dense(0)`, `0`, "`units` of Dense must be at least 1, got 0"},
		{`Dense(-3)`, `-3`, "`units` of Dense must be at least 1, got -3"},
		{`Dropout(1.5)`, `1.5`, "`rate` of Dropout must be less than 1, got 1.5"},
		{`Dropout(rate=-0.1)`, `-0.1`, "`rate` of Dropout must be at least 0, got -0.1"},
		{`Conv2D(32, 0)`, `0`, "`kernel_size` of Conv2D must be at least 1, got 0"},
		{`Conv2D(32, 3, padding="sme")`, `"sme"`, "`padding` of Conv2D must be one of \"valid\", \"same\", got \"sme\" hint: did you mean \"same\"?"},
		{`Conv2D(32, 3, padding="causal")`, `"causal"`, "`padding` of Conv2D must be one of \"valid\", \"same\", got \"causal\""},
		{`Dense(10, "rleu")`, `"rleu"`, "unknown activation \"rleu\" for `activation` of Dense hint: did you mean \"relu\"?"},
		{`Dense(10, kernel_regularizer="l3")`, `"l3"`, "unknown regularizer \"l3\""},
		// HPO
		{`Dense(HPO(choice(32, 64.5)))`, `64.5`, "`units` of Dense must be an integer, got 64.5"},
		{`Dense(HPO(range(0.5, 4)))`, `0.5`, "`units` of Dense must be an integer, but this range(…) gives non-integer values (0.5)"},
		{`Dense(HPO(log_range(0, 1)))`, `0`, "log_range(…) needs 0 < lo, got 0"},
		{`Dense(HPO(log_range(8, 2)))`, `log_range`, "log_range(…) needs lo < hi, got 8 and 2"},
		{`Dropout(HPO(choice(0.1, 2)))`, `2`, "`rate` of Dropout must be less than 1, got 2"},
		{`Dense(HPO(32))`, `HPO`, "HPO(…) takes one of choice(…), range(…) or log_range(…)"},
		{`Conv2D(32, 3, padding=HPO(range(1, 2)))`, `HPO`, "range(…) gives numbers, but `padding` of Conv2D must be one of \"valid\", \"same\""},
		{`Conv2D(32, 3, padding=choice("same", "vald"))`, `"vald"`, "`padding` of Conv2D must be one of \"valid\", \"same\", got \"vald\""},
		{`Dense(choice())`, `choice`, "choice() needs at least one value"},
		// structure
		{`Dense(10) { Dense(5) }`, `Dense`, "`Dense` is not a container: only ResidualConnection, Sequential, TimeDistributed and Bidirectional take a block hint: remove the `{ … }`"},
		{`Dense(8) * 0`, `0`, "the repeat count must be from 1 to 10000, got 0"},
		{`Dense(8) * 10001`, `10001`, "the repeat count must be from 1 to 10000, got 10001"},
		{`Dense(10) * 2.5`, `2.5`, "the repeat count must be an integer from 1 to 10000, got float 2.5"},
		{`Dense(10) * choice(2, 3)`, `choice`, "the repeat count must be an integer from 1 to 10000, got HPO"},
		{`Dense(10) @ "cuda0"`, `"cuda0"`, "invalid device \"cuda0\" hint: did you mean \"cuda:0\"? devices: cpu, cuda[:N], gpu[:N], tpu[:N], xla[:N], mps, auto"},
		{`Dense(10) @ "gpu:x"`, `"gpu:x"`, "invalid device \"gpu:x\""},
		{`Dense(10) @ 3`, `3`, "a device must be a string such as \"cuda:0\", got integer 3"},
		{`Dense(10, name=3)`, `3`, "name= must be a string, got integer 3"},
		{`Dense(10, name="")`, `""`, "name= must not be empty"},
		{`Dense(10, name="a", name="b")`, `name="b"`, "parameter `name` of Dense is given twice"},
		{`Dense(10, inputs=[inptu])`, `inptu`, "unknown input `inptu` hint: did you mean `input`?"},
		{`Dense(10, inputs=[3])`, `3`, "inputs= takes names of inputs or branches, got integer 3"},
		{`Dense(10, inputs=[input, input])`, `[input`, "`Dense` takes one input, got 2 in inputs="},
		{`Add(inputs=[input])`, `[input`, "`Add` merges at least two tensors, got 1 in inputs="},
		{`Bidirectional(Dense(10))`, `Bidirectional`, "Bidirectional wraps exactly one recurrent layer (SimpleRNN, LSTM or GRU), got Dense"},
		{`Bidirectional()`, `Bidirectional`, "Bidirectional needs a layer: Bidirectional(LSTM(64)) or Bidirectional { … }"},
		{`Bidirectional(LSTM(8)) { LSTM(8) }`, `LSTM(8)`, "give Bidirectional its layer either as an argument or as a block, not both"},
		{`TimeDistributed(3)`, `3`, "TimeDistributed takes a layer, e.g. TimeDistributed(LSTM(64))"},
		{`TimeDistributed { Add() }`, `Add`, "`Add` cannot be wrapped by TimeDistributed: it merges several tensors"},
		{`TimeDistributed(Dens(3))`, `Dens`, "unknown layer `Dens`"},
		{`ResidualConnection()`, `Residual`, "ResidualConnection needs a block of layers: ResidualConnection { … }"},
		{`ResidualConnection(merge="mul") { Dense(4) }`, `"mul"`, "`merge` of ResidualConnection must be one of \"add\", \"concat\", got \"mul\""},
		{`ResidualConnection { shortcut: { Dense(4) } }`, `Residual`, "the ResidualConnection block has no layers on its main path"},
		{`ResidualConnection { Dense(4) shortcut: { Dense(4) } shortcut: { Dense(4) } }`, `shortcut: { Dense(4) } }`, "a ResidualConnection has at most one `shortcut:` block"},
		{`Sequential(Dense(4)) { Dense(4) }`, `Dense(4)`, "too many positional arguments for `Sequential`"},
		{`shortcut: { Dense(4) }`, `shortcut`, "`shortcut:` is only allowed directly inside `ResidualConnection { … }`"},
		{`image: { Dense(4) }`, `image`, "branch `image` is not an input of network `N`"},
		{`Dense($units)`, `$units`, "`$units` can only be used inside a macro body"},
		{`Dense(10 + "a")`, `10`, "arithmetic needs numbers, got string \"a\""},
		{`Dense(10 / 0)`, `10`, "division by zero"},
		{`Dense(99999999999999999999)`, `9999`, "integer 99999999999999999999 is too large"},
		{`Dense(4611686018427387904 * 4)`, `4611`, "integer overflow in 4611686018427387904 * 4"},
	}
	for _, tc := range tests {
		src := "network N {\n  input: (8,)\n  layers:\n    " + tc.layer + "\n}"
		i := strings.Index(tc.layer, tc.at)
		if i < 0 {
			t.Fatalf("%s: marker %q not found", tc.layer, tc.at)
		}
		want := fmt.Sprintf("4:%d: error: %s", 5+i, tc.msg)
		t.Run(tc.layer, func(t *testing.T) {
			_, d := build(t, src)
			expectDiags(t, src, d, want)
		})
	}
}

// TestErrors checks errors that need more context than one statement.
func TestErrors(t *testing.T) {
	tests := []struct {
		name, src string
		want      []string
	}{
		{
			name: "duplicate and unknown sections, missing layers",
			src: `network N {
  input: (8,)
  input: (4,)
  loss: "mse"
  optimiser: Adam
  training: { epochs: 1 }
  train { epochs: 2 }
}`,
			want: []string{
				"1:9: error: network `N` has no `layers:` section",
				"3:3: error: duplicate `input` section … note: 2:3: first defined here",
				"5:3: error: unknown section `optimiser` hint: did you mean `optimizer`?",
				"7:3: error: duplicate `train` section … note: 6:3: first defined here",
			},
		},
		{
			name: "missing input",
			src: `network N {
  layers:
    Dense(10, foo=1)
}`,
			want: []string{
				"1:9: error: network `N` has no `input:` section",
				"3:15: error: unknown parameter `foo` for Dense",
			},
		},
		{
			name: "bad input shapes",
			src: `network A {
  input: (28, 0, "x")
  layers: Flatten()
}
network B {
  input: (None,)
  layers: Flatten()
}
network C {
  input: { a: (4,), a: (3,) }
  layers: a: { Dense(2) }
}`,
			want: []string{
				"2:15: error: input dimensions must be positive integers or None, got integer 0",
				"2:18: error: input dimensions must be positive integers or None, got string \"x\"",
				"6:10: error: the input shape has no dimensions besides the batch",
				"10:21: error: duplicate input `a` note: 10:12: first defined here",
			},
		},
		{
			name: "duplicate networks and macros",
			src: `define M { Dense(1) }
define M { Dense(2) }
define P(a, a) { Dense($a) }
network N {
  input: (2,)
  layers: M
}
network N {
  input: (2,)
  layers: M
}`,
			want: []string{
				"2:8: error: duplicate macro `M` … note: 1:8: first defined here",
				"3:13: error: duplicate parameter `a` in macro `P` note: 3:10: first declared here",
				"8:9: error: duplicate network `N` … note: 4:9: first defined here",
			},
		},
		{
			name: "several inputs need a branch first; unused inputs",
			src: `network A {
  input: { a: (4,), b: (4,) }
  layers:
    Dense(4)
}
network B {
  input: { a: (4,), b: (4,), c: (2,) }
  layers:
    a: { Dense(4) }
    b: { Dense(4) }
    Add()
}
network C {
  input: { a: (4,), b: (4,) }
  layers:
    a: { Dense(4) }
    b: { Dense(4) }
    Dense(2)
}
network D {
  input: { a: (4,) }
  layers:
    xyz: { Dense(4) }
    Dense(1)
}`,
			want: []string{
				"4:5: error: network has 2 inputs; start with a branch `name: { … }` or name the input with inputs=[…] hint: e.g. `a: { … }` or `Dense(…, inputs=[a])`; the inputs are a, b",
				"7:30: error: input `c` is never used",
				"18:5: error: `Dense` follows branches `a`, `b` that were not merged",
				"23:5: error: branch `xyz` is not an input of network `D` hint: a branch processes a named input; the inputs are a",
			},
		},
		{
			name: "branches never merged",
			src: `network N {
  input: { a: (4,), b: (4,) }
  layers:
    a: { Dense(4) }
    b: { Dense(4) }
}`,
			want: []string{"5:5: error: the outputs of branches `a`, `b` are never merged"},
		},
		{
			name: "duplicate layer names",
			src: `network N {
  input: (4,)
  layers:
    Dense(4, name="fc")
    Dense(4, name="fc")
    Dense(4, name="x") * 2
    Dense(4, name="input")
}`,
			want: []string{
				"5:19: error: duplicate layer name `fc` … note: 4:19: first used here",
				"6:19: error: duplicate layer name `x` hint: layer names must be unique … note: 6:19: first used here",
				"7:19: error: duplicate layer name `input` … note: 2:10: first used here",
			},
		},
		{
			name: "merge with nothing to merge warns",
			src: `network N {
  input: (4,)
  layers:
    Add()
    Dense(4)
}`,
			want: []string{"4:5: warning: `Add()` here merges the tensor with itself"},
		},
		{
			name: "cross attention with a single input warns",
			src: `network N {
  input: (4, 8)
  layers:
    MultiHeadAttention(2, mode="cross")
}`,
			want: []string{"4:32: warning: mode=\"cross\" with a single input attends to its own input (self-attention) hint: give the query and the context with inputs=[query, context]"},
		},
	}
	for _, tc := range tests {
		tc := tc
		t.Run(tc.name, func(t *testing.T) {
			_, d := build(t, tc.src)
			expectDiags(t, tc.src, d, tc.want...)
		})
	}
}

// TestAllErrorsReported checks that independent errors in one file are all
// reported in one run.
func TestAllErrorsReported(t *testing.T) {
	src := `network N {
  input: (8,)
  layers:
    Dense("a")
    Dropout(2)
    Conv9D(3)
    Dense(4, activation="nope")
  loss: "msee"
  optimizer: Adamm
  metrics: ["acuracy"]
  train { epochz: 3 }
}`
	_, d := build(t, src)
	expectDiags(t, src, d,
		"4:11: error: `units` of Dense must be an integer",
		"5:13: error: `rate` of Dropout must be less than 1",
		"6:5: error: unknown layer `Conv9D`",
		"7:25: error: unknown activation \"nope\"",
		"8:9: error: unknown loss `msee` hint: did you mean `mse`?",
		"9:14: error: unknown optimizer `Adamm` hint: did you mean `Adam`?",
		"10:13: error: unknown metric `acuracy` hint: did you mean `accuracy`?",
		"11:11: error: unknown train key `epochz` hint: did you mean `epochs`?",
	)
}
