package format

import (
	"strings"

	"github.com/rules-neural/rules_neural/generator/ir"
	"github.com/rules-neural/rules_neural/generator/syntax"
)

// sectionKeywords are the names the grammar never reads as the start of a
// layer statement when followed by `:` or `{` (the lookahead of
// syntax.Layer and syntax.Branch).
var sectionKeywords = map[string]bool{
	"input": true, "layers": true, "loss": true, "optimizer": true, "metrics": true, "train": true,
	"training": true, "execute": true, "execution": true, "lr_schedule": true,
}

// blockSections are written `name { … }` without a colon (LANGUAGE.md §3).
// Other dict-valued sections (`input: { … }`, `training: { … }`) keep the
// colon as written.
var blockSections = map[string]bool{"train": true, "execute": true, "execution": true}

func identEnd(id *syntax.Ident) int { return id.Pos.Offset + len(id.Name) }

// direct returns the primary of an expression that is nothing else: no
// operator, no sign.
func direct(e *syntax.Expr) *syntax.Primary {
	if e == nil || len(e.Rest) > 0 || e.Left == nil || len(e.Left.Rest) > 0 || e.Left.Left == nil || e.Left.Left.Neg {
		return nil
	}
	return e.Left.Left.Primary
}

// bareDict returns the dict that e consists of, if it is one.
func bareDict(e *syntax.Expr) *syntax.Dict {
	if pr := direct(e); pr != nil {
		return pr.Dict
	}
	return nil
}

// layerName returns the canonical spelling of a layer or macro name and the
// layer's schema (nil for macros and unknown names).
func (p *printer) layerName(name string) (string, *ir.LayerSpec) {
	if p.macros[strings.ToLower(name)] {
		return name, nil
	}
	if spec := ir.LookupLayer(name); spec != nil {
		return spec.Name, spec
	}
	return name, nil
}

// --- declarations ---------------------------------------------------------

func (p *printer) file(f *syntax.File) {
	for i, it := range f.Items {
		p.startElem(it.Pos.Offset, i > 0)
		switch {
		case it.Define != nil:
			p.define(it.Define)
		case it.Network != nil:
			p.network(it.Network)
		case it.Research != nil:
			p.research(it.Research)
		}
	}
	end := len(p.src) + 1
	p.newline(end)
	p.emitComments(end, true, len(f.Items) > 0)
	p.newline(end)
}

func (p *printer) define(d *syntax.Define) {
	p.tok(d.Pos.Offset, "define")
	p.write(" ")
	p.tok(d.Name.Pos.Offset, d.Name.Name)
	after := identEnd(d.Name)
	if d.HasParams {
		open := p.nextTok(after)
		close := p.nextTok(open + 1)
		if k := len(d.Params); k > 0 {
			close = p.closer(identEnd(d.Params[k-1]))
		}
		p.rest = len(" {")
		p.seq(seq{open: open, close: close, lb: "(", rb: ")", n: len(d.Params),
			pos:  func(i int) int { return d.Params[i].Pos.Offset },
			elem: func(i int) { p.tok(d.Params[i].Pos.Offset, d.Params[i].Name) }})
		p.rest = 0
		after = close + 1
	}
	p.write(" ")
	p.stmtBlock(p.nextTok(after), d.Body)
}

func (p *printer) network(n *syntax.Network) {
	p.tok(n.Pos.Offset, "network")
	p.write(" ")
	p.tok(n.Name.Pos.Offset, n.Name.Name)
	p.write(" ")
	lb := p.nextTok(identEnd(n.Name))
	rb := p.nextTok(lb + 1)
	if k := len(n.Sections); k > 0 {
		rb = p.nextTok(p.tokEnd(n.Sections[k-1].EndPos.Offset))
	}
	p.tok(lb, "{")
	if len(n.Sections) == 0 && !p.commentIn(lb, rb) {
		p.tok(rb, "}")
		return
	}
	p.indent++
	p.blockStart = true
	for i, s := range n.Sections {
		p.startElem(s.Pos.Offset, false)
		var next *syntax.Section
		if i+1 < len(n.Sections) {
			next = n.Sections[i+1]
		}
		if s.Layers != nil {
			p.layers(s.Layers, next)
		} else {
			p.generic(s.Generic)
		}
	}
	p.endBlock(rb, true)
	p.indent--
	p.tok(rb, "}")
}

func (p *printer) research(r *syntax.Research) {
	p.tok(r.Pos.Offset, "research")
	p.write(" ")
	p.tok(r.Name.Pos.Offset, r.Name.Name)
	p.write(" ")
	p.blockDict(r.Body)
}

// --- sections -------------------------------------------------------------

// generic writes `name: value`, or `name { … }` for a dict.
func (p *printer) generic(g *syntax.Generic) {
	p.tok(g.Name.Pos.Offset, g.Name.Name)
	d := bareDict(g.Value)
	colon := g.Colon
	switch {
	case !g.Colon && g.Name.Name == "layers":
		// `layers x` is a generic section; `layers: x` would be statements.
	case d == nil:
		colon = true
	case blockSections[g.Name.Name]:
		colon = false
	}
	if g.Colon {
		if off := p.nextTok(identEnd(g.Name)); colon {
			p.tok(off, ":")
		}
	} else if colon {
		p.write(":")
	}
	p.write(" ")
	p.canonicalName(g)
	if d != nil {
		p.blockDict(d)
	} else {
		if g.Extra != nil {
			p.rest = len(" {")
		}
		p.value(g.Value)
		p.rest = 0
	}
	if g.Extra != nil {
		p.write(" ")
		p.blockDict(g.Extra)
	}
}

// plainSafe reports whether the statements of a bracketed `layers: [ … ]`
// can be written in the plain form: the plain form runs until something
// that cannot start a statement, so the next section must be one that no
// statement starts like.
func plainSafe(next *syntax.Section) bool {
	if next == nil || next.Layers != nil {
		return true
	}
	g := next.Generic
	return sectionKeywords[g.Name.Name] || bareDict(g.Value) == nil
}

func (p *printer) layers(ls *syntax.LayersSection, next *syntax.Section) {
	p.tok(ls.Keyword.Pos.Offset, ls.Keyword.Name)
	colon := p.nextTok(identEnd(ls.Keyword))
	p.tok(colon, ":")
	stmts := ls.Stmts
	rb := -1
	if ls.Bracketed {
		lb := p.nextTok(colon + 1)
		rb = p.nextTok(lb + 1)
		if k := len(ls.Listed); k > 0 {
			rb = p.closer(p.tokEnd(ls.Listed[k-1].EndPos.Offset))
		}
		if len(ls.Listed) == 0 || !plainSafe(next) {
			p.write(" ")
			p.seq(seq{open: lb, close: rb, lb: "[", rb: "]", n: len(ls.Listed), forceBreak: true,
				pos:  func(i int) int { return ls.Listed[i].Pos.Offset },
				elem: func(i int) { p.stmt(ls.Listed[i]) }})
			return
		}
		stmts = ls.Listed
	}
	p.indent++
	p.blockStart = true
	for _, s := range stmts {
		p.startElem(s.Pos.Offset, false)
		p.stmt(s)
	}
	if rb >= 0 {
		p.endBlock(rb, true)
	}
	// Own-line comments after the last statement that are indented deeper
	// than the `layers` keyword still belong to the statements; the others
	// lead what follows the section. The output keeps the distinction: it
	// writes the first kind deeper than the keyword, the second level with it.
	end := p.nextTok(p.tokEnd(ls.EndPos.Offset))
	p.newline(end)
	col := ls.Keyword.Pos.Column
	for p.next < len(p.comments) && p.comments[p.next].Pos.Offset < end && p.comments[p.next].Pos.Column > col {
		p.emitComments(p.comments[p.next].EndPos.Offset, true, false)
	}
	p.newline(end)
	p.indent--
}

// --- statements -------------------------------------------------------------

func (p *printer) stmt(s *syntax.Stmt) {
	if s.Branch != nil {
		b := s.Branch
		p.tok(b.Name.Pos.Offset, b.Name.Name)
		colon := p.nextTok(identEnd(b.Name))
		p.tok(colon, ":")
		p.write(" ")
		p.stmtBlock(p.nextTok(colon+1), b.Body)
		return
	}
	p.layer(s.Layer)
}

// stmtBlock writes `{ stmt… }` opening at lb and returns the offset of the
// closing brace.
func (p *printer) stmtBlock(lb int, stmts []*syntax.Stmt) int {
	rb := p.nextTok(lb + 1)
	if k := len(stmts); k > 0 {
		rb = p.nextTok(p.tokEnd(stmts[k-1].EndPos.Offset))
	}
	p.tok(lb, "{")
	if len(stmts) == 0 && !p.commentIn(lb, rb) {
		p.tok(rb, "}")
		return rb
	}
	p.indent++
	p.blockStart = true
	for _, s := range stmts {
		p.startElem(s.Pos.Offset, false)
		p.stmt(s)
	}
	p.endBlock(rb, true)
	p.indent--
	p.tok(rb, "}")
	return rb
}

// layer writes `Name(args) @ device { block } * N`.
func (p *printer) layer(l *syntax.Layer) {
	name, spec := p.layerName(l.Name.Name)
	p.tok(l.Name.Pos.Offset, name)
	after := identEnd(l.Name)
	if l.HasArgs {
		open := p.nextTok(after)
		close := p.nextTok(open + 1)
		if k := len(l.Args); k > 0 {
			close = p.closer(p.tokEnd(l.Args[k-1].EndPos.Offset))
		}
		p.rest = p.measure(func() {
			if l.Device != nil {
				p.write(" @ ")
				p.value(l.Device)
			}
			if l.HasBlock {
				p.write(" {")
			} else if l.Repeat != nil {
				p.write(" * ")
				p.value(l.Repeat)
			}
		})
		p.args(open, close, l.Args, spec)
		p.rest = 0
		after = close + 1
	}
	if l.Device != nil {
		p.write(" ")
		p.tok(p.nextTok(after), "@")
		p.write(" ")
		p.value(l.Device)
		after = p.tokEnd(l.Device.EndPos.Offset)
	}
	if l.HasBlock {
		p.write(" ")
		after = p.stmtBlock(p.nextTok(after), l.Block) + 1
	}
	if l.Repeat != nil {
		p.write(" ")
		p.tok(p.nextTok(after), "*")
		p.write(" ")
		p.value(l.Repeat)
	}
}

// --- arguments and expressions ------------------------------------------------

// args writes a call's argument list; spec is the called layer's schema
// (nil for anything else), which says where the activation argument is.
func (p *printer) args(open, close int, args []*syntax.Arg, spec *ir.LayerSpec) {
	act := make([]bool, len(args))
	if spec != nil {
		k := 0
		for i, a := range args {
			if a.Name != nil {
				act[i] = a.Name.Name == "activation"
				continue
			}
			act[i] = (k < len(spec.Positional) && spec.Positional[k] == "activation") ||
				(spec.TakesActivation && k == len(spec.Positional))
			k++
		}
	}
	p.seq(seq{open: open, close: close, lb: "(", rb: ")", n: len(args),
		pos:  func(i int) int { return args[i].Pos.Offset },
		elem: func(i int) { p.arg(args[i], spec != nil, act[i]) }})
}

// arg writes `value` or `name=value` (also for the old `name: value`).
// Inside a layer's arguments, a string activation is canonicalised and a
// nested layer call (`Bidirectional(lstm(64))`) gets its schema spelling.
func (p *printer) arg(a *syntax.Arg, inLayer, activation bool) {
	if a.Name != nil {
		p.tok(a.Name.Pos.Offset, a.Name.Name)
		p.tok(p.nextTok(identEnd(a.Name)), "=")
	}
	if pr := direct(a.Value); pr != nil {
		if activation && pr.String != nil {
			if canon, ok := ir.LookupActivation(syntax.Unquote(*pr.String)); ok {
				p.tok(pr.Pos.Offset, syntax.Quote(canon))
				return
			}
		}
		if inLayer && pr.Call != nil {
			p.call(pr.Call, true)
			return
		}
	}
	p.value(a.Value)
}

// value writes an expression: spaces around `+` and `-`, none around `*`
// and `/`.
func (p *printer) value(e *syntax.Expr) {
	p.term(e.Left)
	for _, op := range e.Rest {
		p.write(" ")
		p.tok(op.Pos.Offset, op.Op)
		p.write(" ")
		p.term(op.Term)
	}
}

func (p *printer) term(t *syntax.Term) {
	p.unary(t.Left)
	for _, op := range t.Rest {
		p.tok(op.Pos.Offset, op.Op)
		p.unary(op.Unary)
	}
}

func (p *printer) unary(u *syntax.Unary) {
	if u.Neg {
		p.tok(u.Pos.Offset, "-")
	}
	p.primary(u.Primary)
}

func (p *printer) primary(pr *syntax.Primary) {
	off := pr.Pos.Offset
	switch {
	case pr.Float != nil:
		p.tok(off, *pr.Float)
	case pr.Int != nil:
		p.tok(off, *pr.Int)
	case pr.String != nil:
		if c, ok := p.canon[off]; ok {
			p.tok(off, syntax.Quote(c))
			return
		}
		p.tok(off, syntax.Quote(syntax.Unquote(*pr.String)))
	case pr.Var != nil:
		p.tok(off, *pr.Var)
	case pr.Ident != nil:
		if c, ok := p.canon[off]; ok {
			p.tok(off, c)
			return
		}
		p.tok(off, identValue(*pr.Ident))
	case pr.Call != nil:
		p.call(pr.Call, false)
	case pr.Paren != nil:
		p.paren(pr.Paren)
	case pr.List != nil:
		p.list(pr.List)
	case pr.Dict != nil:
		p.inlineDict(pr.Dict)
	}
}

// identValue lower-cases booleans (`True` → `true`); other names are kept.
func identValue(s string) string {
	switch {
	case strings.EqualFold(s, "true"):
		return "true"
	case strings.EqualFold(s, "false"):
		return "false"
	}
	return s
}

func (p *printer) call(c *syntax.Call, inLayer bool) {
	name := c.Name.Name
	var spec *ir.LayerSpec
	if inLayer {
		name, spec = p.layerName(name)
	} else if canonical, ok := p.canon[c.Name.Pos.Offset]; ok {
		name = canonical
	}
	p.tok(c.Name.Pos.Offset, name)
	open := p.nextTok(identEnd(c.Name))
	close := p.nextTok(open + 1)
	if k := len(c.Args); k > 0 {
		close = p.closer(p.tokEnd(c.Args[k-1].EndPos.Offset))
	}
	p.args(open, close, c.Args, spec)
}

// paren writes a tuple `(a, b)`, `(a,)`, `()` or grouping parentheses `(a)`.
func (p *printer) paren(pa *syntax.Paren) {
	open := pa.Pos.Offset
	close := p.nextTok(open + 1)
	if k := len(pa.Elems); k > 0 {
		close = p.closer(p.tokEnd(pa.Elems[k-1].EndPos.Offset))
	}
	one := len(pa.Elems) == 1
	p.seq(seq{open: open, close: close, lb: "(", rb: ")", n: len(pa.Elems),
		oneTuple: one && pa.TrailingComma, grouping: one && !pa.TrailingComma,
		pos:  func(i int) int { return pa.Elems[i].Pos.Offset },
		elem: func(i int) { p.value(pa.Elems[i]) }})
}

func (p *printer) list(l *syntax.List) {
	open := l.Pos.Offset
	close := p.nextTok(open + 1)
	if k := len(l.Elems); k > 0 {
		close = p.closer(p.tokEnd(l.Elems[k-1].EndPos.Offset))
	}
	p.seq(seq{open: open, close: close, lb: "[", rb: "]", n: len(l.Elems),
		pos:  func(i int) int { return l.Elems[i].Pos.Offset },
		elem: func(i int) { p.value(l.Elems[i]) }})
}

// dictClose returns the offset of the `}` closing d.
func (p *printer) dictClose(d *syntax.Dict) int {
	if k := len(d.Entries); k > 0 {
		return p.closer(p.tokEnd(d.Entries[k-1].EndPos.Offset))
	}
	return p.nextTok(d.Pos.Offset + 1)
}

// inlineDict writes a dict inside an expression: `{a: 1, b: 2}`.
func (p *printer) inlineDict(d *syntax.Dict) {
	p.seq(seq{open: d.Pos.Offset, close: p.dictClose(d), lb: "{", rb: "}", n: len(d.Entries),
		pos:  func(i int) int { return d.Entries[i].Pos.Offset },
		elem: func(i int) { p.entry(d.Entries[i], false) }})
}

// blockDict writes a section-level dict, one `key: value` per line.
func (p *printer) blockDict(d *syntax.Dict) {
	lb, rb := d.Pos.Offset, p.dictClose(d)
	p.tok(lb, "{")
	if len(d.Entries) == 0 && !p.commentIn(lb, rb) {
		p.tok(rb, "}")
		return
	}
	p.indent++
	p.blockStart = true
	for _, e := range d.Entries {
		p.startElem(e.Pos.Offset, false)
		p.entry(e, true)
	}
	p.endBlock(rb, true)
	p.indent--
	p.tok(rb, "}")
}

// entry writes `key: value`; a dict value written without a colon
// (`metrics { … }`) keeps that form.
func (p *printer) entry(e *syntax.Entry, block bool) {
	p.tok(e.Key.Pos.Offset, e.Key.Name)
	d := bareDict(e.Value)
	if e.Colon {
		p.tok(p.nextTok(identEnd(e.Key)), ":")
	} else if d == nil {
		p.write(":")
	}
	p.write(" ")
	if d != nil && block {
		p.blockDict(d)
		return
	}
	rest := p.rest
	if block {
		p.rest = 0
	}
	p.value(e.Value)
	p.rest = rest
}

// --- bracketed lists ------------------------------------------------------------

// seq is a bracketed, comma-separated list: arguments, parameters, tuple
// or list elements, inline dict entries.
type seq struct {
	open, close int // source offsets of the brackets
	lb, rb      string
	n           int
	pos         func(i int) int // source offset of element i
	elem        func(i int)     // writes element i
	oneTuple    bool            // `(x,)`: the trailing comma is syntax
	grouping    bool            // `(x)`: a trailing comma would make a tuple
	forceBreak  bool            // always one element per line
}

// seq writes the list on one line when it fits in maxWidth with what
// follows it (p.rest) and holds no comment; otherwise one element per line,
// each followed by a comma.
func (p *printer) seq(s seq) {
	p.tok(s.open, s.lb)
	inside := p.commentIn(s.open, s.close)
	if s.n == 0 && !inside {
		p.tok(s.close, s.rb)
		return
	}
	if p.flat > 0 || (!s.forceBreak && !inside && p.col()+p.measure(func() { p.seqFlat(s) })+p.rest <= maxWidth) {
		p.flat++
		p.seqFlat(s)
		p.flat--
		return
	}
	rest := p.rest
	p.indent++
	for i := 0; i < s.n; i++ {
		off := s.pos(i)
		p.newline(off)
		p.emitComments(off, false, false)
		p.rest = 1
		if s.grouping {
			p.rest = 0
		}
		s.elem(i)
		if !s.grouping {
			p.write(",")
		}
	}
	p.endBlock(s.close, false)
	p.indent--
	p.rest = rest
	p.tok(s.close, s.rb)
}

func (p *printer) seqFlat(s seq) {
	for i := 0; i < s.n; i++ {
		if i > 0 {
			p.write(",")
			p.write(" ")
		}
		s.elem(i)
	}
	if s.oneTuple {
		p.write(",")
	}
	p.tok(s.close, s.rb)
}

// canonicalName records the canonical spelling of the loss or optimizer
// named by a `loss:` or `optimizer:` section (`Categorical_CrossEntropy` →
// `categorical_crossentropy`, `adam` → `Adam`). Aliases keep their own
// name, lower-cased like the table's; unknown names are left as written.
func (p *printer) canonicalName(g *syntax.Generic) {
	var table []*ir.FuncSpec
	switch g.Name.Name {
	case "loss":
		table = ir.Losses
	case "optimizer":
		table = ir.Optimizers
	default:
		return
	}
	pr := direct(g.Value)
	if pr == nil {
		return
	}
	var name string
	var off int
	switch {
	case pr.String != nil:
		name, off = syntax.Unquote(*pr.String), pr.Pos.Offset
	case pr.Ident != nil:
		name, off = *pr.Ident, pr.Pos.Offset
	case pr.Call != nil:
		name, off = pr.Call.Name.Name, pr.Call.Name.Pos.Offset
	default:
		return
	}
	spec := ir.LookupFunc(table, name)
	if spec == nil {
		return
	}
	canonical := strings.ToLower(name)
	if strings.EqualFold(name, spec.Name) {
		canonical = spec.Name
	}
	if canonical == name {
		return
	}
	if p.canon == nil {
		p.canon = map[int]string{}
	}
	p.canon[off] = canonical
}
