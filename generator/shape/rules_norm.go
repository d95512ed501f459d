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

// normRule is a normalization layer: the same shape, gamma and beta per
// channel trainable (center and scale), and movingStats·C non-trainable
// moving statistics. hasAxis: the layer normalizes its axis parameter,
// otherwise the last axis; groups: GroupNormalization's groups must divide
// the channels.
func normRule(hasAxis, groups bool, movingStats, flopsPerElem int64) rule {
	return func(c *ctx, n *ir.Node, in []ir.Shape) (result, error) {
		x, err := single(n, in)
		if err != nil {
			return result{}, err
		}
		ch, err := c.normChannels(n, x, hasAxis)
		if err != nil {
			return result{}, err
		}
		if groups {
			g, err := c.posInt(n, "groups", 32)
			if err != nil {
				return result{}, err
			}
			if ch%g != 0 {
				return result{}, fail("GroupNormalization groups=%d must divide the %d channels of %s", g, ch, fmtShape(x)).
					withHint("use a number of groups that divides %d", ch)
			}
		}
		tr, err := c.affine(n, ch)
		if err != nil {
			return result{}, err
		}
		return result{shape: c.same(x), trainable: tr, nonTrainable: satMul(movingStats, ch), flops: satMul(flopsPerElem, elems(x))}, nil
	}
}

var (
	// BatchNormalization keeps a moving mean and variance (non-trainable).
	ruleBatchNorm    = normRule(true, false, 2, bnFLOPs)
	ruleLayerNorm    = normRule(true, false, 0, normFLOPs)
	ruleGroupNorm    = normRule(false, true, 0, normFLOPs)
	ruleInstanceNorm = normRule(false, false, 0, normFLOPs)
)
