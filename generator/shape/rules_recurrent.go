package shape

import "github.com/rules-neural/rules_neural/generator/ir"

// recurrentGates gives, per recurrent layer, the number of gate matrices
// and of bias vectors per gate (Keras GRU reset_after=true has two).
var recurrentGates = map[string][2]int64{
	"SimpleRNN": {1, 1},
	"LSTM":      {4, 1},
	"GRU":       {3, 2},
}

// ruleRecurrent: (T, F) → (units) or (T, units) with return_sequences;
// params gates·units·(F + units) + gates·units·biases.
func ruleRecurrent(c *ctx, n *ir.Node, in []ir.Shape) (result, error) {
	x, err := single(n, in)
	if err != nil {
		return result{}, err
	}
	if err := c.needRank(n, x, 2, sequenceLayout); err != nil {
		return result{}, err
	}
	f, err := lastKnown(n, x, "features")
	if err != nil {
		return result{}, err
	}
	units, err := c.posInt(n, "units", required)
	if err != nil {
		return result{}, err
	}
	seq, err := c.boolParam(n, "return_sequences", false)
	if err != nil {
		return result{}, err
	}
	bias, err := c.boolParam(n, "use_bias", true)
	if err != nil {
		return result{}, err
	}
	g := recurrentGates[n.Type]
	if g[0] == 0 {
		return result{}, fail("%s is not a recurrent layer", n.Type)
	}
	gateUnits := satMul(g[0], units)
	weights := satMul(gateUnits, satAdd(f, units))
	var out ir.Shape
	if seq {
		out = c.alloc(2)
		out[0], out[1] = x[0], int(units)
	} else {
		out = c.alloc(1)
		out[0] = int(units)
	}
	return result{
		shape:     out,
		trainable: satAdd(weights, boolInt(bias)*satMul(gateUnits, g[1])),
		flops:     prod(2, weights, known(x[0])),
	}, nil
}

// applyInner runs the rule of a wrapped layer (TimeDistributed,
// Bidirectional) on x. Errors belong to the wrapped layer's own position.
// tokens says x carries token indices; the result says whether the output
// still does.
func (c *ctx) applyInner(w *ir.Node, x ir.Shape, tokens bool) (result, bool, error) {
	e := lookupRule(w.Type)
	var res result
	var err error
	if e == nil {
		err = consequence("shape inference has no rule for layer type %q", w.Type)
	} else {
		saved := c.inTokens
		c.inTokens = tokens
		res, err = e.rule(c, w, []ir.Shape{x})
		c.inTokens = saved
		if err == nil {
			err = checkResult(w, &res)
		}
	}
	if err != nil {
		f := asFailure(err)
		if f.at == nil {
			f.at = w
		}
		if c.record {
			w.Shape, w.Trainable, w.NonTrainable, w.FLOPs = nil, 0, 0, 0
		}
		return result{}, false, f
	}
	if c.record {
		w.Shape, w.Trainable, w.NonTrainable, w.FLOPs = res.shape, res.trainable, res.nonTrainable, res.flops
	}
	return res, e.tokens && tokens, nil
}

// ruleBidirectional runs one recurrent layer in both directions: twice its
// parameters; merge_mode concat doubles the feature dimension.
func ruleBidirectional(c *ctx, n *ir.Node, in []ir.Shape) (result, error) {
	x, err := single(n, in)
	if err != nil {
		return result{}, err
	}
	if err := c.needRank(n, x, 2, sequenceLayout); err != nil {
		return result{}, err
	}
	if len(n.Inner) != 1 || n.Inner[0] == nil {
		f := fail("Bidirectional wraps exactly one recurrent layer (SimpleRNN, LSTM or GRU) but has %d layers", len(n.Inner))
		f.quiet = len(n.Inner) == 0
		return result{}, f
	}
	w := n.Inner[0]
	if _, ok := recurrentGates[w.Type]; !ok {
		return result{}, fail("Bidirectional wraps a recurrent layer (SimpleRNN, LSTM or GRU), not %s", w.Type)
	}
	r, _, err := c.applyInner(w, x, false)
	if err != nil {
		return result{}, err
	}
	mode, err := c.strParam(n, "merge_mode", "concat")
	if err != nil {
		return result{}, err
	}
	out := c.same(r.shape)
	flops := satMul(2, r.flops)
	switch mode {
	case "concat":
		out[len(out)-1] = clampDim(satMul(2, int64(out[len(out)-1])))
	case "sum", "mul", "ave":
		flops = satAdd(flops, elems(out))
	default:
		return result{}, fail("Bidirectional `merge_mode` must be \"concat\", \"sum\", \"mul\" or \"ave\", got %q", mode)
	}
	return result{shape: out, trainable: satMul(2, r.trainable), nonTrainable: satMul(2, r.nonTrainable), flops: flops}, nil
}

// ruleTimeDistributed applies the wrapped layers in sequence to each step:
// (T, …) → (T, inner output); the weights are the inner layers' (shared
// across steps), the FLOPs T times theirs.
func ruleTimeDistributed(c *ctx, n *ir.Node, in []ir.Shape) (result, error) {
	x, err := single(n, in)
	if err != nil {
		return result{}, err
	}
	if len(x) < 2 {
		return result{}, c.rankError(n, x, 2, "(timesteps, …) with at least one dimension per step")
	}
	if len(n.Inner) == 0 {
		return result{}, consequence("TimeDistributed needs a layer to apply to each time step")
	}
	total, err := c.applyChain(n, x[1:])
	if err != nil {
		return result{}, err
	}
	out := c.alloc(1 + len(total.shape))
	out[0] = x[0]
	copy(out[1:], total.shape)
	total.shape = out
	total.flops = satMul(total.flops, known(x[0]))
	return total, nil
}

// applyChain applies n's wrapped layers in sequence to x and sums their
// counts.
func (c *ctx) applyChain(n *ir.Node, x ir.Shape) (result, error) {
	total := result{shape: x}
	tokens := c.inTokens
	for _, w := range n.Inner {
		if w == nil {
			return result{}, fail("%s has an empty wrapped layer", n.Type)
		}
		r, t, err := c.applyInner(w, total.shape, tokens)
		if err != nil {
			return result{}, err
		}
		tokens = t
		total.shape = r.shape
		total.trainable = satAdd(total.trainable, r.trainable)
		total.nonTrainable = satAdd(total.nonTrainable, r.nonTrainable)
		total.flops = satAdd(total.flops, r.flops)
	}
	return total, nil
}

// ruleSequential is a Sequential container that sema left as a node: its
// block in Inner applied in order (or nothing: the identity).
func ruleSequential(c *ctx, n *ir.Node, in []ir.Shape) (result, error) {
	x, err := single(n, in)
	if err != nil {
		return result{}, err
	}
	r, err := c.applyChain(n, x)
	if err != nil {
		return result{}, err
	}
	r.shape = c.same(r.shape)
	return r, nil
}
