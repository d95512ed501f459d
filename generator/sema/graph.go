package sema

import (
	"fmt"
	"strings"

	"github.com/rules-neural/rules_neural/generator/diag"
	"github.com/rules-neural/rules_neural/generator/ir"
	"github.com/rules-neural/rules_neural/generator/syntax"
)

// block is one level of nesting in the body: the network's layers, a macro
// body, a ResidualConnection, a Sequential, a branch. It carries the
// residual anchor of LANGUAGE.md §5.2.
type block struct {
	// anchor is the input of the block, or the output of the last merge in
	// it: what an implicit merge combines the current tensor with.
	anchor *ir.Node
	// pending lists the branches run since the last merge, in order.
	pending []pendingBranch
	// residual is set directly inside a ResidualConnection, where
	// `shortcut: { … }` replaces the identity path.
	residual *residualCtx
	// inner is set inside TimeDistributed / Bidirectional: layers are
	// collected there instead of being wired into the graph.
	inner *[]*ir.Node
	// wrapper names the wrapping layer for messages when inner is set.
	wrapper string
}

type pendingBranch struct {
	name string
	out  *ir.Node
	span diag.Span
}

type residualCtx struct {
	input    *ir.Node
	shortcut *ir.Node
	span     diag.Span // of the `shortcut:` name, once seen
	has      bool
}

func (blk *block) addPending(name string, out *ir.Node, span diag.Span) {
	for i := range blk.pending {
		if blk.pending[i].name == name {
			blk.pending[i].out = out
			return
		}
	}
	blk.pending = append(blk.pending, pendingBranch{name: name, out: out, span: span})
}

// child returns a nested block starting at anchor that keeps the wrapping
// context of blk.
func (blk *block) child(anchor *ir.Node) *block {
	return &block{anchor: anchor, inner: blk.inner, wrapper: blk.wrapper}
}

// stmts lowers a sequence of statements starting from cur and returns the
// tensor that comes out.
func (nb *netBuilder) stmts(list []*syntax.Stmt, cur *ir.Node, blk *block, en *env) *ir.Node {
	for _, st := range list {
		if nb.stopped {
			return cur
		}
		if st == nil {
			continue
		}
		switch {
		case st.Branch != nil:
			cur = nb.branch(st.Branch, cur, blk, en)
		case st.Layer != nil:
			cur = nb.layerStmt(st.Layer, cur, blk, en)
		}
	}
	return cur
}

// layerStmt lowers one statement, repeated `* N` times.
func (nb *netBuilder) layerStmt(l *syntax.Layer, cur *ir.Node, blk *block, en *env) *ir.Node {
	if l.Name == nil {
		return cur
	}
	n := 1
	if l.Repeat != nil {
		n = nb.repeatCount(l.Repeat, en)
	}
	for i := 0; i < n && !nb.stopped; i++ {
		nodes0, steps0 := nb.nodes, nb.steps
		cur = nb.layerOnce(l, cur, blk, en)
		if i == 0 && n > 1 && !nb.stopped {
			// Every copy expands to the same number of layers: refuse before
			// building them if the total would be too large.
			dn, ds := int64(nb.nodes-nodes0), int64(nb.steps-steps0)
			if int64(nb.nodes)+dn*int64(n-1) > MaxLayers {
				nb.errorIn(en, exprSpan(l.Repeat), "repeating this %d times gives more than %d layers", n, MaxLayers).
					WithHint("the limit is %d layers per network after expansion", MaxLayers)
				nb.stopped = true
			} else if int64(nb.steps)+ds*int64(n-1) > maxSteps {
				nb.errorIn(en, exprSpan(l.Repeat), "repeating this %d times expands more than %d statements", n, maxSteps)
				nb.stopped = true
			}
		}
	}
	return cur
}

// repeatCount evaluates `* N`; on error it reports and returns 1 so that the
// statement is still checked.
func (nb *netBuilder) repeatCount(e *syntax.Expr, en *env) int {
	v, ok := nb.eval(e, en)
	if !ok {
		return 1
	}
	if v.Kind != ir.KInt {
		d := nb.errorIn(en, v.Span, "the repeat count must be an integer from 1 to %d, got %s", MaxRepeat, v.Describe())
		if v.IsSymbolic() {
			d.WithHint("the number of layers cannot be searched with HPO")
		}
		return 1
	}
	if v.Int < 1 || v.Int > MaxRepeat {
		nb.errorIn(en, v.Span, "the repeat count must be from 1 to %d, got %d", MaxRepeat, v.Int)
		return 1
	}
	return int(v.Int)
}

// layerOnce lowers one copy of a layer statement or macro call.
func (nb *netBuilder) layerOnce(l *syntax.Layer, cur *ir.Node, blk *block, en *env) *ir.Node {
	nb.steps++
	if nb.steps > maxSteps {
		nb.errorIn(en, identSpan(l.Name), "the network expands more than %d statements", maxSteps)
		nb.stopped = true
		return cur
	}
	name := l.Name.Name
	if m := nb.macros[name]; m != nil {
		return nb.expandMacro(m, l, cur, blk, en)
	}
	spec := ir.LookupLayer(name)
	if spec == nil {
		nb.unknownLayer(l.Name, en)
		return cur
	}
	if l.HasBlock && !spec.Block {
		nb.errorIn(en, identSpan(l.Name), "`%s` is not a container: only ResidualConnection, Sequential, TimeDistributed and Bidirectional take a block", spec.Name).
			WithHint("remove the `{ … }` and write its layers as statements after `%s(…)`, or wrap them in `ResidualConnection { … }` for a skip connection", spec.Name)
	}
	switch spec.Name {
	case "ResidualConnection":
		return nb.residualBlock(spec, l, cur, blk, en)
	case "Sequential":
		return nb.sequential(spec, l, cur, blk, en)
	}
	node := nb.newNode(spec, l.Name, en)
	uni, layerArg := nb.bindLayer(node, l.Args, en)
	nb.placement(node, l.Device, en)
	if spec.Name == "TimeDistributed" || spec.Name == "Bidirectional" {
		nb.wrap(node, l, layerArg, en)
	}
	if blk.inner != nil {
		return nb.addInner(node, uni, blk, en)
	}
	return nb.wire(node, uni, cur, blk, en)
}

// unknownLayer reports a name that is neither a built-in layer nor a macro.
func (nb *netBuilder) unknownLayer(id *syntax.Ident, en *env) {
	name := id.Name
	candidates := append(ir.LayerNames(), nb.macroNames()...)
	if notBuiltin(name) {
		d := nb.errorIn(en, identSpan(id), "`%s` is not a built-in layer, and custom layers are not supported yet", name)
		if s := closestBuiltin(name); s != "" {
			d.WithHint("the closest built-in layer is `%s`; a layer made of built-in layers can be written as a macro: define %s { … }", s, name)
		} else {
			d.WithHint("a layer made of built-in layers can be written as a macro: define %s { … }", name)
		}
		return
	}
	d := nb.errorIn(en, identSpan(id), "unknown layer `%s`", name)
	if s := diag.Suggest(name, candidates); s != "" {
		d.WithHint("did you mean `%s`?", s)
	} else {
		d.WithHint("`neuralgen doc layers` lists the built-in layers; a macro is declared with define %s { … }", name)
	}
}

// notBuiltin recognises layer names the old tool knew that this compiler
// deliberately does not build in.
func notBuiltin(name string) bool {
	switch strings.ToLower(name) {
	case "lambda", "capsulelayer", "quantumlayer", "graphconv", "graphconvolution", "graphattention",
		"custom", "customlayer", "attention", "additiveattention":
		return true
	}
	return strings.HasSuffix(name, "Layer") && len(name) > len("Layer")
}

// closestBuiltin suggests a built-in for a not-built-in name, looking at the
// name without a `Layer` suffix too.
func closestBuiltin(name string) string {
	switch strings.ToLower(strings.TrimSuffix(name, "Layer")) {
	case "attention", "selfattention", "additiveattention", "multiheadattention":
		return "MultiHeadAttention"
	case "transformer":
		return "TransformerEncoder"
	}
	if s := diag.Suggest(name, ir.LayerNames()); s != "" {
		return s
	}
	base := strings.TrimSuffix(name, "Layer")
	if base != name && base != "" {
		if spec := ir.LookupLayer(base); spec != nil {
			return spec.Name
		}
		return diag.Suggest(base, ir.LayerNames())
	}
	return ""
}

// newNode creates a layer node (not yet counted or wired).
func (nb *netBuilder) newNode(spec *ir.LayerSpec, id *syntax.Ident, en *env) *ir.Node {
	return &ir.Node{ID: -1, Type: spec.Name, Spec: spec, Span: identSpan(id), Expansion: en.chain, Device: en.device}
}

// placement applies `@ "device"`.
func (nb *netBuilder) placement(node *ir.Node, e *syntax.Expr, en *env) {
	if e == nil {
		return
	}
	if dev, ok := nb.device(e, en); ok {
		node.Device = dev
	}
}

// count admits a node against the size limit.
func (nb *netBuilder) count(node *ir.Node, en *env) bool {
	if nb.nodes >= MaxLayers {
		if !nb.stopped {
			nb.errorIn(en, node.Span, "the network has more than %d layers after expansion", MaxLayers).
				WithHint("the limit is %d layers per network", MaxLayers)
		}
		nb.stopped = true
		return false
	}
	nb.nodes++
	return true
}

// containerPlacement applies `ResidualConnection { … } @ "cuda:0"` to every
// layer of the block, as a macro call's placement applies to its expansion.
func (nb *netBuilder) containerPlacement(l *syntax.Layer, en *env) *env {
	if l.Device == nil {
		return en
	}
	dev, ok := nb.device(l.Device, en)
	if !ok {
		return en
	}
	placed := *en
	placed.device = dev
	return &placed
}

// addNode appends a wired node to the network.
func (nb *netBuilder) addNode(node *ir.Node, en *env) bool {
	if !nb.count(node, en) {
		return false
	}
	node.ID = len(nb.net.Nodes)
	nb.net.Nodes = append(nb.net.Nodes, node)
	return true
}

// wire connects a layer to its inputs: inputs=[…], the branches to merge,
// the implicit residual anchor, or the current tensor.
func (nb *netBuilder) wire(node *ir.Node, uni universals, cur *ir.Node, blk *block, en *env) *ir.Node {
	spec := node.Spec
	switch {
	case spec.Merge && uni.hasInputs:
		node.Inputs = uni.inputs
		if len(node.Inputs) < 2 {
			nb.errorIn(en, uni.inputsSpan, "`%s` merges at least two tensors, got %d in inputs=", spec.Name, len(node.Inputs))
		}
		blk.pending = nil
	case spec.Merge && len(blk.pending) >= 2:
		for _, b := range blk.pending {
			node.Inputs = append(node.Inputs, b.out)
		}
		node.Role = "branch-merge"
		blk.pending = nil
	case spec.Merge:
		// LANGUAGE.md §5.2: merge the current tensor with the residual anchor.
		blk.pending = nil
		if cur == nil {
			nb.startError(node, en)
			cur = nb.firstInput()
			node.Inputs = []*ir.Node{cur}
			break
		}
		if blk.anchor == nil {
			nb.errorIn(en, node.Span, "`%s` has only one tensor to merge here", spec.Name).
				WithHint("name the tensors with inputs=[…]")
			node.Inputs = []*ir.Node{cur}
			break
		}
		node.Inputs = []*ir.Node{cur, blk.anchor}
		node.Role = "implicit-merge"
		if cur == blk.anchor {
			nb.warnIn(en, node.Span, "`%s()` here merges the tensor with itself: no layer came since the start of the block or the last merge", spec.Name).
				WithHint("name the tensors with inputs=[…], or move the merge after the layers it should skip")
		}
	case uni.hasInputs:
		// Naming the tensors consumes the pending branches, as a merge does.
		blk.pending = nil
		node.Inputs = uni.inputs
		max := 1
		if spec.Name == "MultiHeadAttention" || spec.Name == "TransformerDecoder" {
			max = 2
		}
		if len(node.Inputs) > max {
			nb.errorIn(en, uni.inputsSpan, "`%s` takes %s, got %d in inputs=", spec.Name, plural(max, "input"), len(node.Inputs)).
				WithHint("only merge layers (Add, Concatenate, …) combine several tensors; MultiHeadAttention and TransformerDecoder take inputs=[x, context]")
		}
	default:
		if len(blk.pending) >= 2 && !uni.inputsBad {
			nb.errorIn(en, node.Span, "`%s` follows branches %s that were not merged", spec.Name, quoteNames(blk.pending)).
				WithHint("merge them first, e.g. Concatenate(), or name the input with inputs=[…]")
		}
		blk.pending = nil
		if cur == nil {
			nb.startError(node, en)
			cur = nb.firstInput()
		}
		node.Inputs = []*ir.Node{cur}
	}
	if spec.Merge {
		blk.anchor = node
	}
	if !nb.addNode(node, en) {
		return cur
	}
	nb.claimName(node, uni, en)
	nb.checkAttention(node, en)
	return node
}

// firstInput stands in for the current tensor after a reported error.
func (nb *netBuilder) firstInput() *ir.Node {
	if len(nb.net.Inputs) > 0 {
		return nb.net.Inputs[0].Node
	}
	return &ir.Node{ID: -1, Name: "input", Type: "Input"}
}

// startError reports a layer that has no tensor to consume: a network with
// several named inputs must begin with a branch or inputs=[…].
func (nb *netBuilder) startError(node *ir.Node, en *env) {
	if nb.startErr {
		return
	}
	nb.startErr = true
	if n := len(nb.net.Inputs); n > 1 {
		names := make([]string, n)
		for i, in := range nb.net.Inputs {
			names[i] = in.Name
		}
		nb.errorIn(en, node.Span, "network has %d inputs; start with a branch `name: { … }` or name the input with inputs=[…]", n).
			WithHint("e.g. `%s: { … }` or `%s(…, inputs=[%s])`; the inputs are %s", names[0], node.Type, names[0], strings.Join(names, ", "))
		return
	}
	nb.errorIn(en, node.Span, "`%s` has no tensor to merge with here", node.Type).
		WithHint("name the tensors with inputs=[…]")
}

// checkAttention warns about cross-attention without a context.
func (nb *netBuilder) checkAttention(node *ir.Node, en *env) {
	if node.Type != "MultiHeadAttention" || len(node.Inputs) >= 2 {
		return
	}
	for _, p := range node.Params {
		if p.Spec.Name == "mode" && p.Value.Kind == ir.KString && p.Value.Str == "cross" {
			nb.warnIn(en, p.Value.Span, "mode=\"cross\" with a single input attends to its own input (self-attention)").
				WithHint("give the query and the context with inputs=[query, context]")
		}
	}
}

// addInner collects a layer wrapped by TimeDistributed or Bidirectional.
func (nb *netBuilder) addInner(node *ir.Node, uni universals, blk *block, en *env) *ir.Node {
	if node.Spec.Merge {
		nb.errorIn(en, node.Span, "`%s` cannot be wrapped by %s: it merges several tensors", node.Type, blk.wrapper)
	}
	if uni.hasInputs {
		nb.errorIn(en, uni.inputsSpan, "inputs= is not allowed inside %s: the wrapped layers run in sequence", blk.wrapper)
	}
	if !nb.count(node, en) {
		return nil
	}
	*blk.inner = append(*blk.inner, node)
	nb.claimName(node, uni, en)
	return node
}

// branch lowers `name: { … }`: a branch over an input (or an earlier
// branch of it), or a ResidualConnection's shortcut.
func (nb *netBuilder) branch(br *syntax.Branch, cur *ir.Node, blk *block, en *env) *ir.Node {
	if br.Name == nil {
		return cur
	}
	name := br.Name.Name
	span := identSpan(br.Name)
	if name == "shortcut" && blk.residual != nil {
		r := blk.residual
		if r.has {
			nb.errorIn(en, span, "a ResidualConnection has at most one `shortcut:` block").
				WithRelated(r.span, "first shortcut here")
			return cur
		}
		out := nb.stmts(br.Body, r.input, blk.child(r.input), en)
		r.shortcut, r.span, r.has = out, span, true
		return cur
	}
	if blk.inner != nil {
		nb.errorIn(en, span, "branches are not allowed inside %s", blk.wrapper)
		return cur
	}
	start, ok := nb.scope[name]
	if !ok {
		if name == "shortcut" {
			nb.errorIn(en, span, "`shortcut:` is only allowed directly inside `ResidualConnection { … }`").
				WithHint("wrap the layers and the shortcut in ResidualConnection { … shortcut: { … } }")
			return cur
		}
		d := nb.errorIn(en, span, "branch `%s` is not an input of network `%s`", name, nb.net.Name)
		var names []string
		for _, in := range nb.net.Inputs {
			names = append(names, in.Name)
		}
		if s := diag.Suggest(name, names); s != "" {
			d.WithHint("did you mean `%s`?", s)
		} else if len(names) > 0 {
			d.WithHint("a branch processes a named input; the inputs are %s", strings.Join(names, ", "))
		} else {
			d.WithHint("a branch processes a named input: `input: { %s: (…) }`", name)
		}
		return cur
	}
	out := nb.stmts(br.Body, start, blk.child(start), en)
	nb.scope[name] = out
	blk.addPending(name, out, span)
	return out
}

// residualBlock lowers `ResidualConnection { … }`: block(x) merged with x,
// or with the `shortcut:` block's output.
func (nb *netBuilder) residualBlock(spec *ir.LayerSpec, l *syntax.Layer, cur *ir.Node, blk *block, en *env) *ir.Node {
	holder := nb.newNode(spec, l.Name, en)
	uni, _ := nb.bindLayer(holder, l.Args, en)
	if blk.inner != nil {
		nb.errorIn(en, holder.Span, "ResidualConnection is not allowed inside %s", blk.wrapper)
		return cur
	}
	en = nb.containerPlacement(l, en)
	x := cur
	if uni.hasInputs {
		if len(uni.inputs) != 1 {
			nb.errorIn(en, uni.inputsSpan, "ResidualConnection takes one input, got %d in inputs=", len(uni.inputs))
		}
		if len(uni.inputs) > 0 {
			x = uni.inputs[0]
		}
	} else if len(blk.pending) >= 2 {
		nb.errorIn(en, holder.Span, "`ResidualConnection` follows branches %s that were not merged", quoteNames(blk.pending)).
			WithHint("merge them first, e.g. Concatenate()")
	}
	blk.pending = nil
	if x == nil {
		nb.startError(holder, en)
		x = nb.firstInput()
	}
	if !l.HasBlock || len(l.Block) == 0 {
		nb.errorIn(en, holder.Span, "ResidualConnection needs a block of layers: ResidualConnection { … }")
		return x
	}
	sub := &block{anchor: x, residual: &residualCtx{input: x}}
	out := nb.stmts(l.Block, x, sub, en)
	if nb.stopped {
		return out
	}
	other := x
	if sub.residual.has {
		other = sub.residual.shortcut
	}
	if out == x {
		nb.errorIn(en, holder.Span, "the ResidualConnection block has no layers on its main path")
		return x
	}
	mergeType := "Add"
	if v, ok := holder.Param("merge"); ok && v.Kind == ir.KString && v.Str == "concat" {
		mergeType = "Concatenate"
	}
	mspec := ir.LookupLayer(mergeType)
	merge := &ir.Node{ID: -1, Type: mspec.Name, Spec: mspec, Span: holder.Span, Expansion: en.chain,
		Inputs: []*ir.Node{out, other}, Role: "residual", Device: en.device}
	merge.Params = defaultParams(mspec, merge.Span)
	if !nb.addNode(merge, en) {
		return out
	}
	nb.claimName(merge, universals{name: uni.name, nameSpan: uni.nameSpan, hasName: uni.hasName}, en)
	return merge
}

// sequential inlines `Sequential { … }`; it is its own block for implicit
// merges.
func (nb *netBuilder) sequential(spec *ir.LayerSpec, l *syntax.Layer, cur *ir.Node, blk *block, en *env) *ir.Node {
	holder := nb.newNode(spec, l.Name, en)
	uni, _ := nb.bindLayer(holder, l.Args, en)
	if uni.hasName {
		nb.warnIn(en, uni.nameSpan, "name= on Sequential has no effect: its layers are inlined").
			WithHint("name the layers inside it")
	}
	en = nb.containerPlacement(l, en)
	start := cur
	if uni.hasInputs {
		if blk.inner != nil {
			nb.errorIn(en, uni.inputsSpan, "inputs= is not allowed inside %s", blk.wrapper)
		} else if len(uni.inputs) != 1 {
			nb.errorIn(en, uni.inputsSpan, "Sequential takes one input, got %d in inputs=", len(uni.inputs))
		}
		if len(uni.inputs) > 0 {
			start = uni.inputs[0]
		}
	}
	if !l.HasBlock {
		nb.errorIn(en, holder.Span, "Sequential needs a block of layers: Sequential { … }")
		return cur
	}
	sub := blk.child(start)
	if !uni.hasInputs {
		sub.pending, blk.pending = blk.pending, nil
	}
	return nb.stmts(l.Block, start, sub, en)
}

// wrap builds the inner layers of TimeDistributed / Bidirectional from the
// `layer` argument or the block.
func (nb *netBuilder) wrap(node *ir.Node, l *syntax.Layer, layerArg *syntax.Arg, en *env) {
	var inner []*ir.Node
	sub := &block{inner: &inner, wrapper: node.Type}
	if layerArg != nil && l.HasBlock {
		nb.errorIn(en, argSpan(layerArg), "give %s its layer either as an argument or as a block, not both", node.Type)
	}
	switch {
	case layerArg != nil:
		wl := layerOfArg(layerArg)
		if wl == nil {
			nb.errorIn(en, exprSpan(layerArg.Value), "%s takes a layer, e.g. %s(LSTM(64))", node.Type, node.Type)
			break
		}
		nb.layerOnce(wl, nil, sub, en)
	case l.HasBlock:
		nb.stmts(l.Block, nil, sub, en)
	}
	node.Inner = inner
	if layerArg == nil && !l.HasBlock {
		nb.errorIn(en, node.Span, "%s needs a layer: %s(LSTM(64)) or %s { … }", node.Type, node.Type, node.Type)
		return
	}
	// The `layer` parameter records the argument form; node.Inner holds
	// the bound layers either way.
	for i := range node.Params {
		if node.Params[i].Spec.Name == "layer" && layerArg != nil && len(inner) > 0 {
			v := ir.Value{Kind: ir.KCall, Call: &ir.Call{Name: inner[0].Type, Span: inner[0].Span}, Span: exprSpan(layerArg.Value)}
			node.Params[i] = ir.Param{Spec: node.Params[i].Spec, Value: v, Explicit: true}
		}
	}
	if node.Type == "Bidirectional" && !nb.stopped {
		if len(inner) != 1 || !isRecurrent(inner[0].Type) {
			nb.errorIn(en, node.Span, "Bidirectional wraps exactly one recurrent layer (SimpleRNN, LSTM or GRU), got %s", describeInner(inner)).
				WithHint("e.g. Bidirectional(LSTM(64))")
		}
	}
	if node.Type == "TimeDistributed" && len(inner) == 0 && !nb.stopped && l.HasBlock {
		nb.errorIn(en, node.Span, "TimeDistributed needs at least one layer in its block")
	}
}

func isRecurrent(t string) bool { return t == "SimpleRNN" || t == "LSTM" || t == "GRU" }

func describeInner(inner []*ir.Node) string {
	if len(inner) == 0 {
		return "no layer"
	}
	names := make([]string, len(inner))
	for i, n := range inner {
		names[i] = n.Type
	}
	return strings.Join(names, ", ")
}

// layerOfArg reads the layer given as an argument: `LSTM(64)` or a bare
// `Flatten`.
func layerOfArg(a *syntax.Arg) *syntax.Layer {
	p := primaryOf(a.Value)
	if p == nil {
		return nil
	}
	switch {
	case p.Call != nil && p.Call.Name != nil:
		return &syntax.Layer{Pos: p.Pos, EndPos: p.EndPos, Name: p.Call.Name, HasArgs: true, Args: p.Call.Args}
	case p.Ident != nil:
		id := &syntax.Ident{Pos: p.Pos, EndPos: p.EndPos, Name: *p.Ident}
		return &syntax.Layer{Pos: p.Pos, EndPos: p.EndPos, Name: id}
	}
	return nil
}

func plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("one %s", word)
	}
	return fmt.Sprintf("at most %d %ss", n, word)
}
