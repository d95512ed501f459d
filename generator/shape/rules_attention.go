package shape

import "github.com/rules-neural/rules_neural/generator/ir"

// ruleMultiHeadAttention follows Keras MultiHeadAttention: inputs are
// [query] (self-attention), [query, value] (key = value) or
// [query, value, key]; the output has the query's shape. Params: query and
// key projections F→heads·key_dim, value F→heads·value_dim, output
// heads·value_dim→F_query, each with a bias when use_bias.
func ruleMultiHeadAttention(c *ctx, n *ir.Node, in []ir.Shape) (result, error) {
	if len(in) < 1 || len(in) > 3 {
		return result{}, fail("MultiHeadAttention takes a query and optionally a context (inputs=[query, context]) but receives %d inputs", len(in))
	}
	q := in[0]
	if err := c.needRank(n, q, 2, sequenceLayout); err != nil {
		return result{}, err
	}
	fq, err := lastKnown(n, q, "features")
	if err != nil {
		return result{}, err
	}
	heads, err := c.posInt(n, "num_heads", required)
	if err != nil {
		return result{}, err
	}
	// mode="cross" with a single input attends to that input; sema warns
	// about it, the shapes are those of self-attention.
	v, k := q, q
	if len(in) >= 2 {
		v, k = in[1], in[1]
		if len(in) == 3 {
			k = in[2]
		}
	}
	for _, s := range in[1:] {
		if len(s) != 2 {
			return result{}, fail("MultiHeadAttention needs a context of shape %s but receives %s", sequenceLayout, fmtShape(s))
		}
	}
	fv, err := lastKnown(n, v, "features")
	if err != nil {
		return result{}, err
	}
	fk, err := lastKnown(n, k, "features")
	if err != nil {
		return result{}, err
	}
	if v[0] != ir.Unknown && k[0] != ir.Unknown && v[0] != k[0] {
		return result{}, fail("MultiHeadAttention needs key and value of the same length but receives %s and %s", fmtShape(k), fmtShape(v))
	}
	keyDim, hasKey, err := c.optInt(n, "key_dim")
	if err != nil {
		return result{}, err
	}
	if !hasKey {
		if fq%heads != 0 {
			return result{}, fail("MultiHeadAttention key_dim defaults to F / num_heads, but F = %d is not divisible by num_heads = %d", fq, heads).
				withHint("set `key_dim` explicitly, or use a num_heads that divides %d", fq)
		}
		keyDim = fq / heads
	} else if keyDim < 1 {
		return result{}, fail("`key_dim` must be at least 1, got %d", keyDim)
	}
	valueDim, hasValue, err := c.optInt(n, "value_dim")
	if err != nil {
		return result{}, err
	}
	if !hasValue {
		valueDim = keyDim
	} else if valueDim < 1 {
		return result{}, fail("`value_dim` must be at least 1, got %d", valueDim)
	}
	bias, err := c.boolParam(n, "use_bias", true)
	if err != nil {
		return result{}, err
	}
	hk, hv := satMul(heads, keyDim), satMul(heads, valueDim)
	params := satAdd(satAdd(satMul(fq, hk), satMul(fk, hk)), satAdd(satMul(fv, hv), satMul(hv, fq)))
	if bias {
		params = satAdd(params, satAdd(satAdd(hk, hk), satAdd(hv, fq)))
	}
	tq, tk := known(q[0]), known(k[0])
	flops := prod(2, tq, fq, hk)               // query projection
	flops = satAdd(flops, prod(2, tk, fk, hk)) // key projection
	flops = satAdd(flops, prod(2, tk, fv, hv)) // value projection
	flops = satAdd(flops, prod(2, tq, tk, hk)) // scores
	flops = satAdd(flops, prod(2, tq, tk, hv)) // weighted sum of values
	flops = satAdd(flops, prod(2, tq, hv, fq)) // output projection
	return result{shape: c.same(q), trainable: params, flops: flops}, nil
}

// ruleTransformer is TransformerEncoder and TransformerDecoder, per layer
// as PyTorch's TransformerEncoderLayer: self-attention 4·(F·F + F), two
// LayerNorms 2·2F, feed-forward F·ff + ff + ff·F + F. A decoder given
// [x, memory] adds cross-attention 4·(F·F + F) and a third LayerNorm 2F.
func ruleTransformer(c *ctx, n *ir.Node, in []ir.Shape) (result, error) {
	decoder := n.Type == "TransformerDecoder"
	maxIn := 1
	if decoder {
		maxIn = 2
	}
	if len(in) < 1 || len(in) > maxIn {
		if decoder {
			return result{}, fail("TransformerDecoder takes x and optionally a memory (inputs=[x, memory]) but receives %d inputs", len(in))
		}
		return result{}, fail("TransformerEncoder takes one input but receives %d", len(in))
	}
	x := in[0]
	if err := c.needRank(n, x, 2, sequenceLayout); err != nil {
		return result{}, err
	}
	f, err := lastKnown(n, x, "features")
	if err != nil {
		return result{}, err
	}
	heads, err := c.posInt(n, "num_heads", required)
	if err != nil {
		return result{}, err
	}
	ff, err := c.posInt(n, "ff_dim", required)
	if err != nil {
		return result{}, err
	}
	layers, err := c.posInt(n, "num_layers", 1)
	if err != nil {
		return result{}, err
	}
	if f%heads != 0 {
		return result{}, fail("%s needs the feature size %d to be divisible by num_heads = %d (each head gets F / num_heads)", n.Type, f, heads).
			withHint("use a num_heads that divides %d, or project the features with `Dense(…)` first", f)
	}
	t := known(x[0])
	attn := satMul(4, satAdd(satMul(f, f), f))
	norm := satMul(2, f)
	per := satAdd(satAdd(attn, satMul(2, norm)), satAdd(satAdd(satMul(f, ff), ff), satAdd(satMul(ff, f), f)))
	attnFLOPs := satAdd(prod(8, t, f, f), prod(4, t, t, f))
	perFLOPs := satAdd(satAdd(attnFLOPs, prod(4, t, f, ff)), prod(2*normFLOPs, t, f))
	if len(in) == 2 {
		m := in[1]
		if len(m) != 2 {
			return result{}, fail("TransformerDecoder needs a memory of shape %s but receives %s", sequenceLayout, fmtShape(m))
		}
		if m[1] != int(f) {
			return result{}, fail("TransformerDecoder needs a memory with the same feature size as x (%d) but receives %s", f, fmtShape(m))
		}
		tm := known(m[0])
		per = satAdd(per, satAdd(attn, norm))
		cross := satAdd(prod(4, t, f, f), prod(4, tm, f, f))
		cross = satAdd(cross, prod(4, t, tm, f))
		perFLOPs = satAdd(perFLOPs, satAdd(cross, prod(normFLOPs, t, f)))
	}
	return result{shape: c.same(x), trainable: satMul(per, layers), flops: satMul(perFLOPs, layers)}, nil
}
