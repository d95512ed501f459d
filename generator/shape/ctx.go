package shape

import "github.com/rules-neural/rules_neural/generator/ir"

// ctx is what a rule sees besides its node and input shapes: the HPO
// assignment its parameters resolve under, an allocator for output shapes,
// and the state of the pass for hints that look at earlier layers.
type ctx struct {
	chk    *checker
	st     *state
	a      ir.Assignment // nil: every HPO at its default
	record bool          // the default pass: results go onto the nodes
	// inTokens says the node's inputs carry integer token indices.
	inTokens bool
	inBuf    []ir.Shape
	arena    arena
}

// arena hands out output shapes from large blocks, so a pass allocates a
// handful of times instead of once per node. Shapes are capped slices, so
// an append by a caller can never write into a neighbour.
type arena struct {
	buf []int
	off int
}

func (a *arena) alloc(n int) ir.Shape {
	if a.off+n > len(a.buf) {
		size := 2 * len(a.buf)
		if size < 1024 {
			size = 1024
		}
		if size < n {
			size = n
		}
		a.buf = make([]int, size)
		a.off = 0
	}
	s := a.buf[a.off : a.off+n : a.off+n]
	a.off += n
	return s
}

// reset reuses the current block; only for scratch passes whose earlier
// shapes are dead.
func (a *arena) reset() { a.off = 0 }

// alloc returns a shape of rank n for a rule's output. Its memory may be
// reused from an earlier combination, so the rule must set every element.
func (c *ctx) alloc(n int) ir.Shape { return c.arena.alloc(n) }

// same returns a copy of x (layers whose output shape is their input's).
func (c *ctx) same(x ir.Shape) ir.Shape {
	out := c.alloc(len(x))
	copy(out, x)
	return out
}

// shapeOf returns the shape the current pass computed for m.
func (c *ctx) shapeOf(m *ir.Node) (ir.Shape, bool) {
	s := c.chk.slotOf(m)
	if s < 0 || c.st.flags[s]&flagFailed != 0 {
		return nil, false
	}
	return c.st.shapes[s], true
}

// activationFLOPs counts one FLOP per output element for a fused
// activation other than linear.
func (c *ctx) activationFLOPs(n *ir.Node, out ir.Shape) int64 {
	a, err := c.strParam(n, "activation", "linear")
	if err != nil || a == "linear" || a == "" {
		return 0
	}
	return elems(out)
}
