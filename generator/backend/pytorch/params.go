package pytorch

import (
	"math"

	"github.com/rules-neural/rules_neural/generator/ir"
)

// Parameter readers. Values are resolved under the generator's HPO
// assignment (every searched value at its default unless pinned), so the
// lowering code sees plain numbers, booleans and strings. Sema and shape
// inference have validated them; a value of an unexpected kind falls back
// to the schema default rather than panicking.

func (g *gen) value(n *ir.Node, name string) ir.Value {
	v, ok := n.Param(name)
	if !ok {
		return ir.Value{}
	}
	r, err := v.Resolve(g.assign)
	if err != nil {
		return v
	}
	return r
}

// has reports whether the parameter has a value (written or defaulted).
func (g *gen) has(n *ir.Node, name string) bool {
	return g.value(n, name).Kind != ir.KNone
}

func asInt(v ir.Value) (int64, bool) {
	switch v.Kind {
	case ir.KInt:
		return v.Int, true
	case ir.KFloat:
		if v.Float == math.Trunc(v.Float) {
			return int64(v.Float), true
		}
	}
	return 0, false
}

func (g *gen) intParam(n *ir.Node, name string, def int64) int64 {
	if i, ok := asInt(g.value(n, name)); ok {
		return i
	}
	return def
}

func (g *gen) floatParam(n *ir.Node, name string, def float64) float64 {
	v := g.value(n, name)
	if v.IsNumber() {
		return v.Number()
	}
	return def
}

func (g *gen) boolParam(n *ir.Node, name string, def bool) bool {
	v := g.value(n, name)
	if v.Kind == ir.KBool {
		return v.Bool
	}
	return def
}

func (g *gen) strParam(n *ir.Node, name, def string) string {
	v := g.value(n, name)
	if v.Kind == ir.KString || v.Kind == ir.KIdent {
		return v.Str
	}
	return def
}

// tupleParam reads an int-or-tuple parameter as rank integers (an int or a
// 1-tuple applies to every axis); def fills an absent one.
func (g *gen) tupleParam(n *ir.Node, name string, rank int, def int64) []int64 {
	out := make([]int64, rank)
	for i := range out {
		out[i] = def
	}
	v := g.value(n, name)
	switch v.Kind {
	case ir.KTuple, ir.KList:
		for i := 0; i < rank; i++ {
			e := v.Elems[0]
			if len(v.Elems) == rank {
				e = v.Elems[i]
			}
			if x, ok := asInt(e); ok {
				out[i] = x
			}
		}
	default:
		if x, ok := asInt(v); ok {
			for i := range out {
				out[i] = x
			}
		}
	}
	return out
}

// padPairs reads a ZeroPadding/Cropping amount as (before, after) per
// spatial axis, with the forms shape inference accepts.
func (g *gen) padPairs(n *ir.Node, name string, rank int) [][2]int64 {
	out := make([][2]int64, rank)
	v := g.value(n, name)
	set := func(i int, e ir.Value) {
		if e.Kind == ir.KTuple || e.Kind == ir.KList {
			if len(e.Elems) == 2 {
				a, _ := asInt(e.Elems[0])
				b, _ := asInt(e.Elems[1])
				out[i] = [2]int64{a, b}
			}
			return
		}
		a, _ := asInt(e)
		out[i] = [2]int64{a, a}
	}
	switch v.Kind {
	case ir.KTuple, ir.KList:
		allInts := true
		for _, e := range v.Elems {
			if e.Kind == ir.KTuple || e.Kind == ir.KList {
				allInts = false
			}
		}
		switch {
		case rank == 1 && allInts && len(v.Elems) == 2:
			set(0, v)
		case len(v.Elems) == 1:
			for i := 0; i < rank; i++ {
				set(i, v.Elems[0])
			}
		case len(v.Elems) == rank:
			for i := 0; i < rank; i++ {
				set(i, v.Elems[i])
			}
		}
	case ir.KNone:
	default:
		for i := 0; i < rank; i++ {
			set(i, v)
		}
	}
	return out
}

// featureAxis converts a Keras axis (the batch is axis 0, -1 the last) to
// an index into a shape of the given rank.
func featureAxis(axis int64, rank int) int {
	if axis < 0 {
		return rank + int(axis)
	}
	return int(axis) - 1
}
