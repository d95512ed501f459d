package sema

import (
	"sort"
	"strconv"
	"strings"

	"github.com/rules-neural/rules_neural/generator/diag"
	"github.com/rules-neural/rules_neural/generator/ir"
	"github.com/rules-neural/rules_neural/generator/syntax"
)

// netBuilder holds the state of one network while it is lowered.
type netBuilder struct {
	*builder
	net   *ir.Network
	plain bool // research metadata: calls are plain values, no HPOs

	// scope maps input and branch names to the tensor they stand for.
	scope     map[string]*ir.Node
	inputOf   map[*ir.Node]*ir.Input
	named     map[string]namedNode // names claimed by name=, inputs
	nodes     int
	steps     int
	stopped   bool // a size limit was hit: stop expanding
	startErr  bool // "network has N inputs" was reported
	hpoByCall map[hpoKey]*ir.HPO
	hpoUses   []hpoUse
	divisions map[spanKey]divisionNote
}

type namedNode struct {
	node *ir.Node
	span diag.Span
}

func newNetBuilder(b *builder, net *ir.Network) *netBuilder {
	if net == nil {
		net = &ir.Network{}
	}
	return &netBuilder{
		builder:   b,
		net:       net,
		scope:     make(map[string]*ir.Node),
		inputOf:   make(map[*ir.Node]*ir.Input),
		named:     make(map[string]namedNode),
		hpoByCall: make(map[hpoKey]*ir.HPO),
		divisions: make(map[spanKey]divisionNote),
	}
}

// errorIn reports an error inside the expansion described by en.
func (nb *netBuilder) errorIn(en *env, span diag.Span, format string, args ...interface{}) *diag.Diagnostic {
	return nb.report(diag.Error, span, en.chain, format, args...)
}

func (nb *netBuilder) warnIn(en *env, span diag.Span, format string, args ...interface{}) *diag.Diagnostic {
	return nb.report(diag.Warning, span, en.chain, format, args...)
}

// Section names that share one slot: the old spelling and the new.
func canonicalSection(name string) string {
	switch name {
	case "training":
		return "train"
	case "execute":
		return "execution"
	}
	return name
}

// sections gathers a network's sections by canonical name.
type sections struct {
	input, loss, optimizer, metrics, train, execution, lrSchedule *syntax.Generic
	layers                                                        []*syntax.Stmt
	hasLayers                                                     bool
	layersKw                                                      *syntax.Ident
}

// network lowers one network block.
func (b *builder) network(n *syntax.Network) *ir.Network {
	if n.Name == nil {
		return nil
	}
	net := &ir.Network{Name: n.Name.Name, Span: identSpan(n.Name), Layout: ir.ChannelsLast}
	nb := newNetBuilder(b, net)
	secs := nb.gather(n)

	if secs.input == nil {
		nb.errorf(net.Span, "network `%s` has no `input:` section", net.Name).
			WithHint("add the input shape, e.g. `input: (28, 28, 1)`")
	} else {
		nb.inputSection(secs.input)
	}
	if !secs.hasLayers {
		nb.errorf(net.Span, "network `%s` has no `layers:` section", net.Name).
			WithHint("add `layers:` followed by layer statements, e.g. `layers: Dense(10)`")
	} else {
		nb.layersSection(secs)
	}
	if secs.loss != nil {
		nb.lossSection(secs.loss)
	}
	var optExplicitLR *diag.Span
	if secs.optimizer != nil {
		optExplicitLR = nb.optimizerSection(secs.optimizer)
	}
	if secs.lrSchedule != nil {
		nb.lrScheduleSection(secs.lrSchedule, optExplicitLR, secs.optimizer != nil)
	}
	if secs.metrics != nil {
		nb.metricsSection(secs.metrics)
	}
	if secs.train != nil {
		nb.trainSection(secs.train, optExplicitLR, secs.lrSchedule != nil, secs.optimizer != nil)
	}
	if secs.execution != nil {
		nb.executionSection(secs.execution)
	}
	nb.assignNames()
	nb.nameHPOs()
	return net
}

// gather sorts sections into slots, reporting unknown and duplicate ones.
func (nb *netBuilder) gather(n *syntax.Network) *sections {
	s := &sections{}
	first := map[string]*syntax.Ident{}
	for _, sec := range n.Sections {
		if sec == nil {
			continue
		}
		var kw *syntax.Ident
		var g *syntax.Generic
		switch {
		case sec.Layers != nil:
			kw = sec.Layers.Keyword
		case sec.Generic != nil:
			g = sec.Generic
			kw = g.Name
		}
		if kw == nil {
			continue
		}
		name := canonicalSection(kw.Name)
		known := false
		for _, k := range ir.Sections {
			if k == kw.Name {
				known = true
			}
		}
		if !known {
			d := nb.errorf(identSpan(kw), "unknown section `%s`", kw.Name)
			if sug := diag.Suggest(kw.Name, ir.Sections); sug != "" {
				d.WithHint("did you mean `%s`?", sug)
			} else {
				d.WithHint("sections are: input, layers, loss, optimizer, metrics, train, execution")
			}
			continue
		}
		if prev, dup := first[name]; dup {
			nb.errorf(identSpan(kw), "duplicate `%s` section", kw.Name).
				WithRelated(identSpan(prev), "first defined here").
				WithHint("each section may appear at most once")
			continue
		}
		first[name] = kw
		if sec.Layers != nil && name != "layers" {
			// `optimizer: Adam(…)` can parse as a statement list; it is
			// still a value section.
			if g = layersAsGeneric(sec.Layers); g == nil {
				nb.errorf(identSpan(kw), "section `%s:` takes a value, not layer statements", kw.Name)
				continue
			}
		}
		if name == "layers" {
			if g != nil {
				nb.errorf(identSpan(kw), "write `layers:` followed by layer statements")
				continue
			}
			s.hasLayers = true
			s.layersKw = kw
			s.layers = sec.Layers.Stmts
			if sec.Layers.Bracketed {
				s.layers = sec.Layers.Listed
			}
			continue
		}
		switch name {
		case "input":
			s.input = g
		case "loss":
			s.loss = g
		case "optimizer":
			s.optimizer = g
		case "metrics":
			s.metrics = g
		case "train":
			s.train = g
		case "execution":
			s.execution = g
		case "lr_schedule":
			s.lrSchedule = g
		}
	}
	return s
}

// layersAsGeneric turns `name: Call(args)` parsed as one layer statement
// back into a value section; nil if it is not that shape.
func layersAsGeneric(l *syntax.LayersSection) *syntax.Generic {
	stmts := l.Stmts
	if l.Bracketed || len(stmts) != 1 || stmts[0] == nil || stmts[0].Layer == nil {
		return nil
	}
	ly := stmts[0].Layer
	if ly.Name == nil || ly.HasBlock || ly.Device != nil || ly.Repeat != nil {
		return nil
	}
	p := &syntax.Primary{Pos: ly.Pos, EndPos: ly.EndPos}
	if ly.HasArgs {
		p.Call = &syntax.Call{Pos: ly.Pos, EndPos: ly.EndPos, Name: ly.Name, Args: ly.Args}
	} else {
		name := ly.Name.Name
		p.Ident = &name
	}
	u := &syntax.Unary{Pos: ly.Pos, EndPos: ly.EndPos, Primary: p}
	t := &syntax.Term{Pos: ly.Pos, EndPos: ly.EndPos, Left: u}
	return &syntax.Generic{Pos: l.Pos, EndPos: l.EndPos, Name: l.Keyword, Colon: true,
		Value: &syntax.Expr{Pos: ly.Pos, EndPos: ly.EndPos, Left: t}}
}

// layersSection builds the graph of the network body.
func (nb *netBuilder) layersSection(s *sections) {
	net := nb.net
	if len(s.layers) == 0 {
		nb.errorf(identSpan(s.layersKw), "`layers:` is empty").WithHint("add at least one layer")
		return
	}
	var cur *ir.Node
	switch len(net.Inputs) {
	case 0:
		// No valid input: check the layers against a stand-in so their own
		// errors are still reported.
		cur = &ir.Node{ID: -1, Name: "input", Type: "Input", Span: net.Span}
		nb.startErr = true
	case 1:
		cur = net.Inputs[0].Node
	}
	blk := &block{anchor: cur}
	out := nb.stmts(s.layers, cur, blk, rootEnv)
	if len(blk.pending) >= 2 && !nb.stopped {
		last := blk.pending[len(blk.pending)-1]
		nb.errorf(last.span, "the outputs of branches %s are never merged", quoteNames(blk.pending)).
			WithHint("add a merge layer such as Concatenate() after the branches")
	}
	if out != nil && out.ID >= 0 && out.Type != "Input" {
		net.Output = out
	}
	nb.markTokens()
	if len(net.Inputs) > 1 && !nb.startErr && !nb.stopped {
		nb.checkInputsUsed()
	}
}

// markTokens flags inputs that feed an Embedding: they hold integer indices.
func (nb *netBuilder) markTokens() {
	for _, n := range nb.net.Nodes {
		if n.Type != "Embedding" {
			continue
		}
		for _, in := range n.Inputs {
			if inp := nb.inputOf[in]; inp != nil {
				inp.Tokens = true
				nb.embeddedShapeCompat(inp, n)
			}
		}
	}
}

// embeddedShapeCompat applies the compatibility reading of docs/language.md:
// users of the old tool declared the input of a token model by its shape
// after embedding, `input: (T, F)` before `Embedding(…, output_dim=F)`.
// Token indices are (T,); with F equal to the embedding size the
// declaration can only mean that, so the input becomes (T,) with a warning.
// Any other rank-2 input feeding an Embedding stays as written (and shape
// inference reports it).
func (nb *netBuilder) embeddedShapeCompat(inp *ir.Input, emb *ir.Node) {
	if len(inp.Shape) != 2 || inp.Shape[1] == ir.Unknown {
		return
	}
	dim, ok := emb.Param("output_dim")
	if !ok || dim.Kind != ir.KInt || dim.Int != int64(inp.Shape[1]) {
		return
	}
	written := inp.Shape
	inp.Shape = ir.Shape{written[0]}
	nb.warnf(inp.Span, "input `%s` is declared (%s, %d), the shape after embedding; Embedding takes the token indices, so it is read as (%s,)",
		inp.Name, dimString(written[0]), written[1], dimString(written[0])).
		WithHint("write the token sequence shape: (%s,)", dimString(written[0]))
}

func dimString(d int) string {
	if d == ir.Unknown {
		return "None"
	}
	return strconv.Itoa(d)
}

func (nb *netBuilder) checkInputsUsed() {
	used := map[*ir.Node]bool{}
	for _, n := range nb.net.Nodes {
		for _, in := range n.Inputs {
			used[in] = true
		}
	}
	for _, in := range nb.net.Inputs {
		if !used[in.Node] {
			nb.errorf(in.Span, "input `%s` is never used", in.Name).
				WithHint("process it in a branch `%s: { … }` or list it in inputs=[…]", in.Name)
		}
	}
}

func quoteNames(bs []pendingBranch) string {
	names := make([]string, len(bs))
	for i, b := range bs {
		names[i] = "`" + b.name + "`"
	}
	return strings.Join(names, ", ")
}

// scopeNames lists the names inputs= may refer to, sorted.
func (nb *netBuilder) scopeNames() []string {
	var out []string
	for k := range nb.scope {
		out = append(out, k)
	}
	for k, n := range nb.named {
		if _, dup := nb.scope[k]; !dup && n.node != nil {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}
