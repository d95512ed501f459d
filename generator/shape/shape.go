// Package shape infers output shapes, parameter counts and FLOPs for every
// node of a network with Keras semantics, and checks every shape-relevant
// combination of HPO values.
//
// Inference is one pass over the nodes in topological order. Each layer
// type has one rule in the table of rules.go; the driver here gathers the
// input shapes, calls the rule, checks its result and records it. A node
// whose rule fails gets an unknown (nil) shape and its consumers are
// skipped silently, so one mistake gives one error.
package shape

import (
	"github.com/rules-neural/rules_neural/generator/diag"
	"github.com/rules-neural/rules_neural/generator/ir"
)

// Check infers shapes for net at the default HPO assignment (filling
// Node.Shape, Trainable, NonTrainable and FLOPs), then checks the other
// shape-relevant HPO combinations. Problems go to diags.
//
// Errors that only follow from an error an earlier stage reported (a
// parameter sema could not bind) are left out when diags already holds
// errors, so pass the list sema reported into.
func Check(net *ir.Network, diags *diag.List) {
	if net == nil {
		return
	}
	if diags == nil {
		diags = &diag.List{}
	}
	k := newChecker(net, diags)
	k.prior = diags.HasErrors()
	c := &ctx{chk: k, st: &k.def, record: true}
	k.inferInputs()
	for i := k.nIn; i < len(k.nodes); i++ {
		if f := k.infer(c, i); f != nil && k.firstReport(k.nodes[i], f) {
			k.report(k.nodes[i], f, "")
		}
	}
	k.checkOutput(c)
	k.checkHPOs()
}

// checker holds one network's graph in slot order: the input nodes first,
// then Network.Nodes. Edges are precomputed as slot indices so that the HPO
// combinations re-run inference without touching maps.
type checker struct {
	net   *ir.Network
	diags *diag.List
	nodes []*ir.Node // by slot; an input slot may hold nil
	nIn   int
	rules []*entry // by slot; nil for inputs and unknown layer types
	// The inputs of slot i are inIdx[inOff[i]:inOff[i+1]]; -1 marks an
	// input that is not computed before slot i (not in the network, or out
	// of topological order).
	inOff []int32
	inIdx []int32
	byPtr map[*ir.Node]int32 // fallback for nodes whose ID is not their position
	def   state              // results of the default assignment
	done  map[*ir.Node]bool  // error sites already reported
	prior bool               // diags held errors before Check
}

// state is the result of one inference pass, by slot.
type state struct {
	shapes []ir.Shape
	flags  []uint8
}

const (
	flagFailed uint8 = 1 << iota // no shape: the rule failed or an input did
	flagTokens                   // carries integer token indices
)

func newChecker(net *ir.Network, diags *diag.List) *checker {
	nIn := len(net.Inputs)
	n := nIn + len(net.Nodes)
	k := &checker{net: net, diags: diags, nIn: nIn,
		nodes: make([]*ir.Node, n), rules: make([]*entry, n), inOff: make([]int32, n+1)}
	for i, in := range net.Inputs {
		if in != nil {
			k.nodes[i] = in.Node
		}
	}
	copy(k.nodes[nIn:], net.Nodes)
	edges := 0
	for _, m := range net.Nodes {
		if m != nil {
			edges += len(m.Inputs)
		}
	}
	k.inIdx = make([]int32, 0, edges)
	for i := nIn; i < n; i++ {
		k.inOff[i] = int32(len(k.inIdx))
		m := k.nodes[i]
		if m == nil {
			continue
		}
		k.rules[i] = lookupRule(m.Type)
		for _, p := range m.Inputs {
			s := k.slotOf(p)
			if int(s) >= i {
				s = -1
			}
			k.inIdx = append(k.inIdx, s)
		}
	}
	k.inOff[n] = int32(len(k.inIdx))
	k.def = state{shapes: make([]ir.Shape, n), flags: make([]uint8, n)}
	return k
}

// slotOf finds a node's slot: by ID for layer nodes (checked), by a scan of
// the few inputs, or through a map built only if sema numbered nodes in an
// unexpected way. -1 means the node is not part of the network.
func (k *checker) slotOf(m *ir.Node) int32 {
	if m == nil {
		return -1
	}
	if m.ID >= 0 && m.ID < len(k.net.Nodes) && k.net.Nodes[m.ID] == m {
		return int32(k.nIn + m.ID)
	}
	for i := 0; i < k.nIn; i++ {
		if k.nodes[i] == m {
			return int32(i)
		}
	}
	if k.byPtr == nil {
		k.byPtr = make(map[*ir.Node]int32, len(k.nodes))
		for i := len(k.nodes) - 1; i >= k.nIn; i-- {
			k.byPtr[k.nodes[i]] = int32(i)
		}
	}
	if s, ok := k.byPtr[m]; ok {
		return s
	}
	return -1
}

// inferInputs records the declared input shapes. Any input may carry token
// indices: the input declaration does not say, and only an Embedding cares.
func (k *checker) inferInputs() {
	for i, in := range k.net.Inputs {
		if in == nil {
			k.def.flags[i] = flagFailed
			continue
		}
		s := make(ir.Shape, len(in.Shape))
		copy(s, in.Shape)
		bad := false
		for _, d := range s {
			if d != ir.Unknown && (d < 1 || d > maxDim) {
				bad = true
			}
		}
		if bad {
			k.diags.Errorf(in.Span, "input `%s` has the shape %s; every dimension must be a positive integer or None", in.Name, fmtShape(s))
			k.def.flags[i] = flagFailed
			continue
		}
		k.def.shapes[i] = s
		k.def.flags[i] = flagTokens
		if in.Node != nil {
			in.Node.Shape = s
			in.Node.Trainable, in.Node.NonTrainable, in.Node.FLOPs = 0, 0, 0
		}
	}
}

// infer runs the rule of slot i under c and stores the result in c.st (and
// on the node when c.record). It returns the failure to report, or nil when
// the node checked out or was skipped because an input failed.
func (k *checker) infer(c *ctx, i int) *failure {
	st := c.st
	n := k.nodes[i]
	in := c.inBuf[:0]
	tokens := true
	var f *failure
	for j, s := range k.inIdx[k.inOff[i]:k.inOff[i+1]] {
		if s < 0 {
			if p := n.Inputs[j]; p == nil || p.Type == "Input" {
				// An input sema rejected and left out of the network.
				k.setFailed(c, i)
				return nil
			}
			f = consequence("%s reads an input that is not computed before it", n.Type)
			break
		}
		if st.flags[s]&flagFailed != 0 {
			k.setFailed(c, i)
			return nil
		}
		in = append(in, st.shapes[s])
		tokens = tokens && st.flags[s]&flagTokens != 0
	}
	c.inBuf = in
	var res result
	if f == nil {
		e := k.rules[i]
		switch {
		case n == nil:
			k.setFailed(c, i)
			return nil
		case e == nil:
			f = consequence("shape inference has no rule for layer type %q", n.Type)
		default:
			c.inTokens = tokens && len(in) > 0
			var err error
			res, err = e.rule(c, n, in)
			if err == nil {
				err = checkResult(n, &res)
			}
			if err != nil {
				f = asFailure(err)
			} else if e.tokens && c.inTokens {
				st.flags[i] = flagTokens
			} else {
				st.flags[i] = 0
			}
		}
	}
	if f != nil {
		k.setFailed(c, i)
		return f
	}
	st.shapes[i] = res.shape
	if c.record {
		n.Shape, n.Trainable, n.NonTrainable, n.FLOPs = res.shape, res.trainable, res.nonTrainable, res.flops
	}
	return nil
}

func (k *checker) setFailed(c *ctx, i int) {
	c.st.shapes[i] = nil
	c.st.flags[i] = flagFailed
	if n := k.nodes[i]; c.record && n != nil {
		n.Shape, n.Trainable, n.NonTrainable, n.FLOPs = nil, 0, 0, 0
	}
}

// checkResult applies the rules every layer shares: no dimension may be
// zero or negative, none may overflow, and counts must fit.
func checkResult(n *ir.Node, r *result) error {
	for _, d := range r.shape {
		if d == ir.Unknown {
			continue
		}
		if d < 1 {
			return fail("%s would produce the output shape %s: every dimension must be positive", n.Type, fmtShape(r.shape))
		}
		if d > maxDim {
			return fail("dimension overflows: %s would produce a dimension of %d elements", n.Type, d)
		}
	}
	if r.trainable >= maxCount || r.nonTrainable >= maxCount {
		return fail("parameter count overflows: %s would have more than %d parameters", n.Type, int64(maxCount))
	}
	return nil
}

// site is the node a failure belongs to.
func site(n *ir.Node, f *failure) *ir.Node {
	if f.at != nil {
		return f.at
	}
	return n
}

// firstReport marks the failure's site as reported and says whether this
// is the first error there: each site is reported once, by the default
// assignment or else by the first HPO combination that breaks it.
func (k *checker) firstReport(n *ir.Node, f *failure) bool {
	s := site(n, f)
	if k.done == nil {
		k.done = make(map[*ir.Node]bool)
	}
	if k.done[s] {
		return false
	}
	k.done[s] = true
	return true
}

// report turns a failure into a diagnostic at its node, followed by the
// failure's own notes and the macro backtrace of the node.
func (k *checker) report(n *ir.Node, f *failure, prefix string) {
	k.reportAs(diag.Error, n, f, prefix)
}

// reportAs reports f with the given severity.
func (k *checker) reportAs(sev diag.Severity, n *ir.Node, f *failure, prefix string) {
	if f.quiet && k.prior {
		return
	}
	s := site(n, f)
	d := k.diags.Add(&diag.Diagnostic{Severity: sev, Span: s.Span, Message: prefix + f.msg})
	d.Hint = f.hint
	d.Related = append(d.Related, f.related...)
	exp := s.Expansion
	if len(exp) == 0 && s != n {
		exp = n.Expansion
	}
	d.Related = append(d.Related, exp...)
}
