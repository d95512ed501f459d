package shape

import (
	"math/rand"
	"strings"
	"testing"

	"github.com/rules-neural/rules_neural/generator/diag"
	"github.com/rules-neural/rules_neural/generator/ir"
)

// randomValue returns a value of any kind, mostly plausible, sometimes
// absurd, including HPOs and expressions.
func randomValue(r *rand.Rand, hpos *[]*ir.HPO, depth int) ir.Value {
	ints := []int64{-5, -1, 0, 1, 2, 3, 4, 7, 64, 1 << 40, 1 << 62, -1 << 62}
	switch r.Intn(12) {
	case 0, 1, 2, 3:
		return ir.Value{Kind: ir.KInt, Int: ints[r.Intn(len(ints))]}
	case 4:
		return ir.Value{Kind: ir.KFloat, Float: []float64{0.5, 2, -1, 1e300}[r.Intn(4)]}
	case 5:
		return ir.Value{Kind: ir.KString, Str: []string{"same", "valid", "causal", "relu", "concat", "sum", "learnable", "x"}[r.Intn(8)]}
	case 6:
		return ir.Value{Kind: ir.KBool, Bool: r.Intn(2) == 0}
	case 7, 8:
		if depth > 2 {
			return ir.Value{Kind: ir.KInt, Int: 2}
		}
		t := ir.Value{Kind: ir.KTuple}
		for i := r.Intn(4); i >= 0; i-- {
			t.Elems = append(t.Elems, randomValue(r, hpos, depth+1))
		}
		return t
	case 9:
		if depth > 2 {
			return ir.Value{}
		}
		h := &ir.HPO{ID: len(*hpos), Name: "h", Kind: ir.Choice, Shape: true}
		for i := r.Intn(3); i >= 0; i-- {
			h.Choices = append(h.Choices, randomValue(r, hpos, 3))
		}
		*hpos = append(*hpos, h)
		return ir.Value{Kind: ir.KHPO, HPO: h}
	case 10:
		if depth > 2 {
			return ir.Value{}
		}
		op := []string{"+", "-", "*", "/", "neg"}[r.Intn(5)]
		return ir.Value{Kind: ir.KExpr, Expr: &ir.Expr{Op: op, L: randomValue(r, hpos, depth+1), R: randomValue(r, hpos, depth+1)}}
	}
	return ir.Value{}
}

func randomNode(r *rand.Rand, hpos *[]*ir.HPO, depth int) *ir.Node {
	spec := ir.Layers[r.Intn(len(ir.Layers))]
	n := &ir.Node{Type: spec.Name, Spec: spec, Name: spec.Name}
	for _, ps := range spec.Params {
		v := ps.Default
		if r.Intn(3) == 0 {
			v = randomValue(r, hpos, 0)
		}
		n.Params = append(n.Params, ir.Param{Spec: ps, Value: v})
	}
	if spec.Block && depth < 2 {
		for i := r.Intn(3); i > 0; i-- {
			n.Inner = append(n.Inner, randomNode(r, hpos, depth+1))
		}
	}
	return n
}

// TestRandomIRNeverPanics feeds random graphs of random layers with random
// parameter values through Check.
func TestRandomIRNeverPanics(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	dims := []int{ir.Unknown, 1, 2, 3, 5, 8, 28, 64, 1 << 20}
	errs, ok := 0, 0
	for iter := 0; iter < 3000; iter++ {
		var hpos []*ir.HPO
		var shapes []ir.Shape
		for i := r.Intn(3); i >= 0; i-- {
			s := ir.Shape{}
			for j := r.Intn(6); j > 0; j-- {
				s = append(s, dims[r.Intn(len(dims))])
			}
			shapes = append(shapes, s)
		}
		g := newGraph(t, shapes...)
		avail := []*ir.Node{}
		for i := range shapes {
			avail = append(avail, g.in(i))
		}
		for i := r.Intn(8) + 1; i > 0; i-- {
			n := randomNode(r, &hpos, 0)
			var ins []*ir.Node
			for j := r.Intn(3); j >= 0; j-- {
				ins = append(ins, avail[r.Intn(len(avail))])
			}
			if r.Intn(4) != 0 {
				ins = ins[:1]
			}
			avail = append(avail, g.add(n, ins...))
		}
		g.net.HPOs = hpos
		var d diag.List
		func() {
			defer func() {
				if p := recover(); p != nil {
					t.Fatalf("iteration %d panicked: %v", iter, p)
				}
			}()
			Check(g.net, &d)
		}()
		errs += d.ErrorCount()
		for _, n := range g.net.Nodes {
			if n.Shape != nil {
				ok++
			}
		}
	}
	t.Logf("%d errors, %d nodes inferred", errs, ok)
}

// bruteForceHPO re-infers every node for every combination, without the
// incremental skipping of checkHPOs, and returns the diagnostics.
func bruteForceHPO(net *ir.Network) []string {
	var d diag.List
	k := newChecker(net, &d)
	c := &ctx{chk: k, st: &k.def, record: true}
	k.inferInputs()
	for i := k.nIn; i < len(k.nodes); i++ {
		if f := k.infer(c, i); f != nil && k.firstReport(k.nodes[i], f) {
			k.report(k.nodes[i], f, "")
		}
	}
	sp := k.hpoSpace()
	if sp == nil {
		return errorsOf(&d)
	}
	idx := make([]int, len(sp.hpos))
	for {
		a := make(ir.Assignment, len(net.HPOs))
		for j, h := range sp.hpos {
			a[h.ID] = sp.values[j][idx[j]]
		}
		st := &state{shapes: append([]ir.Shape(nil), k.def.shapes...), flags: append([]uint8(nil), k.def.flags...)}
		c := &ctx{chk: k, st: st, a: a}
		for i := k.nIn; i < len(k.nodes); i++ {
			if f := k.infer(c, i); f != nil && k.firstReport(k.nodes[i], f) {
				f.hint = joinHint(f.hint, "this combination is invalid and is skipped by the search; give both values the same choices, or tie them through one macro parameter, to avoid it")
				k.reportAs(diag.Warning, k.nodes[i], f, sp.prefix(i, a))
			}
		}
		j := len(idx) - 1
		for ; j >= 0; j-- {
			idx[j]++
			if idx[j] < len(sp.values[j]) {
				break
			}
			idx[j] = 0
		}
		if j < 0 {
			break
		}
	}
	return errorsOf(&d)
}

// TestIncrementalHPOMatchesBruteForce compares checkHPOs with re-inferring
// everything for every combination, on random conv/pool/dense chains with
// integer HPOs.
func TestIncrementalHPOMatchesBruteForce(t *testing.T) {
	r := rand.New(rand.NewSource(7))
	layers := []struct {
		typ   string
		param string
	}{
		{"Conv2D", "kernel_size"}, {"Conv2D", "strides"}, {"MaxPooling2D", "pool_size"},
		{"Conv2D", "filters"}, {"Cropping2D", "cropping"}, {"UpSampling2D", "size"}, {"ZeroPadding2D", "padding"},
	}
	compared := 0
	for iter := 0; iter < 300; iter++ {
		g := newGraph(t, sh(12, 12, 3))
		var hpos []*ir.HPO
		x := g.in(0)
		var prev []*ir.Node
		for i := r.Intn(8) + 1; i > 0; i-- {
			l := layers[r.Intn(len(layers))]
			p := P{}
			if l.typ == "Conv2D" {
				p["filters"], p["kernel_size"] = 4, 3
				if r.Intn(2) == 0 {
					p["padding"] = "same"
				}
			}
			if r.Intn(3) != 0 {
				var h *ir.HPO
				if len(hpos) > 0 && r.Intn(3) == 0 {
					h = hpos[r.Intn(len(hpos))] // shared across layers
				} else {
					vals := []int{1, 2, 3, 4, 5}
					r.Shuffle(len(vals), func(a, b int) { vals[a], vals[b] = vals[b], vals[a] })
					h = intChoice(len(hpos), "h"+string(rune('a'+len(hpos))), vals[:1+r.Intn(3)]...)
					hpos = append(hpos, h)
				}
				p[l.param] = h
			}
			n := mk(t, l.typ, p)
			if len(prev) > 0 && r.Intn(4) == 0 {
				// A residual Add with an earlier node.
				x = g.add(n, x)
				x = g.add(mk(t, "Add", nil), x, prev[r.Intn(len(prev))])
			} else {
				x = g.add(n, x)
			}
			prev = append(prev, x)
		}
		g.net.HPOs = hpos
		want := bruteForceHPO(g.net)
		got := errorsOf(g.check())
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Fatalf("iteration %d:\nincremental %q\nbrute force %q", iter, got, want)
		}
		if len(got) > 1 {
			compared++
		}
	}
	t.Logf("%d networks with several errors compared", compared)
}
