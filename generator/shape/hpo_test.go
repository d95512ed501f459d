package shape

import (
	"fmt"
	"github.com/rules-neural/rules_neural/generator/diag"
	"strings"
	"testing"

	"github.com/rules-neural/rules_neural/generator/ir"
)

func intChoice(id int, name string, vals ...int) *ir.HPO {
	h := &ir.HPO{ID: id, Name: name, Kind: ir.Choice, Shape: true}
	for _, v := range vals {
		h.Choices = append(h.Choices, ir.Value{Kind: ir.KInt, Int: int64(v)})
	}
	return h
}

func TestHPODefaultsStayOnNodes(t *testing.T) {
	units := intChoice(0, "dense.units", 64, 128, 256)
	g := newGraph(t, sh(32))
	dense := g.add(mk(t, "Dense", P{"units": units}), g.in(0))
	g.net.HPOs = []*ir.HPO{units}
	if d := g.check(); len(d.Items) != 0 {
		t.Fatal(errorsOf(d))
	}
	if !sameShape(dense.Shape, sh(64)) || dense.Trainable != 32*64+64 {
		t.Errorf("default result replaced: %s %d", fmtShape(dense.Shape), dense.Trainable)
	}
}

// TestHPOCombinationWarning: a non-default combination that breaks shapes
// is a hole in the search space, reported once per site as a warning (the
// default combination is valid here, so the model checks).
func TestHPOCombinationWarning(t *testing.T) {
	kernel := intChoice(0, "conv2d.kernel_size", 3, 5, 7)
	filters := intChoice(1, "conv2d.filters", 8, 16)
	rate := &ir.HPO{ID: 2, Name: "dropout.rate", Kind: ir.Choice, Choices: []ir.Value{{Kind: ir.KFloat, Float: 0.1}, {Kind: ir.KFloat, Float: 0.5}}}
	g := newGraph(t, sh(6, 6, 1))
	conv := g.add(mk(t, "Conv2D", P{"filters": filters, "kernel_size": kernel}), g.in(0))
	pool := g.add(mk(t, "MaxPooling2D", P{"pool_size": 3}), conv)
	g.add(mk(t, "Dropout", P{"rate": rate}), pool)
	g.net.HPOs = []*ir.HPO{kernel, filters, rate}
	d := g.check()
	if len(d.Items) != 2 {
		t.Fatalf("want two errors, got %q", errorsOf(d))
	}
	// kernel 5 leaves 2×2 for the 3×3 pool; kernel 7 breaks the conv.
	got := map[string]string{}
	for _, e := range d.Items {
		got[e.Span.Start.String()] = e.Message
		if e.Severity != diag.Warning {
			t.Errorf("%s: %s, want a warning", e.Severity, e.Message)
		}
	}
	convMsg := got[conv.Span.Start.String()]
	if want := "with conv2d.kernel_size=7, conv2d.filters=8: Conv2D kernel 7 is larger than the input 6 along the height of (6, 6, 1)"; convMsg != want {
		t.Errorf("conv error %q\nwant %q", convMsg, want)
	}
	poolMsg := got[pool.Span.Start.String()]
	if want := "with conv2d.kernel_size=5, conv2d.filters=8: MaxPooling2D pool size 3 is larger than the input 2 along the height of (2, 2, 8)"; poolMsg != want {
		t.Errorf("pool error %q\nwant %q", poolMsg, want)
	}
	// The default results are untouched.
	if !sameShape(conv.Shape, sh(4, 4, 8)) || !sameShape(pool.Shape, sh(1, 1, 8)) {
		t.Errorf("default shapes changed: %s %s", fmtShape(conv.Shape), fmtShape(pool.Shape))
	}
}

func TestHPOReportsEachSiteOnce(t *testing.T) {
	k := intChoice(0, "k", 1, 9, 10, 11)
	g := newGraph(t, sh(8, 8, 1))
	g.add(mk(t, "Conv2D", P{"filters": 2, "kernel_size": k}), g.in(0))
	g.net.HPOs = []*ir.HPO{k}
	d := g.check()
	if len(d.Items) != 1 || !strings.HasPrefix(d.Items[0].Message, "with k=9: ") {
		t.Errorf("%q", errorsOf(d))
	}
}

func TestHPODefaultErrorNotRepeated(t *testing.T) {
	k := intChoice(0, "k", 9, 10)
	g := newGraph(t, sh(8, 8, 1))
	g.add(mk(t, "Conv2D", P{"filters": 2, "kernel_size": k}), g.in(0))
	g.net.HPOs = []*ir.HPO{k}
	d := g.check()
	if len(d.Items) != 1 || strings.HasPrefix(d.Items[0].Message, "with") {
		t.Errorf("%q", errorsOf(d))
	}
}

func TestHPOExpressionAcrossLayers(t *testing.T) {
	// d_model = choice(64, 96); heads = choice(4, 5); key_dim defaults to
	// d_model / heads, which is not whole for 64/5 and 96/5.
	dm := intChoice(0, "d_model", 64, 96)
	heads := intChoice(1, "heads", 4, 5)
	g := newGraph(t, sh(10))
	emb := g.add(mk(t, "Embedding", P{"input_dim": 100, "output_dim": dm}), g.in(0))
	mha := g.add(mk(t, "MultiHeadAttention", P{"num_heads": heads}), emb)
	g.net.HPOs = []*ir.HPO{dm, heads}
	d := g.check()
	if len(d.Items) != 1 {
		t.Fatalf("%q", errorsOf(d))
	}
	if want := "with d_model=64, heads=5: MultiHeadAttention key_dim defaults to F / num_heads, but F = 64 is not divisible by num_heads = 5"; d.Items[0].Message != want || d.Items[0].Span != mha.Span {
		t.Errorf("%q", d.Items[0].Message)
	}
}

func TestHPOSampling(t *testing.T) {
	// 13 two-way HPOs: 8192 combinations, above the 4096 limit.
	g := newGraph(t, sh(16))
	from := g.in(0)
	for i := 0; i < 13; i++ {
		h := intChoice(i, fmt.Sprintf("dense_%d.units", i), 8, 16)
		g.net.HPOs = append(g.net.HPOs, h)
		from = g.add(mk(t, "Dense", P{"units": h}), from)
	}
	d := g.check()
	if len(d.Items) != 1 || d.Items[0].Severity.String() != "warning" ||
		!strings.Contains(d.Items[0].Message, "8192 combinations") || !strings.Contains(d.Items[0].Message, "sample of 4096") {
		t.Errorf("%q", errorsOf(d))
	}
}

func TestHPOSamplingDeterministic(t *testing.T) {
	run := func() []string {
		g := newGraph(t, sh(40, 40, 1))
		from := g.in(0)
		for i := 0; i < 7; i++ {
			h := intChoice(i, fmt.Sprintf("conv_%d.kernel_size", i), 1, 2, 3, 4, 5, 6, 7, 8, 9)
			g.net.HPOs = append(g.net.HPOs, h)
			from = g.add(mk(t, "Conv2D", P{"filters": 2, "kernel_size": h}), from)
		}
		return errorsOf(g.check())
	}
	a, b := run(), run()
	if strings.Join(a, "\n") != strings.Join(b, "\n") || len(a) < 2 {
		t.Errorf("sampling is not deterministic or found nothing:\n%q\n%q", a, b)
	}
}

func TestHPONonShapeIgnored(t *testing.T) {
	rate := &ir.HPO{ID: 0, Name: "rate", Kind: ir.Choice, Choices: []ir.Value{{Kind: ir.KFloat, Float: 0.1}}}
	g := newGraph(t, sh(4))
	g.add(mk(t, "Dropout", P{"rate": rate}), g.in(0))
	g.net.HPOs = []*ir.HPO{rate}
	k := newChecker(g.net, nil)
	if sp := k.hpoSpace(); sp != nil {
		t.Errorf("non-shape HPO enumerated: %+v", sp)
	}
}

func TestHPORange(t *testing.T) {
	h := &ir.HPO{ID: 0, Name: "pool", Kind: ir.Range, Shape: true,
		Lo: ir.Value{Kind: ir.KInt, Int: 1}, Hi: ir.Value{Kind: ir.KInt, Int: 20}, Step: ir.Value{Kind: ir.KInt, Int: 3}}
	g := newGraph(t, sh(12, 4))
	g.add(mk(t, "MaxPooling1D", P{"pool_size": h}), g.in(0))
	g.net.HPOs = []*ir.HPO{h}
	d := g.check()
	if len(d.Items) != 1 || !strings.HasPrefix(d.Items[0].Message, "with pool=13: MaxPooling1D pool size 13 is larger than the input 12") {
		t.Errorf("%q", errorsOf(d))
	}
}
