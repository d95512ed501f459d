package pytorch

import (
	"fmt"

	"github.com/rules-neural/rules_neural/generator/diag"
	"github.com/rules-neural/rules_neural/generator/ir"
)

// layout is where a tensor keeps its channels in torch. The .neural
// language is channels-last; torch's spatial layers want channels first.
// Every value the generator handles carries its layout, and a layer that
// needs the other one gets its input converted inline (movedim), so each
// layer sees exactly the axes Keras would give it.
type layout int

const (
	// channelsLast: torch dims are (N, *dsl shape).
	channelsLast layout = iota
	// channelsFirst: the last .neural axis is torch dim 1: (N, C, *spatial).
	channelsFirst
)

// tensor is a value of forward(): the Python expression that holds it, its
// .neural shape (without the batch) and its torch layout. mask is the
// Keras padding mask (N, T) riding along with a sequence, or nil.
type tensor struct {
	e     expr
	shape ir.Shape
	lay   layout
	mask  *maskVal
}

// maskVal is a padding mask held in a local variable. Its statement is
// only written when a layer uses the mask (masks follow Keras' propagation,
// but most layers ignore them).
type maskVal struct {
	name string
	used bool
	deps []*maskVal // the masks a merged mask is computed from
}

// use marks the mask (and what it is computed from) as needed and returns
// its name.
func (m *maskVal) use() expr {
	if !m.used {
		m.used = true
		for _, d := range m.deps {
			d.use()
		}
	}
	return atom(m.name)
}

func (t tensor) rank() int { return len(t.shape) }

// last is the size of the last .neural axis (the channels / features).
func (t tensor) last() int64 {
	if len(t.shape) == 0 {
		return 0
	}
	return int64(t.shape[len(t.shape)-1])
}

// in returns t's expression in the wanted layout. The conversion is an
// explicit permute (x.permute(0, 3, 1, 2)): torch 1.13 exports movedim to
// ONNX without the shapes that normalizations need.
func (t tensor) in(want layout) expr {
	r := t.rank()
	if r < 2 || t.lay == want {
		return t.e
	}
	perm := []expr{pyInt(0)}
	if want == channelsFirst {
		perm = append(perm, pyInt(int64(r)))
		for d := 1; d < r; d++ {
			perm = append(perm, pyInt(int64(d)))
		}
	} else {
		for d := 2; d <= r; d++ {
			perm = append(perm, pyInt(int64(d)))
		}
		perm = append(perm, pyInt(1))
	}
	return method(t.e, "permute", perm...)
}

// canonical is the layout SPEC promises for a tensor of this rank: images
// and volumes (rank >= 3) channels-first, sequences and vectors as in
// .neural.
func canonical(rank int) layout {
	if rank >= 3 {
		return channelsFirst
	}
	return channelsLast
}

// torchDim is the torch dimension of .neural axis i (0-based, without the
// batch) of t.
func (t tensor) torchDim(i int) int {
	if t.lay == channelsFirst && t.rank() >= 2 {
		if i == t.rank()-1 {
			return 1
		}
		return i + 2
	}
	return i + 1
}

func method(recv expr, name string, args ...expr) expr {
	return call(recv.flat()+"."+name, args...)
}

// stmt is one line (or wrapped statement) of a generated function body.
type stmt struct {
	prefix string // "x = ", "return ", "self.dense = "
	e      expr
	// mask is set on the statement that computes a mask: it is written
	// only if the mask is used.
	mask *maskVal
}

// gen generates one network's module.
type gen struct {
	net    *ir.Network
	source string
	assign ir.Assignment
	diags  *diag.List

	attrs  *scope
	locals *scope
	inits  []stmt
	resets []stmt
	regs   []expr
	fwd    []stmt

	args   []string // forward()'s parameters, one per input
	placed bool     // a device-placement warning was given
	logits bool     // forward() leaves the output's softmax/sigmoid to predict()
}

func newGen(net *ir.Network, source string, assign ir.Assignment, diags *diag.List) *gen {
	return &gen{
		net: net, source: source, assign: assign, diags: diags,
		attrs:  newScope(moduleAttrs, pythonKeywords),
		locals: newScope(localNames, pythonKeywords, moduleNames),
	}
}

// errorf reports that the backend cannot express something of node n, at
// the parameter's position when it was written, else at the layer.
func (g *gen) errorf(n *ir.Node, param string, format string, args ...interface{}) *diag.Diagnostic {
	span := n.Span
	if param != "" {
		for _, p := range n.Params {
			if p.Spec.Name == param && p.Explicit && p.Value.Span.Start.IsValid() {
				span = p.Value.Span
			}
		}
	}
	msg := fmt.Sprintf(format, args...)
	d := g.diags.Add(&diag.Diagnostic{Severity: diag.Error, Span: span,
		Message: "pytorch backend: " + n.Type + " " + quoteName(n.Name) + ": " + msg})
	d.Related = append(d.Related, n.Expansion...)
	return d
}

func quoteName(name string) string { return "`" + name + "`" }

// module registers the torch module of node n as an attribute and returns
// the expression that calls it.
func (g *gen) module(n *ir.Node, ctor expr) string {
	name := "self." + g.attrs.claim(n.Name)
	g.inits = append(g.inits, stmt{prefix: name + " = ", e: ctor})
	return name
}

// emit appends a statement to forward().
func (g *gen) emit(prefix string, e expr) { g.fwd = append(g.fwd, stmt{prefix: prefix, e: e}) }

// emitMask appends the statement computing a new mask to forward().
func (g *gen) emitMask(e expr, deps ...*maskVal) *maskVal {
	m := &maskVal{name: g.locals.claim("mask"), deps: deps}
	g.fwd = append(g.fwd, stmt{prefix: m.name + " = ", e: e, mask: m})
	return m
}

// checkPlacement warns, once per network, that `@ "device"` is not honoured.
func (g *gen) checkPlacement(n *ir.Node) {
	if n.Device == "" || g.placed {
		return
	}
	g.placed = true
	d := g.diags.Warnf(n.Span, "pytorch backend: per-layer device placement (@ %s) is not supported; "+
		"the whole model runs on one device (train.device, execution.device or --device)", pyStr(n.Device))
	d.Related = append(d.Related, n.Expansion...)
}

// forward lowers the graph into forward()'s body and returns the output
// tensor, or false after reporting what cannot be expressed.
func (g *gen) forward(args []string) (tensor, bool) {
	values := map[*ir.Node]tensor{}
	for i, in := range g.net.Inputs {
		t := tensor{e: atom(args[i]), shape: in.Shape, lay: canonical(len(in.Shape))}
		if in.Tokens {
			t.lay = channelsLast
		}
		values[in.Node] = t
	}
	// consumers[i] lists the positions of the nodes reading node i; the
	// return statement reads the output at position len(Nodes).
	consumers := make(map[*ir.Node][]int, len(g.net.Nodes))
	for j, n := range g.net.Nodes {
		for _, p := range n.Inputs {
			consumers[p] = append(consumers[p], j)
		}
	}
	consumers[g.net.Output] = append(consumers[g.net.Output], len(g.net.Nodes))
	ok := true
	failed := map[*ir.Node]bool{}
	for i, n := range g.net.Nodes {
		ins := make([]tensor, 0, len(n.Inputs))
		skip := false
		for _, p := range n.Inputs {
			t, found := values[p]
			switch {
			case failed[p]:
				skip = true
			case !found:
				g.errorf(n, "", "reads a value that is not computed before it")
				return tensor{}, false
			}
			ins = append(ins, t)
		}
		if skip {
			// An input could not be expressed and was reported; its
			// consumers are not reported again.
			failed[n] = true
			continue
		}
		out, good := g.lower(n, ins, n == g.net.Output)
		if !good {
			ok = false
			failed[n] = true
			continue
		}
		name := "x"
		for _, c := range consumers[n] {
			if c != i+1 {
				name = g.locals.claim(n.Name)
				break
			}
		}
		if len(consumers[n]) == 0 {
			name = g.locals.claim(n.Name)
		}
		if out.e.flat() != name {
			g.emit(name+" = ", out.e)
		}
		out.e = atom(name)
		values[n] = out
	}
	if !ok {
		return tensor{}, false
	}
	out, found := values[g.net.Output]
	if !found {
		return tensor{}, false
	}
	return out, true
}

// chain lowers wrapped layers applied in sequence to cur (the block of
// TimeDistributed or a Sequential node), writing each step into x. When
// the wrapper is the network's output, so is its last layer.
func (g *gen) chain(inner []*ir.Node, cur tensor, isOutput bool) (tensor, bool) {
	for i, w := range inner {
		out, ok := g.lower(w, []tensor{cur}, isOutput && i == len(inner)-1)
		if !ok {
			return tensor{}, false
		}
		g.emit("x = ", out.e)
		out.e = atom("x")
		cur = out
	}
	return cur, true
}
