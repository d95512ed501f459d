package shape

import (
	"testing"
	"time"

	"github.com/rules-neural/rules_neural/generator/diag"
	"github.com/rules-neural/rules_neural/generator/ir"
)

// resnet50 builds Keras applications' ResNet50 (include_top, 224×224×3) by
// hand: every convolution has a bias, projection shortcuts in the first
// block of each stage.
func resnet50(t testing.TB) *graph {
	g := newGraph(t, sh(224, 224, 3))
	bn := func() *ir.Node { return mk(t, "BatchNormalization", P{"epsilon": 1.001e-5}) }
	relu := func() *ir.Node { return mk(t, "Activation", P{"activation": "relu"}) }
	conv := func(filters, k, stride int, padding string) *ir.Node {
		return mk(t, "Conv2D", P{"filters": filters, "kernel_size": k, "strides": stride, "padding": padding})
	}
	x := g.chain(g.in(0),
		mk(t, "ZeroPadding2D", P{"padding": 3}), conv(64, 7, 2, "valid"), bn(), relu(),
		mk(t, "ZeroPadding2D", P{"padding": 1}), mk(t, "MaxPooling2D", P{"pool_size": 3, "strides": 2}))
	block := func(x *ir.Node, filters, stride int, projection bool) *ir.Node {
		shortcut := x
		if projection {
			shortcut = g.chain(x, conv(4*filters, 1, stride, "valid"), bn())
		}
		y := g.chain(x, conv(filters, 1, stride, "valid"), bn(), relu(),
			conv(filters, 3, 1, "same"), bn(), relu(),
			conv(4*filters, 1, 1, "valid"), bn())
		add := mk(t, "Add", nil)
		add.Role = "residual"
		return g.chain(g.add(add, shortcut, y), relu())
	}
	for _, st := range []struct{ filters, blocks, stride int }{{64, 3, 1}, {128, 4, 2}, {256, 6, 2}, {512, 3, 2}} {
		x = block(x, st.filters, st.stride, true)
		for i := 1; i < st.blocks; i++ {
			x = block(x, st.filters, 1, false)
		}
	}
	g.chain(x, mk(t, "GlobalAveragePooling2D", nil), mk(t, "Output", P{"units": 1000}))
	return g
}

func TestResNet50(t *testing.T) {
	g := resnet50(t)
	if d := g.check(); len(d.Items) != 0 {
		t.Fatal(errorsOf(d))
	}
	tr, nt := totals(g.net)
	if tr+nt != 25636712 || tr != 25583592 || nt != 53120 {
		t.Errorf("ResNet-50: %d total, %d trainable, %d non-trainable; want 25,636,712 / 25,583,592 / 53,120", tr+nt, tr, nt)
	}
	if !sameShape(g.net.Output.Shape, sh(1000)) {
		t.Errorf("output %s", fmtShape(g.net.Output.Shape))
	}
	var flops int64
	for _, n := range g.net.Nodes {
		flops += n.FLOPs
	}
	// About 3.9 G multiply-adds, the usual figure for ResNet-50.
	if flops < 7.5e9 || flops > 8.5e9 {
		t.Errorf("ResNet-50 FLOPs %d, want about 7.7e9 (2 × 3.9 G multiply-adds)", flops)
	}
}

// gpt2Small: token embedding 50257×768, learnable positions 1024×768, 12
// pre-norm decoder blocks (12 heads, ff 3072) and the final LayerNorm; the
// LM head is tied to the embedding. 124,439,808 parameters, as Hugging
// Face's GPT2Model: 38,597,376 + 786,432 + 12 × 7,087,872 + 1,536.
func gpt2Small(t testing.TB, stacked bool) *graph {
	g := newGraph(t, sh(1024))
	x := g.chain(g.in(0),
		mk(t, "Embedding", P{"input_dim": 50257, "output_dim": 768}),
		mk(t, "PositionalEncoding", P{"max_len": 1024, "encoding_type": "learnable"}))
	if stacked {
		x = g.chain(x, mk(t, "TransformerDecoder", P{"num_heads": 12, "ff_dim": 3072, "norm_first": true, "num_layers": 12}))
	} else {
		for i := 0; i < 12; i++ {
			x = g.chain(x, mk(t, "TransformerDecoder", P{"num_heads": 12, "ff_dim": 3072, "norm_first": true}))
		}
	}
	g.chain(x, mk(t, "LayerNormalization", P{"epsilon": 1e-5}))
	return g
}

func TestGPT2Small(t *testing.T) {
	for _, stacked := range []bool{false, true} {
		g := gpt2Small(t, stacked)
		if d := g.check(); len(d.Items) != 0 {
			t.Fatal(errorsOf(d))
		}
		if tr, nt := totals(g.net); tr != 124439808 || nt != 0 {
			t.Errorf("GPT-2 small (stacked=%v): %d + %d, want 124,439,808", stacked, tr, nt)
		}
		if !sameShape(g.net.Output.Shape, sh(1024, 768)) {
			t.Errorf("output %s", fmtShape(g.net.Output.Shape))
		}
	}
}

// bestOf returns the fastest of n runs of f.
func bestOf(n int, f func()) time.Duration {
	best := time.Duration(1 << 62)
	for i := 0; i < n; i++ {
		start := time.Now()
		f()
		if d := time.Since(start); d < best {
			best = d
		}
	}
	return best
}

func deepMLP(t testing.TB, layers int) *ir.Network {
	g := newGraph(t, sh(64))
	x := g.in(0)
	for i := 0; i < layers; i++ {
		x = g.add(mk(t, "Dense", P{"units": 64, "activation": "relu"}), x)
	}
	return g.net
}

func TestTenThousandLayersFast(t *testing.T) {
	net := deepMLP(t, 10000)
	var d diag.List
	took := bestOf(10, func() { Check(net, &d) })
	if d.Len() != 0 {
		t.Fatal(errorsOf(&d))
	}
	if took > raceSlowdown*50*time.Millisecond {
		t.Errorf("10,000 layers took %v, want well under 50ms", took)
	}
	t.Logf("10,000 layers: %v", took)
}

func TestGPT2CheckFast(t *testing.T) {
	net := gpt2Small(t, false).net
	took := bestOf(20, func() { Check(net, &diag.List{}) })
	if took > raceSlowdown*time.Millisecond {
		t.Errorf("GPT-2 small took %v, want well under 1ms", took)
	}
	t.Logf("GPT-2 small: %v", took)
}

func BenchmarkCheck10000(b *testing.B) {
	net := deepMLP(b, 10000)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		Check(net, &diag.List{})
	}
}

func BenchmarkCheckGPT2(b *testing.B) {
	net := gpt2Small(b, false).net
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		Check(net, &diag.List{})
	}
}

func BenchmarkCheckResNet50(b *testing.B) {
	net := resnet50(b).net
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		Check(net, &diag.List{})
	}
}

// hpoMLP is deepMLP with 12 two-way width HPOs spread over the layers:
// 4096 combinations to check.
func hpoMLP(t testing.TB, layers int) *ir.Network {
	g := newGraph(t, sh(64))
	x := g.in(0)
	for i := 0; i < layers; i++ {
		p := P{"units": 64}
		if i%(layers/12) == 0 && len(g.net.HPOs) < 12 {
			h := &ir.HPO{ID: len(g.net.HPOs), Name: "w", Kind: ir.Choice, Shape: true,
				Choices: []ir.Value{{Kind: ir.KInt, Int: 32}, {Kind: ir.KInt, Int: 64}}}
			g.net.HPOs = append(g.net.HPOs, h)
			p["units"] = h
		}
		x = g.add(mk(t, "Dense", p), x)
	}
	return g.net
}

func TestHPOCombinationsFast(t *testing.T) {
	net := hpoMLP(t, 10000)
	var d diag.List
	took := bestOf(3, func() { Check(net, &d) })
	if d.Len() != 0 {
		t.Fatal(errorsOf(&d))
	}
	if took > raceSlowdown*200*time.Millisecond {
		t.Errorf("4096 combinations of a 10,000-layer model took %v", took)
	}
	t.Logf("10,000 layers × 4096 HPO combinations: %v", took)
}

func BenchmarkCheckHPO10000(b *testing.B) {
	net := hpoMLP(b, 10000)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		Check(net, &diag.List{})
	}
}
