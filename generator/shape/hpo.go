package shape

import (
	"math/big"
	"math/bits"
	"math/rand"
	"strings"

	"github.com/rules-neural/rules_neural/generator/diag"
	"github.com/rules-neural/rules_neural/generator/ir"
)

// maxCombinations bounds the HPO combinations checked per network
// (LANGUAGE.md §8); above it a deterministic sample of this size is checked.
const maxCombinations = 4096

// sampleSeed makes the sample the same on every run and machine.
const sampleSeed = 20240611

// hpoSpace is the set of shape-relevant HPOs a network's nodes use, and for
// each node slot the subset it uses itself (own) and the subset it depends
// on, itself or through its inputs (deps). Both are bit sets stored flat,
// words uint64s per slot.
type hpoSpace struct {
	hpos   []*ir.HPO
	values [][]ir.Value
	words  int
	own    []uint64
	deps   []uint64
	dirty  []int32 // slots that an HPO affects, in order
}

func (sp *hpoSpace) depsHas(i, j int) bool { return sp.deps[i*sp.words+j/64]&(1<<uint(j%64)) != 0 }

// combos walks the combinations and re-infers the affected nodes into
// scratch state. It is incremental: a node is re-inferred only when one of
// its own HPOs changed since the previous combination or the result of one
// of its inputs did, so a value that changes nothing downstream (a Dense
// width followed by another Dense) costs one node, not the rest of the
// network. Pending nodes are a bitmap over slots, walked in slot
// (topological) order; a node's consumers always have higher slots.
type combos struct {
	k       *checker
	sp      *hpoSpace
	c       *ctx
	idx     []int      // current value index per HPO
	prev    []int      // previous combination's indexes; -1 before the first
	users   [][]int32  // per HPO: the slots whose own parameters use it
	outOff  []int32    // consumers of slot s: outIdx[outOff[s]:outOff[s+1]]
	outIdx  []int32    //
	pending []uint64   // bit set of the slots to re-infer in this combination
	owned   []ir.Shape // per slot: storage for scratch shapes, never the nodes' own
}

// checkHPOs re-runs inference for every combination of shape-relevant HPO
// values (or a sample of them) into scratch state, reporting each error
// site once, for the first combination that breaks it. The nodes' results
// stay those of the default assignment. A network without shape HPOs costs
// nothing here.
func (k *checker) checkHPOs() {
	sp := k.hpoSpace()
	if sp == nil {
		return
	}
	radix := make([]int, len(sp.hpos))
	total := big.NewInt(1)
	size := len(k.net.HPOs)
	for j, h := range sp.hpos {
		radix[j] = len(sp.values[j])
		total.Mul(total, big.NewInt(int64(radix[j])))
		if h.ID >= size {
			size = h.ID + 1
		}
	}
	w := newCombos(k, sp, size)
	if total.IsInt64() && total.Int64() <= maxCombinations {
		for {
			w.try()
			// Next combination, the last HPO varying fastest.
			j := len(w.idx) - 1
			for ; j >= 0; j-- {
				w.idx[j]++
				if w.idx[j] < radix[j] {
					break
				}
				w.idx[j] = 0
			}
			if j < 0 {
				return
			}
		}
	}
	k.diags.Warnf(k.net.Span, "network `%s` has %s combinations of shape-relevant HPO values; shape checking covers a deterministic sample of %d",
		k.net.Name, total.String(), maxCombinations)
	rng := rand.New(rand.NewSource(sampleSeed))
	for s := 0; s < maxCombinations; s++ {
		for j := range w.idx {
			w.idx[j] = rng.Intn(radix[j])
		}
		w.try()
	}
}

func newCombos(k *checker, sp *hpoSpace, assignmentSize int) *combos {
	n := len(k.nodes)
	c := &ctx{chk: k, a: make(ir.Assignment, assignmentSize)}
	c.st = &state{shapes: make([]ir.Shape, n), flags: make([]uint8, n)}
	copy(c.st.shapes, k.def.shapes)
	copy(c.st.flags, k.def.flags)
	w := &combos{k: k, sp: sp, c: c,
		idx: make([]int, len(sp.hpos)), prev: make([]int, len(sp.hpos)), users: make([][]int32, len(sp.hpos)),
		outOff: make([]int32, n+1), pending: make([]uint64, (n+63)/64), owned: make([]ir.Shape, n)}
	for j := range w.prev {
		w.prev[j] = -1
	}
	for _, i := range sp.dirty {
		for word, b := range sp.own[int(i)*sp.words : int(i+1)*sp.words] {
			for ; b != 0; b &= b - 1 {
				j := word*64 + bits.TrailingZeros64(b)
				w.users[j] = append(w.users[j], i)
			}
		}
	}
	// Reverse edges in CSR form.
	for _, s := range k.inIdx {
		if s >= 0 {
			w.outOff[s+1]++
		}
	}
	for s := 0; s < n; s++ {
		w.outOff[s+1] += w.outOff[s]
	}
	w.outIdx = make([]int32, w.outOff[n])
	fill := append([]int32(nil), w.outOff[:n]...)
	for i := k.nIn; i < n; i++ {
		for _, s := range k.inIdx[k.inOff[i]:k.inOff[i+1]] {
			if s >= 0 {
				w.outIdx[fill[s]] = int32(i)
				fill[s]++
			}
		}
	}
	return w
}

// try checks the combination w.idx.
func (w *combos) try() {
	sp, c, k := w.sp, w.c, w.k
	for j, h := range sp.hpos {
		if w.idx[j] != w.prev[j] {
			for _, s := range w.users[j] {
				w.pending[s/64] |= 1 << uint(s%64)
			}
		}
		w.prev[j] = w.idx[j]
		c.a[h.ID] = sp.values[j][w.idx[j]]
	}
	c.arena.reset()
	st := c.st
	for word := range w.pending {
		for w.pending[word] != 0 {
			bit := bits.TrailingZeros64(w.pending[word])
			w.pending[word] &^= 1 << uint(bit)
			i := word*64 + bit
			oldShape, oldFlags := st.shapes[i], st.flags[i]
			if f := k.infer(c, i); f != nil && k.firstReport(k.nodes[i], f) {
				// The default combination is checked (and reported as an
				// error) by the main pass. Another combination that fails
				// is a hole in the search space, which is normal for
				// coupled values such as num_heads and d_model: the
				// search driver skips it, and the user is told once.
				f.hint = joinHint(f.hint, "this combination is invalid and is skipped by the search; give both values the same choices, or tie them through one macro parameter, to avoid it")
				k.reportAs(diag.Warning, k.nodes[i], f, sp.prefix(i, c.a))
			}
			if st.flags[i] == oldFlags && sameShape(st.shapes[i], oldShape) {
				st.shapes[i] = oldShape
				continue
			}
			if st.shapes[i] != nil {
				// Move the result out of the arena, which the next
				// combination reuses.
				w.owned[i] = append(w.owned[i][:0], st.shapes[i]...)
				st.shapes[i] = w.owned[i][:len(w.owned[i]):len(w.owned[i])]
			}
			for _, u := range w.outIdx[w.outOff[i]:w.outOff[i+1]] {
				w.pending[u/64] |= 1 << uint(u%64)
			}
		}
	}
}

func joinHint(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

// sameShape compares shapes, nil (failed) being distinct from empty.
func sameShape(a, b ir.Shape) bool {
	if len(a) != len(b) || (a == nil) != (b == nil) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// hpoSpace collects the shape HPOs that node parameters use and the slots
// they affect; nil when there are none.
func (k *checker) hpoSpace() *hpoSpace {
	var shapeHPOs []*ir.HPO
	for _, h := range k.net.HPOs {
		if h != nil && h.Shape && h.ID >= 0 {
			shapeHPOs = append(shapeHPOs, h)
		}
	}
	if len(shapeHPOs) == 0 {
		return nil
	}
	index := make(map[*ir.HPO]int, len(shapeHPOs))
	for i, h := range shapeHPOs {
		index[h] = i
	}
	// Which node uses which HPO; keep the HPOs some node uses and that
	// have values to try.
	type use struct{ slot, hpo int }
	var uses []use
	var buf []*ir.HPO
	for i := k.nIn; i < len(k.nodes); i++ {
		buf = nodeHPOs(k.nodes[i], buf[:0], 0)
		for _, h := range buf {
			if j, ok := index[h]; ok {
				uses = append(uses, use{i, j})
			}
		}
	}
	if len(uses) == 0 {
		return nil
	}
	remap := make([]int, len(shapeHPOs))
	for j := range remap {
		remap[j] = -2 // unused
	}
	for _, u := range uses {
		remap[u.hpo] = -1
	}
	sp := &hpoSpace{}
	for j, h := range shapeHPOs {
		if remap[j] == -2 {
			remap[j] = -1
			continue
		}
		vals := h.Values()
		if len(vals) == 0 || !candidatesOK(vals) {
			continue
		}
		remap[j] = len(sp.hpos)
		sp.hpos = append(sp.hpos, h)
		sp.values = append(sp.values, vals)
	}
	if len(sp.hpos) == 0 {
		return nil
	}
	words := (len(sp.hpos) + 63) / 64
	n := len(k.nodes)
	sp.words = words
	sp.own = make([]uint64, n*words)
	sp.deps = make([]uint64, n*words)
	affected := make([]bool, n)
	for _, u := range uses {
		if j := remap[u.hpo]; j >= 0 {
			sp.own[u.slot*words+j/64] |= 1 << uint(j%64)
			affected[u.slot] = true
		}
	}
	for i := k.nIn; i < n; i++ {
		d := sp.deps[i*words : (i+1)*words]
		copy(d, sp.own[i*words:(i+1)*words])
		for _, s := range k.inIdx[k.inOff[i]:k.inOff[i+1]] {
			if s >= 0 && affected[s] {
				affected[i] = true
				for w, b := range sp.deps[int(s)*words : int(s+1)*words] {
					d[w] |= b
				}
			}
		}
		if affected[i] {
			sp.dirty = append(sp.dirty, int32(i))
		}
	}
	return sp
}

// candidatesOK rejects candidate values that could not be substituted
// (nested HPOs are sema's to report).
func candidatesOK(vals []ir.Value) bool {
	for _, v := range vals {
		if v.IsSymbolic() {
			return false
		}
	}
	return true
}

// nodeHPOs appends the HPOs used by n's shape parameters and by the layers
// it wraps.
func nodeHPOs(n *ir.Node, dst []*ir.HPO, depth int) []*ir.HPO {
	if n == nil || depth > 64 {
		return dst
	}
	for i := range n.Params {
		p := &n.Params[i]
		if p.Spec != nil && !p.Spec.Shape {
			continue
		}
		if p.Value.IsSymbolic() && wellFormed(p.Value) {
			dst = p.Value.HPOs(dst)
		}
	}
	for _, w := range n.Inner {
		dst = nodeHPOs(w, dst, depth+1)
	}
	return dst
}

// prefix names the values of the HPOs slot i depends on:
// "with dense.units=256, conv2d.filters=64: ".
func (sp *hpoSpace) prefix(i int, a ir.Assignment) string {
	var b strings.Builder
	b.WriteString("with ")
	first := true
	for j, h := range sp.hpos {
		if !sp.depsHas(i, j) {
			continue
		}
		if !first {
			b.WriteString(", ")
		}
		first = false
		b.WriteString(h.Name)
		b.WriteByte('=')
		if h.ID >= 0 && h.ID < len(a) {
			b.WriteString(a[h.ID].String())
		}
	}
	b.WriteString(": ")
	return b.String()
}
