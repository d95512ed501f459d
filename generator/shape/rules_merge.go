package shape

import (
	"strconv"

	"github.com/rules-neural/rules_neural/generator/ir"
)

// ruleElementwise is Add, Subtract, Multiply, Average, Maximum and Minimum:
// equal shapes, where a dimension of size 1 broadcasts; one FLOP per output
// element per extra input.
func ruleElementwise(c *ctx, n *ir.Node, in []ir.Shape) (result, error) {
	if n.Type == "Subtract" && len(in) != 2 {
		return result{}, fail("Subtract takes exactly two inputs but receives %d", len(in))
	}
	if len(in) < 2 {
		return result{}, fail("%s merges at least two inputs but receives %d", n.Type, len(in))
	}
	out := c.same(in[0])
	for j := 1; j < len(in); j++ {
		b := in[j]
		if len(b) != len(out) {
			return result{}, c.vectorHint(n, in, mergeMismatch(n, in, j))
		}
		for d := range out {
			a := out[d]
			switch {
			case a == b[d] || b[d] == 1:
			case a == 1 || a == ir.Unknown:
				out[d] = b[d]
			case b[d] == ir.Unknown:
			default:
				return result{}, mergeMismatch(n, in, j)
			}
		}
	}
	return result{shape: out, flops: satMul(int64(len(in)-1), elems(out))}, nil
}

// mergeMismatch names both shapes and the layers they come from; for a
// residual merge (sema's inputs [block output, shortcut]) it suggests the
// projection shortcut that fixes it.
func mergeMismatch(n *ir.Node, in []ir.Shape, j int) *failure {
	var a, b *ir.Node
	if len(n.Inputs) == len(in) {
		a, b = n.Inputs[0], n.Inputs[j]
	}
	f := fail("%s needs inputs of the same shape (or size-1 dimensions that broadcast) but receives %s from %s and %s from %s",
		n.Type, fmtShape(in[0]), nodeRef(a), fmtShape(in[j]), nodeRef(b))
	if a != nil && a.Span.Start.IsValid() {
		f.withRelated(a.Span, "%s produces %s", nodeRef(a), fmtShape(in[0]))
	}
	if b != nil && b.Span.Start.IsValid() {
		f.withRelated(b.Span, "%s produces %s", nodeRef(b), fmtShape(in[j]))
	}
	if (n.Role == "residual" || n.Role == "implicit-merge") && len(in) == 2 {
		if fix := projection(in[0], in[1]); fix != "" {
			f.withHint("the block changes %s into %s; project the shortcut to match, e.g. `shortcut: { %s }`", fmtShape(in[1]), fmtShape(in[0]), fix)
		} else {
			f.withHint("make the block keep the shape %s, or add a `shortcut: { … }` block that maps it to %s", fmtShape(in[1]), fmtShape(in[0]))
		}
	}
	return f
}

// projection suggests the layer that maps shortcut x to the block output
// y: a 1×1 convolution with the stride that gives y's spatial size, or a
// Dense for vectors. "" when there is no simple one.
func projection(y, x ir.Shape) string {
	if len(y) != len(x) || len(y) == 0 || len(y) > 4 || y[len(y)-1] == ir.Unknown {
		return ""
	}
	ch := strconv.Itoa(y[len(y)-1])
	if len(y) == 1 {
		return "Dense(" + ch + ")"
	}
	stride := 0
	for i := 0; i < len(y)-1; i++ {
		if x[i] == ir.Unknown || y[i] == ir.Unknown || y[i] > x[i] {
			return ""
		}
		s := (x[i] + y[i] - 1) / y[i]
		if (x[i]+s-1)/s != y[i] || (stride != 0 && s != stride) {
			return ""
		}
		stride = s
	}
	conv := "Conv" + strconv.Itoa(len(y)-1) + "D(" + ch + ", 1"
	if stride > 1 {
		conv += ", strides=" + strconv.Itoa(stride)
	}
	return conv + ")"
}

// vectorHint adds the missing-Flatten hint to a merge of a vector with a
// tensor that a Dense-on-an-image produced.
func (c *ctx) vectorHint(n *ir.Node, in []ir.Shape, f *failure) *failure {
	if len(n.Inputs) != len(in) {
		return f
	}
	vector := false
	for _, s := range in {
		vector = vector || len(s) == 1
	}
	if !vector {
		return f
	}
	for j, s := range in {
		if len(s) >= 3 {
			if d, din := c.denseOnImage(n.Inputs[j]); d != nil {
				f.withHint("insert `Flatten()` before `%s`", d.Type)
				f.withRelated(d.Span, "%s applies to the last axis only: it receives %s here and keeps the other dimensions", d.Type, fmtShape(din))
				return f
			}
		}
	}
	return f
}

// ruleConcatenate joins along axis (Keras numbering: -1 is the last, k > 0
// is dimension k without the batch); the other dimensions must match.
func ruleConcatenate(c *ctx, n *ir.Node, in []ir.Shape) (result, error) {
	axis, err := c.intParam(n, "axis", -1)
	if err != nil {
		return result{}, err
	}
	return concat(c, n, in, axis)
}

func concat(c *ctx, n *ir.Node, in []ir.Shape, axis int64) (result, error) {
	if len(in) < 2 {
		return result{}, fail("%s merges at least two inputs but receives %d", n.Type, len(in))
	}
	i, err := featureAxis(n, in[0], axis)
	if err != nil {
		return result{}, err
	}
	out := c.same(in[0])
	for j := 1; j < len(in); j++ {
		b := in[j]
		ok := len(b) == len(out)
		for d := 0; ok && d < len(out); d++ {
			switch {
			case d == i:
				if out[d] == ir.Unknown || b[d] == ir.Unknown {
					out[d] = ir.Unknown
				} else {
					out[d] = clampDim(satAdd(int64(out[d]), int64(b[d])))
				}
			case out[d] == b[d] || b[d] == ir.Unknown:
			case out[d] == ir.Unknown:
				out[d] = b[d]
			default:
				ok = false
			}
		}
		if !ok {
			var a, m *ir.Node
			if len(n.Inputs) == len(in) {
				a, m = n.Inputs[0], n.Inputs[j]
			}
			return result{}, c.vectorHint(n, in, fail("%s along axis %d needs the other dimensions to match but receives %s from %s and %s from %s",
				n.Type, axis, fmtShape(in[0]), nodeRef(a), fmtShape(b), nodeRef(m)))
		}
	}
	return result{shape: out}, nil
}

// ruleResidual covers a ResidualConnection node that sema left as such:
// either a merge of [block output, shortcut], or one input x with the block
// in Inner, giving block(x) merged with x. merge is add or concat.
func ruleResidual(c *ctx, n *ir.Node, in []ir.Shape) (result, error) {
	mode, err := c.strParam(n, "merge", "add")
	if err != nil {
		return result{}, err
	}
	var block result
	if len(in) == 1 && len(n.Inner) > 0 {
		if block, err = c.applyChain(n, in[0]); err != nil {
			return result{}, err
		}
		in = []ir.Shape{block.shape, in[0]}
	}
	var r result
	if mode == "concat" {
		r, err = concat(c, n, in, -1)
	} else {
		r, err = ruleElementwise(c, n, in)
	}
	r.trainable, r.nonTrainable, r.flops = block.trainable, block.nonTrainable, satAdd(r.flops, block.flops)
	return r, err
}
