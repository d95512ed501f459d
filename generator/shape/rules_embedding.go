package shape

import "github.com/rules-neural/rules_neural/generator/ir"

// ruleEmbedding: integer token indices (T) → (T, output_dim); the table has
// input_dim·output_dim weights.
func ruleEmbedding(c *ctx, n *ir.Node, in []ir.Shape) (result, error) {
	x, err := single(n, in)
	if err != nil {
		return result{}, err
	}
	outDim, err := c.posInt(n, "output_dim", required)
	if err != nil {
		return result{}, err
	}
	if !c.inTokens {
		from := ""
		if len(n.Inputs) == 1 && n.Inputs[0] != nil {
			from = " from " + nodeRef(n.Inputs[0])
		}
		return result{}, fail("Embedding expects integer token indices (T,) but receives float features %s%s", fmtShape(x), from).
			withHint("apply Embedding to the token input; to project features use `Dense(%d)`", outDim)
	}
	if len(x) != 1 {
		return result{}, fail("Embedding expects integer token indices (T,) but receives %s", fmtShape(x))
	}
	inDim, err := c.posInt(n, "input_dim", required)
	if err != nil {
		return result{}, err
	}
	out := c.alloc(2)
	out[0], out[1] = x[0], int(outDim)
	return result{shape: out, trainable: satMul(inDim, outDim)}, nil
}

// rulePositionalEncoding keeps (T, F); T must fit max_len; learnable
// encodings are a max_len·F table, sinusoidal ones a fixed buffer.
func rulePositionalEncoding(c *ctx, n *ir.Node, in []ir.Shape) (result, error) {
	x, err := single(n, in)
	if err != nil {
		return result{}, err
	}
	if err := c.needRank(n, x, 2, sequenceLayout); err != nil {
		return result{}, err
	}
	maxLen, err := c.posInt(n, "max_len", 5000)
	if err != nil {
		return result{}, err
	}
	if x[0] != ir.Unknown && int64(x[0]) > maxLen {
		return result{}, fail("PositionalEncoding max_len=%d is shorter than the sequence length %d of %s", maxLen, x[0], fmtShape(x)).
			withHint("set `max_len` to at least %d", x[0])
	}
	kind, err := c.strParam(n, "encoding_type", "sinusoidal")
	if err != nil {
		return result{}, err
	}
	var params int64
	if kind == "learnable" {
		f, err := lastKnown(n, x, "features")
		if err != nil {
			return result{}, err
		}
		params = satMul(maxLen, f)
	}
	return result{shape: c.same(x), trainable: params, flops: elems(x)}, nil
}
