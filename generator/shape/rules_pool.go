package shape

import "github.com/rules-neural/rules_neural/generator/ir"

// poolRule is Max/AveragePooling1D/2D/3D: the conv window rule with
// k = pool_size, s = strides (default pool_size) and no dilation; channels
// are kept.
func poolRule(r int) rule {
	return func(c *ctx, n *ir.Node, in []ir.Shape) (result, error) {
		x, err := single(n, in)
		if err != nil {
			return result{}, err
		}
		if err := c.needRank(n, x, r+1, spatialLayouts[r]); err != nil {
			return result{}, err
		}
		w := window{what: "pool size", param: "pool_size"}
		if _, err := c.tupleParam(n, "pool_size", r, 2, 1, &w.k); err != nil {
			return result{}, err
		}
		hasStrides, err := c.tupleParam(n, "strides", r, 0, 1, &w.s)
		if err != nil {
			return result{}, err
		}
		if !hasStrides {
			w.s = w.k
		}
		w.d = [3]int64{1, 1, 1}
		if w.same, err = c.readPadding(n, r, false); err != nil {
			return result{}, err
		}
		out := c.alloc(r + 1)
		if err := windowShape(n, x, r, &w, out); err != nil {
			return result{}, err
		}
		out[r] = x[r]
		return result{shape: out, flops: satMul(spatialVolume(&w.k, r), elems(out))}, nil
	}
}

// globalPoolRule reduces the spatial axes: (…, C) → (C), or (1, …, 1, C)
// with keepdims.
func globalPoolRule(r int) rule {
	return func(c *ctx, n *ir.Node, in []ir.Shape) (result, error) {
		x, err := single(n, in)
		if err != nil {
			return result{}, err
		}
		if err := c.needRank(n, x, r+1, spatialLayouts[r]); err != nil {
			return result{}, err
		}
		keep, err := c.boolParam(n, "keepdims", false)
		if err != nil {
			return result{}, err
		}
		var out ir.Shape
		if keep {
			out = c.alloc(r + 1)
			for i := 0; i < r; i++ {
				out[i] = 1
			}
		} else {
			out = c.alloc(1)
		}
		out[len(out)-1] = x[r]
		return result{shape: out, flops: elems(x)}, nil
	}
}
