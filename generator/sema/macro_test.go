package sema

import (
	"strings"
	"testing"

	"github.com/rules-neural/rules_neural/generator/ir"
)

func TestMacros(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{
			name: "positional, named and bare calls; arithmetic folded",
			src: `define Block(filters, k) {
  Conv2D($filters, $k, padding="same")
  Conv2D(filters=$filters * 2, kernel_size=$k)
}
define Plain { BatchNormalization() }
network N {
  input: (16, 16, 3)
  layers:
    Block(8, 3)
    Block(k=(1, 1), filters=4)
    Plain
    Plain()
}`,
			want: `
conv2d Conv2D filters=8 kernel_size=(3, 3) padding="same"
conv2d_1 Conv2D filters=16 kernel_size=(3, 3)
conv2d_2 Conv2D filters=4 kernel_size=(1, 1) padding="same"
conv2d_3 Conv2D filters=8 kernel_size=(1, 1)
batch_normalization BatchNormalization 
batch_normalization_1 BatchNormalization `,
		},
		{
			name: "a macro may shadow a built-in layer",
			src: `define MultiHeadAttention(num_heads, d_model) {
  Dense(units=$d_model)
  Dropout(0.1)
}
network N {
  input: (10, 16)
  layers:
    MultiHeadAttention(num_heads=4, d_model=16)
}`,
			want: `
dense Dense units=16
dropout Dropout rate=0.1`,
		},
		{
			name: "macro repeated and nested, with a device for the whole expansion",
			src: `define Inner(u) { Dense($u) }
define Outer(u) {
  Inner($u)
  Inner(u=$u / 2)
}
network N {
  input: (8,)
  layers:
    Outer(8) @ "cuda:1" * 2
}`,
			want: `
dense Dense units=8 @cuda:1
dense_1 Dense units=4 @cuda:1
dense_2 Dense units=8 @cuda:1
dense_3 Dense units=4 @cuda:1`,
		},
		{
			name: "inputs= on a macro call sets its starting tensor",
			src: `define Tower { Dense(4, name="tower") }
network N {
  input: { a: (4,), b: (4,) }
  layers:
    Tower(inputs=[b])
    Dense(4, inputs=[a], name="side")
    Add(inputs=[tower, side])
}`,
			want: `
tower Dense units=4
side Dense units=4
add Add `,
		},
	}
	for _, tc := range tests {
		tc := tc
		t.Run(tc.name, func(t *testing.T) {
			m := buildOK(t, tc.src)
			var b strings.Builder
			for _, n := range m.Networks[0].Nodes {
				b.WriteString(n.Name + " " + n.Type + " " + params(n, false))
				if n.Device != "" {
					b.WriteString(" @" + n.Device)
				}
				b.WriteString("\n")
			}
			if got, want := strings.TrimSpace(b.String()), strings.TrimSpace(tc.want); got != want {
				t.Errorf("got:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

func TestMacroErrors(t *testing.T) {
	tests := []struct {
		name, src string
		want      []string
	}{
		{
			name: "missing, unknown, doubled and extra arguments",
			src: `define B(filters, k) { Conv2D($filters, $k) }
network N {
  input: (8, 8, 1)
  layers:
    B(8)
    B(filters=8, kk=3)
    B(8, 3, 4)
    B(8, filters=3, k=1)
    B(8, 3) { Dense(1) }
}`,
			want: []string{
				"5:5: error: missing argument `k` in call of macro `B` … note: 1:8: `B` is defined here with parameters (filters, k)",
				"6:18: error: macro `B` has no parameter `kk` hint: did you mean `k`? `B` takes (filters, k)",
				"7:13: error: too many arguments for macro `B` hint: `B` takes (filters, k)",
				"8:10: error: argument `filters` of macro `B` is given twice note: 8:7: first given here",
				"9:5: error: macro `B` does not take a block",
			},
		},
		{
			name: "errors inside an expansion are reported in the body with the call chain",
			src: `define Inner(u) {
  Dense($u)
}
define Outer(u) {
  Inner($u)
}
network N {
  input: (8,)
  layers:
    Outer("big")
}`,
			want: []string{
				"2:9: error: `units` of Dense must be an integer, got string \"big\" … note: 5:3: in expansion of Inner at t.neural:5:3 note: 10:5: in expansion of Outer at t.neural:10:5",
			},
		},
		{
			name: "division that is not whole names the division",
			src: `define Attn(d, h) {
  Dense(units=$d / $h)
}
network N {
  input: (8,)
  layers:
    Attn(d=10, h=4)
}`,
			want: []string{
				"2:15: error: `units` of Dense must be an integer, but the division `$d / $h` is not whole (10 / 4 = 2.5) … note: 7:5: in expansion of Attn",
			},
		},
		{
			name: "parameter written without $",
			src: `define M(units) { Dense(units) }
network N {
  input: (8,)
  layers: M(4)
}`,
			want: []string{"1:25: error: `units` of Dense must be an integer, got name units hint: did you mean the macro parameter `$units`?"},
		},
		{
			name: "unknown $parameter",
			src: `define M(units) { Dense($unit) }
network N {
  input: (8,)
  layers: M(4)
}`,
			want: []string{"1:25: error: macro `M` has no parameter `unit` hint: did you mean `$units`?"},
		},
		{
			name: "direct and indirect recursion",
			src: `define A { B() }
define B { Dense(1) A() }
define Dense(u) { Dense($u) }
define Self { Self }
network N {
  input: (8,)
  layers:
    A()
    Dense(3)
    Self
}`,
			want: []string{
				"2:21: error: recursive macro: A → B → A",
				"3:19: error: recursive macro: Dense → Dense hint: the macro `Dense` shadows the built-in layer",
				"4:15: error: recursive macro: Self → Self",
			},
		},
		{
			name: "unknown layer suggests macro names",
			src: `define ConvBlock { Conv2D(8, 3) }
network N {
  input: (8, 8, 1)
  layers:
    ConvBlok
}`,
			want: []string{"5:5: error: unknown layer `ConvBlok` hint: did you mean `ConvBlock`?"},
		},
		{
			name: "name= on a macro call",
			src: `define M { Dense(1) }
network N {
  input: (8,)
  layers: M(name="x")
}`,
			want: []string{"4:13: error: macro `M` has no parameter `name` … cannot be named"},
		},
		{
			name: "fixed names in a macro called twice",
			src: `define M { Dense(1, name="head") }
network N {
  input: (8,)
  layers:
    M
    M
}`,
			want: []string{"1:26: error: duplicate layer name `head` hint: a layer in a macro called more than once"},
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

func TestMacroDepthLimit(t *testing.T) {
	var b strings.Builder
	for i := 0; i < 70; i++ {
		b.WriteString("define M" + itoa(i) + " { M" + itoa(i+1) + " }\n")
	}
	b.WriteString("define M70 { Dense(1) }\nnetwork N {\n  input: (2,)\n  layers: M0\n}\n")
	src := b.String()
	_, d := build(t, src)
	found := false
	for _, it := range d.Items {
		if strings.Contains(it.Message, "macro calls are nested deeper than 64 levels") {
			found = true
			if len(it.Related) != 64 {
				t.Errorf("want 64 expansion notes, got %d", len(it.Related))
			}
		}
	}
	if !found {
		t.Errorf("no depth error:\n%s", render(d, src))
	}
}

func TestMacroHPOShared(t *testing.T) {
	m := buildOK(t, `define FF(d) {
  Dense($d)
  Dense($d)
}
network N {
  input: (8,)
  layers:
    FF(d=HPO(choice(8, 16)))
    FF(d=HPO(choice(8, 16)))
}`)
	net := m.Networks[0]
	if len(net.HPOs) != 2 {
		t.Fatalf("want one HPO per written HPO, got %d", len(net.HPOs))
	}
	u := func(i int) *ir.HPO { v, _ := net.Nodes[i].Param("units"); return v.HPO }
	if u(0) != u(1) || u(2) != u(3) || u(0) == u(2) {
		t.Errorf("HPO sharing wrong: %p %p %p %p", u(0), u(1), u(2), u(3))
	}
	if net.HPOs[0].Name != "dense.units" || net.HPOs[1].Name != "dense_2.units" {
		t.Errorf("names: %s %s", net.HPOs[0].Name, net.HPOs[1].Name)
	}
}
