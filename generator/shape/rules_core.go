package shape

import "github.com/rules-neural/rules_neural/generator/ir"

// Dense and Output: the last axis of any rank goes to units (Keras).
func ruleDense(c *ctx, n *ir.Node, in []ir.Shape) (result, error) {
	x, err := single(n, in)
	if err != nil {
		return result{}, err
	}
	fin, err := lastKnown(n, x, "features")
	if err != nil {
		return result{}, err
	}
	units, err := c.posInt(n, "units", required)
	if err != nil {
		return result{}, err
	}
	bias, err := c.boolParam(n, "use_bias", true)
	if err != nil {
		return result{}, err
	}
	out := c.same(x)
	out[len(out)-1] = int(units)
	return result{
		shape:     out,
		trainable: satAdd(satMul(fin, units), boolInt(bias)*units),
		flops:     satAdd(prod(2, fin, units, positions(x)), c.activationFLOPs(n, out)),
	}, nil
}

// Activation keeps the shape and costs one FLOP per element.
func ruleActivation(c *ctx, n *ir.Node, in []ir.Shape) (result, error) {
	x, err := single(n, in)
	if err != nil {
		return result{}, err
	}
	out := c.same(x)
	return result{shape: out, flops: c.activationFLOPs(n, out)}, nil
}

// ruleSame is for layers that keep the shape and have no weights: Dropout
// and its relatives, Identity.
func ruleSame(c *ctx, n *ir.Node, in []ir.Shape) (result, error) {
	x, err := single(n, in)
	if err != nil {
		return result{}, err
	}
	return result{shape: c.same(x)}, nil
}

// spatialDropoutRule drops whole channels of a rank-r feature map.
func spatialDropoutRule(r int) rule {
	return func(c *ctx, n *ir.Node, in []ir.Shape) (result, error) {
		x, err := single(n, in)
		if err != nil {
			return result{}, err
		}
		if err := c.needRank(n, x, r+1, spatialLayouts[r]); err != nil {
			return result{}, err
		}
		return result{shape: c.same(x)}, nil
	}
}
