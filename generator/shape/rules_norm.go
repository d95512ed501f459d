package shape

import "github.com/rules-neural/rules_neural/generator/ir"

// featureAxis resolves a Keras axis, which counts the batch as axis 0:
// -1 is the last dimension, k > 0 is dimension k of the shape without the
// batch.
func featureAxis(n *ir.Node, x ir.Shape, axis int64) (int, error) {
	rank := int64(len(x))
	i := axis - 1
	if axis < 0 {
		i = rank + axis
	}
	switch {
	case axis == 0:
		return 0, fail("%s cannot use axis 0, the batch axis", n.Type)
	case i < 0 || i >= rank:
		return 0, fail("%s axis %d is out of range for the input %s (valid: -%d…-1 or 1…%d)", n.Type, axis, fmtShape(x), rank, rank)
	}
	return int(i), nil
}

// normChannels reads the size of the normalized axis (axis parameter when
// the layer has one), which must be known.
func (c *ctx) normChannels(n *ir.Node, x ir.Shape, hasAxis bool) (int64, error) {
	if len(x) == 0 {
		return 0, fail("%s needs at least one dimension", n.Type)
	}
	i := len(x) - 1
	if hasAxis {
		axis, err := c.intParam(n, "axis", -1)
		if err != nil {
			return 0, err
		}
		if i, err = featureAxis(n, x, axis); err != nil {
			return 0, err
		}
	}
	if x[i] == ir.Unknown {
		return 0, fail("%s needs a known size of the normalized axis but receives %s", n.Type, fmtShape(x))
	}
	return int64(x[i]), nil
}

// affine counts gamma (scale) and beta (center) of size C.
func (c *ctx) affine(n *ir.Node, channels int64) (int64, error) {
	center, err := c.boolParam(n, "center", true)
	if err != nil {
		return 0, err
	}
	scale, err := c.boolParam(n, "scale", true)
	if err != nil {
		return 0, err
	}
	return satMul(channels, boolInt(center)+boolInt(scale)), nil
}

// ruleBatchNorm: gamma and beta trainable, moving mean and variance not.
func ruleBatchNorm(c *ctx, n *ir.Node, in []ir.Shape) (result, error) {
	x, err := single(n, in)
	if err != nil {
		return result{}, err
	}
	ch, err := c.normChannels(n, x, true)
	if err != nil {
		return result{}, err
	}
	tr, err := c.affine(n, ch)
	if err != nil {
		return result{}, err
	}
	return result{shape: c.same(x), trainable: tr, nonTrainable: satMul(2, ch), flops: satMul(bnFLOPs, elems(x))}, nil
}

func ruleLayerNorm(c *ctx, n *ir.Node, in []ir.Shape) (result, error) {
	x, err := single(n, in)
	if err != nil {
		return result{}, err
	}
	ch, err := c.normChannels(n, x, true)
	if err != nil {
		return result{}, err
	}
	tr, err := c.affine(n, ch)
	if err != nil {
		return result{}, err
	}
	return result{shape: c.same(x), trainable: tr, flops: satMul(normFLOPs, elems(x))}, nil
}

// ruleGroupNorm: groups must divide the channels (last axis).
func ruleGroupNorm(c *ctx, n *ir.Node, in []ir.Shape) (result, error) {
	x, err := single(n, in)
	if err != nil {
		return result{}, err
	}
	ch, err := c.normChannels(n, x, false)
	if err != nil {
		return result{}, err
	}
	groups, err := c.posInt(n, "groups", 32)
	if err != nil {
		return result{}, err
	}
	if ch%groups != 0 {
		return result{}, fail("GroupNormalization groups=%d must divide the %d channels of %s", groups, ch, fmtShape(x)).
			withHint("use a number of groups that divides %d", ch)
	}
	tr, err := c.affine(n, ch)
	if err != nil {
		return result{}, err
	}
	return result{shape: c.same(x), trainable: tr, flops: satMul(normFLOPs, elems(x))}, nil
}

func ruleInstanceNorm(c *ctx, n *ir.Node, in []ir.Shape) (result, error) {
	x, err := single(n, in)
	if err != nil {
		return result{}, err
	}
	ch, err := c.normChannels(n, x, false)
	if err != nil {
		return result{}, err
	}
	tr, err := c.affine(n, ch)
	if err != nil {
		return result{}, err
	}
	return result{shape: c.same(x), trainable: tr, flops: satMul(normFLOPs, elems(x))}, nil
}
