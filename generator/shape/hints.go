package shape

import "github.com/rules-neural/rules_neural/generator/ir"

// Wrong-rank errors and the hints that explain them by looking back along
// the chain of layers that produced the input. These walks run only on the
// error path.

// maxWalk bounds the walks back along a chain (the language caps repeats at
// 10,000, so real chains are shorter).
const maxWalk = 100000

// spatialLayouts names the input layout of conv and pool layers by rank.
var spatialLayouts = [...]string{"", "(steps, channels)", "(height, width, channels)", "(depth, height, width, channels)"}

const sequenceLayout = "(timesteps, features)"

// needRank returns an error unless x has the given rank; layout names what
// the layer expects, e.g. "(height, width, channels)".
func (c *ctx) needRank(n *ir.Node, x ir.Shape, rank int, layout string) error {
	if len(x) == rank {
		return nil
	}
	return c.rankError(n, x, rank, layout)
}

func (c *ctx) rankError(n *ir.Node, x ir.Shape, rank int, layout string) *failure {
	f := fail("%s needs %s but receives %s", n.Type, layout, fmtShape(x))
	if len(n.Inputs) != 1 || n.Inputs[0] == nil {
		return f
	}
	if len(x) < rank {
		c.lowRankHint(n, n.Inputs[0], x, layout, f)
	} else if rank == 1 {
		c.highRankHint(n.Inputs[0], f)
	}
	return f
}

// lowRankHint explains an input with too few dimensions: which earlier
// layer removed them, or that the network input is declared too small.
func (c *ctx) lowRankHint(n, from *ir.Node, x ir.Shape, layout string, f *failure) {
	what := "dimensions"
	switch {
	case n.Spec != nil && n.Spec.Rank > 0:
		what = "spatial dimensions"
	case layout == sequenceLayout:
		what = "time dimension"
	}
	m, isInput := c.reducer(from, len(x))
	switch {
	case m != nil:
		f.msg += "; " + nodeRef(m) + " earlier removed the " + what
		f.withRelated(m.Span, "%s removed here", what)
		switch m.Type {
		case "SimpleRNN", "LSTM", "GRU", "Bidirectional":
			f.withHint("set `return_sequences=true` on `%s` to keep the time dimension", m.Name)
		default:
			f.withHint("move `%s` after the last layer that needs the %s", m.Type, what)
		}
	case isInput:
		f.withHint("declare the input as %s, or add `Reshape(…)` before %s", layout, n.Type)
	}
}

// reducer walks back from m while the shapes keep the given rank and
// returns the layer whose output has that rank but whose input had more.
// isInput is true when the walk reached a network input of that rank.
func (c *ctx) reducer(m *ir.Node, rank int) (reducer *ir.Node, isInput bool) {
	for steps := 0; m != nil && steps < maxWalk; steps++ {
		s, ok := c.shapeOf(m)
		if !ok || len(s) != rank {
			return nil, false
		}
		if len(m.Inputs) == 0 || m.Inputs[0] == nil {
			s := c.chk.slotOf(m)
			return nil, s >= 0 && s < int32(c.chk.nIn)
		}
		p, ok := c.shapeOf(m.Inputs[0])
		if !ok {
			return nil, false
		}
		if len(p) > rank {
			return m, false
		}
		m = m.Inputs[0]
	}
	return nil, false
}

// highRankHint explains an input with too many dimensions where a vector
// is needed, when a Dense was applied to an image: Dense works on the last
// axis only and keeps the others, so the user most likely forgot a Flatten.
func (c *ctx) highRankHint(from *ir.Node, f *failure) {
	d, din := c.denseOnImage(from)
	if d == nil {
		return
	}
	f.withHint("insert `Flatten()` before `%s`", d.Type)
	f.withRelated(d.Span, "%s applies to the last axis only: it receives %s here and keeps the other dimensions", d.Type, fmtShape(din))
}

// pointwise layers act on the last axis or element-wise and keep the rank;
// a walk for a Dense-on-an-image passes through them.
var pointwise = map[string]bool{
	"Dense": true, "Output": true, "Activation": true, "Dropout": true, "GaussianNoise": true,
	"GaussianDropout": true, "AlphaDropout": true, "BatchNormalization": true,
	"LayerNormalization": true, "Identity": true,
}

// denseOnImage walks back from m through pointwise layers and returns the
// earliest Dense (or Output) that received a tensor of rank 3 or more,
// with the shape it received.
func (c *ctx) denseOnImage(m *ir.Node) (*ir.Node, ir.Shape) {
	var found *ir.Node
	var foundIn ir.Shape
	for steps := 0; m != nil && steps < maxWalk && pointwise[m.Type] && len(m.Inputs) == 1; steps++ {
		if m.Type == "Dense" || m.Type == "Output" {
			if s, ok := c.shapeOf(m.Inputs[0]); ok && len(s) >= 3 {
				found, foundIn = m, s
			}
		}
		m = m.Inputs[0]
	}
	return found, foundIn
}

// classificationLosses expect one vector of class scores per example.
var classificationLosses = map[string]bool{
	"categorical_crossentropy": true, "sparse_categorical_crossentropy": true, "binary_crossentropy": true,
}

// checkOutput reports the classic missing Flatten: Dense layers applied to
// feature maps give an output of rank 3 or more where a classification
// loss needs one vector per example. Outputs of rank 3+ that come from
// convolutions (segmentation) are left alone.
func (k *checker) checkOutput(c *ctx) {
	net := k.net
	if net.Loss == nil || !classificationLosses[net.Loss.Name] {
		return
	}
	out := net.Output
	if out == nil && len(net.Nodes) > 0 {
		out = net.Nodes[len(net.Nodes)-1]
	}
	s, ok := c.shapeOf(out)
	if !ok || len(s) < 3 {
		return
	}
	d, din := c.denseOnImage(out)
	if d == nil {
		return
	}
	f := fail("the model output is %s, but %s needs one vector of class scores per example", fmtShape(s), net.Loss.Name)
	f.withHint("insert `Flatten()` before `%s`", d.Type)
	f.withRelated(d.Span, "%s applies to the last axis only: it receives %s here and keeps the other dimensions", d.Type, fmtShape(din))
	k.report(out, f, "")
}
