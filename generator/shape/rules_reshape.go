package shape

import "github.com/rules-neural/rules_neural/generator/ir"

// Layers that only rearrange elements: no weights, no FLOPs.

func ruleFlatten(c *ctx, n *ir.Node, in []ir.Shape) (result, error) {
	x, err := single(n, in)
	if err != nil {
		return result{}, err
	}
	total := int64(1)
	for i, d := range x {
		if d == ir.Unknown {
			return result{}, fail("Flatten cannot flatten %s: dimension %d is unknown (None)", fmtShape(x), i+1).
				withHint("give the input a fixed size, or use global pooling instead of `Flatten()`")
		}
		total = satMul(total, int64(d))
	}
	out := c.alloc(1)
	out[0] = clampDim(total)
	return result{shape: out}, nil
}

// clampDim converts a saturated size to an int that checkResult reports as
// an overflow when it is too large.
func clampDim(d int64) int {
	if d > maxDim {
		return maxDim + 1
	}
	return int(d)
}

// ruleReshape: one -1 is inferred; the element count must match.
func ruleReshape(c *ctx, n *ir.Node, in []ir.Shape) (result, error) {
	x, err := single(n, in)
	if err != nil {
		return result{}, err
	}
	v, err := c.value(n, "target_shape")
	if err != nil {
		return result{}, err
	}
	var dims []ir.Value
	switch v.Kind {
	case ir.KTuple, ir.KList:
		dims = v.Elems
	case ir.KNone:
		return result{}, consequence("Reshape needs `target_shape`")
	default:
		dims = []ir.Value{v}
	}
	if len(dims) == 0 {
		return result{}, fail("Reshape needs a non-empty `target_shape`")
	}
	out := c.alloc(len(dims))
	infer, fixed := -1, int64(1)
	for i, e := range dims {
		d, err := toInt("target_shape", e)
		if err != nil {
			return result{}, err
		}
		switch {
		case d == -1:
			if infer >= 0 {
				return result{}, fail("Reshape `target_shape` %s may contain only one -1", v.String())
			}
			infer = i
			continue
		case d < 1:
			return result{}, fail("Reshape `target_shape` %s: every dimension must be positive or the one -1", v.String())
		case d > maxDim:
			return result{}, fail("dimension overflows: Reshape `target_shape` has %d", d)
		}
		out[i] = int(d)
		fixed = satMul(fixed, d)
	}
	total, allKnown := int64(1), true
	for _, d := range x {
		if d == ir.Unknown {
			allKnown = false
			continue
		}
		total = satMul(total, int64(d))
	}
	switch {
	case !allKnown:
		// Checked at run time, as in Keras.
		if infer >= 0 {
			out[infer] = ir.Unknown
		}
	case infer >= 0:
		if total%fixed != 0 {
			return result{}, fail("Reshape cannot turn %s (%d elements) into %s: %d is not a multiple of %d",
				fmtShape(x), total, v.String(), total, fixed)
		}
		out[infer] = clampDim(total / fixed)
	case fixed != total:
		return result{}, fail("Reshape cannot turn %s (%d elements) into %s (%d elements)",
			fmtShape(x), total, v.String(), fixed)
	}
	return result{shape: out}, nil
}

// rulePermute: dims are 1-based (the batch axis is 0) and must be a
// permutation of 1…rank.
func rulePermute(c *ctx, n *ir.Node, in []ir.Shape) (result, error) {
	x, err := single(n, in)
	if err != nil {
		return result{}, err
	}
	v, err := c.value(n, "dims")
	if err != nil {
		return result{}, err
	}
	dims := []ir.Value{v}
	if v.Kind == ir.KTuple || v.Kind == ir.KList {
		dims = v.Elems
	}
	bad := func() error {
		return fail("Permute `dims` %s must be a permutation of 1…%d for the input %s", v.String(), len(x), fmtShape(x))
	}
	if v.Kind == ir.KNone || len(dims) != len(x) {
		return result{}, bad()
	}
	out := c.alloc(len(x))
	seen := make([]bool, len(x))
	for i, e := range dims {
		d, err := toInt("dims", e)
		if err != nil {
			return result{}, err
		}
		if d < 1 || d > int64(len(x)) || seen[d-1] {
			return result{}, bad()
		}
		seen[d-1] = true
		out[i] = x[d-1]
	}
	return result{shape: out}, nil
}

// ruleRepeatVector: (F) → (n, F).
func ruleRepeatVector(c *ctx, n *ir.Node, in []ir.Shape) (result, error) {
	x, err := single(n, in)
	if err != nil {
		return result{}, err
	}
	if err := c.needRank(n, x, 1, "a vector (features)"); err != nil {
		return result{}, err
	}
	times, err := c.posInt(n, "n", required)
	if err != nil {
		return result{}, err
	}
	out := c.alloc(2)
	out[0], out[1] = int(times), x[0]
	return result{shape: out}, nil
}

// upSamplingRule repeats each spatial axis size times.
func upSamplingRule(r int) rule {
	return func(c *ctx, n *ir.Node, in []ir.Shape) (result, error) {
		x, err := single(n, in)
		if err != nil {
			return result{}, err
		}
		if err := c.needRank(n, x, r+1, spatialLayouts[r]); err != nil {
			return result{}, err
		}
		var size [3]int64
		if _, err := c.tupleParam(n, "size", r, 2, 1, &size); err != nil {
			return result{}, err
		}
		interp, err := c.strParam(n, "interpolation", "nearest")
		if err != nil {
			return result{}, err
		}
		out := c.same(x)
		for i := 0; i < r; i++ {
			if x[i] != ir.Unknown {
				out[i] = clampDim(satMul(int64(x[i]), size[i]))
			}
		}
		var flops int64
		if interp != "nearest" {
			// (bi/tri)linear: a weighted sum of 2^r neighbours per output.
			flops = satMul(2*int64(1)<<uint(r), elems(out))
		}
		return result{shape: out, flops: flops}, nil
	}
}

// paddingRule is ZeroPadding (adds) and Cropping (removes) on the spatial
// axes.
func paddingRule(r int, crop bool) rule {
	name := "padding"
	if crop {
		name = "cropping"
	}
	return func(c *ctx, n *ir.Node, in []ir.Shape) (result, error) {
		x, err := single(n, in)
		if err != nil {
			return result{}, err
		}
		if err := c.needRank(n, x, r+1, spatialLayouts[r]); err != nil {
			return result{}, err
		}
		var p [3][2]int64
		if err := c.padParam(n, name, r, &p); err != nil {
			return result{}, err
		}
		out := c.same(x)
		for i := 0; i < r; i++ {
			if x[i] == ir.Unknown {
				continue
			}
			d := int64(x[i])
			if !crop {
				out[i] = clampDim(satAdd(d, satAdd(p[i][0], p[i][1])))
				continue
			}
			if rest := d - p[i][0] - p[i][1]; rest < 1 {
				return result{}, fail("%s removes %d+%d from the %s of size %d in %s, leaving nothing",
					n.Type, p[i][0], p[i][1], axisNames[r][i], d, fmtShape(x))
			}
			out[i] = int(d - p[i][0] - p[i][1])
		}
		return result{shape: out}, nil
	}
}
