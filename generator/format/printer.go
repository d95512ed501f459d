package format

import (
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/rules-neural/rules_neural/generator/syntax"
)

// printer accumulates the formatted output line by line and interleaves the
// source comments with the tokens it writes.
type printer struct {
	src        []byte
	lineStarts []int // byte offset of the start of every source line
	comments   []syntax.Comment
	commentEnd map[int]int // comment start offset → end offset
	commentBeg map[int]int // comment end offset → start offset
	macros     map[string]bool
	// canon replaces the token at a source offset with its canonical
	// spelling (loss and optimizer names, LANGUAGE.md §1).
	canon map[int]string

	out        []byte // finished lines
	line       []byte // the line being built, without its indentation
	lineIndent int    // indentation level of line, fixed by its first write
	indent     int    // current indentation level
	// cont is set when a comment forced a line break inside a construct:
	// the rest of the construct is indented one extra level.
	cont bool
	// needBreak is set after a comment that must end its line: the next
	// token starts a new line.
	needBreak bool
	// spaceNext asks for a space before the next token (after an inline
	// block comment).
	spaceNext bool
	// blockStart is true right after `{` (or `layers:`, or at the start of
	// the file), where no blank line is kept.
	blockStart bool
	lastLine   int // source line of the last token or comment written
	next       int // index of the first comment not yet written

	flat  int  // > 0 while printing a construct on one line
	muted bool // measuring: nothing is emitted, comments stay pending
	rest  int  // width of what follows the current construct on its line
}

func newPrinter(src []byte, comments []syntax.Comment, f *syntax.File) *printer {
	p := &printer{
		src:        src,
		comments:   comments,
		commentEnd: make(map[int]int, len(comments)),
		commentBeg: make(map[int]int, len(comments)),
		macros:     map[string]bool{},
		blockStart: true,
		lineStarts: []int{0},
	}
	for i, c := range src {
		if c == '\n' {
			p.lineStarts = append(p.lineStarts, i+1)
		}
	}
	for _, c := range comments {
		p.commentEnd[c.Pos.Offset] = c.EndPos.Offset
		p.commentBeg[c.EndPos.Offset] = c.Pos.Offset
	}
	for _, it := range f.Items {
		if it.Define != nil && it.Define.Name != nil {
			p.macros[strings.ToLower(it.Define.Name.Name)] = true
		}
	}
	return p
}

// --- source positions ---------------------------------------------------

func isSpace(c byte) bool {
	switch c {
	case ' ', '\t', '\r', '\n', '\f', '\v':
		return true
	}
	return false
}

// nextTok returns the offset of the first token at or after off, skipping
// whitespace and comments (len(src) at the end).
func (p *printer) nextTok(off int) int {
	for off < len(p.src) {
		if end, ok := p.commentEnd[off]; ok {
			off = end
			continue
		}
		if !isSpace(p.src[off]) {
			break
		}
		off++
	}
	return off
}

// tokEnd returns the end offset of the last token before off, skipping
// whitespace and comments backwards. Node EndPos values point at whatever
// follows the node (the next token or comment); tokEnd(EndPos) is where the
// node's own text ends.
func (p *printer) tokEnd(off int) int {
	if off > len(p.src) {
		off = len(p.src)
	}
	for off > 0 {
		if beg, ok := p.commentBeg[off]; ok {
			off = beg
			continue
		}
		if !isSpace(p.src[off-1]) {
			break
		}
		off--
	}
	return off
}

// closer returns the offset of the bracket that closes a list whose last
// element ends at end: the next token, after an optional trailing comma.
func (p *printer) closer(end int) int {
	t := p.nextTok(end)
	if t < len(p.src) && p.src[t] == ',' {
		t = p.nextTok(t + 1)
	}
	return t
}

// lineOf returns the 1-based source line holding off.
func (p *printer) lineOf(off int) int {
	return sort.Search(len(p.lineStarts), func(i int) bool { return p.lineStarts[i] > off })
}

// blankBefore reports whether an empty line separates off from the token or
// comment before it.
func (p *printer) blankBefore(off int) bool {
	n := 0
	for i := off - 1; i >= 0 && isSpace(p.src[i]); i-- {
		if p.src[i] == '\n' {
			n++
		}
	}
	return n >= 2
}

// commentIn reports whether a comment starts strictly between two offsets.
func (p *printer) commentIn(from, to int) bool {
	i := sort.Search(len(p.comments), func(i int) bool { return p.comments[i].Pos.Offset > from })
	return i < len(p.comments) && p.comments[i].Pos.Offset < to
}

// --- output -------------------------------------------------------------

// write appends s to the current line, starting a new line first if a
// comment demands it. A lone " " is a separator: it is dropped at the start
// of a line.
func (p *printer) write(s string) {
	if s == " " {
		if p.muted || (len(p.line) > 0 && !p.needBreak && p.line[len(p.line)-1] != ' ') {
			p.line = append(p.line, ' ')
		}
		return
	}
	if p.needBreak {
		p.commit()
	}
	if len(p.line) == 0 {
		p.lineIndent = p.indent
		if p.cont {
			p.lineIndent++
		}
	} else if p.spaceNext && p.line[len(p.line)-1] != ' ' {
		p.line = append(p.line, ' ')
	}
	p.spaceNext = false
	p.line = append(p.line, s...)
	p.blockStart = false
}

// tok writes the token at source offset off, after the comments before it.
func (p *printer) tok(off int, s string) {
	p.emitComments(off, false, false)
	p.write(s)
	if !p.muted {
		p.lastLine = p.lineOf(off)
	}
}

// commit ends the current line.
func (p *printer) commit() {
	if p.muted {
		return
	}
	p.needBreak = false
	p.spaceNext = false
	if len(p.line) == 0 {
		return
	}
	end := len(p.line)
	for end > 0 && (p.line[end-1] == ' ' || p.line[end-1] == '\t') {
		end--
	}
	p.out = append(p.out, strings.Repeat(indentUnit, p.lineIndent)...)
	p.out = append(p.out, p.line[:end]...)
	p.out = append(p.out, '\n')
	p.line = p.line[:0]
}

// newline ends the current line at a structural break, keeping on it the
// comments that follow its last token on the same source line (trailing
// comments) and start before bound.
func (p *printer) newline(bound int) {
	if p.muted {
		return
	}
	for len(p.line) > 0 && p.next < len(p.comments) {
		c := p.comments[p.next]
		if c.Pos.Offset >= bound || c.Pos.Line != p.lastLine {
			break
		}
		p.next++
		p.trailing(c)
	}
	p.commit()
	p.cont = false
}

// blank writes one empty line, except at the start of a block.
func (p *printer) blank() {
	if p.blockStart || p.muted {
		return
	}
	p.commit()
	n := len(p.out)
	if n > 0 && !(n >= 2 && p.out[n-1] == '\n' && p.out[n-2] == '\n') {
		p.out = append(p.out, '\n')
	}
}

// commentText is the text a comment is written with: line comments lose
// trailing blanks (and the `\r` of CRLF files), block comments are verbatim.
func commentText(c syntax.Comment) string {
	if c.IsBlock() {
		return c.Text
	}
	return strings.TrimRight(c.Text, " \t\r\f\v")
}

// trailing appends c to the current line.
func (p *printer) trailing(c syntax.Comment) {
	if n := len(p.line); n > 0 {
		switch p.line[n-1] {
		case ' ', '(', '[':
		default:
			p.line = append(p.line, ' ')
		}
	}
	p.line = append(p.line, commentText(c)...)
	p.lastLine = c.EndPos.Line
	if c.IsBlock() && p.codeFollows(c) {
		p.spaceNext = true
	} else {
		p.needBreak = true
	}
}

// codeFollows reports whether more text follows block comment c on the line
// where it ends.
func (p *printer) codeFollows(c syntax.Comment) bool {
	for i := c.EndPos.Offset; i < len(p.src); i++ {
		switch p.src[i] {
		case ' ', '\t', '\r', '\f', '\v':
			continue
		case '\n':
			return false
		}
		return true
	}
	return false
}

// ownLine writes c on a line of its own.
func (p *printer) ownLine(c syntax.Comment) {
	if len(p.line) > 0 && !p.needBreak {
		// Inside a construct: break it here and indent the rest.
		p.commit()
		p.cont = true
	}
	p.write(commentText(c))
	p.lastLine = c.EndPos.Line
	if c.IsBlock() && p.codeFollows(c) {
		p.spaceNext = true // `/* note */ Dense(64)` stays on one line
	} else {
		p.needBreak = true
	}
}

// emitComments writes every pending comment that starts before bound. In a
// structured context (between statements, sections, entries, top-level
// declarations) an empty line before a comment is kept, and firstBlank
// forces one before the first comment. It reports whether it wrote any.
func (p *printer) emitComments(bound int, structured, firstBlank bool) bool {
	if p.muted {
		return false
	}
	wrote := false
	for p.next < len(p.comments) && p.comments[p.next].Pos.Offset < bound {
		c := p.comments[p.next]
		p.next++
		if len(p.line) > 0 && c.Pos.Line == p.lastLine {
			afterCode := !p.needBreak
			p.trailing(c)
			if p.needBreak && afterCode && !structured {
				// A line comment in the middle of a construct: what
				// follows continues on the next line.
				p.cont = true
			}
		} else {
			if structured && ((firstBlank && !wrote) || p.blankBefore(c.Pos.Offset)) {
				p.blank()
			}
			p.ownLine(c)
		}
		wrote = true
	}
	return wrote
}

// startElem starts a statement, section, entry or declaration at off: its
// own line, its leading comments, and the empty line before it if the
// source has one (or always, with forceBlank).
func (p *printer) startElem(off int, forceBlank bool) {
	p.newline(off)
	wrote := p.emitComments(off, true, forceBlank)
	if (forceBlank && !wrote) || p.blankBefore(off) {
		p.blank()
	}
}

// endBlock writes the comments left before a closing bracket at bound, one
// level deeper than the bracket, and ends the line.
func (p *printer) endBlock(bound int, structured bool) {
	p.newline(bound)
	p.emitComments(bound, structured, false)
	p.newline(bound)
}

// col is the column (0-based) at which the next token will be written.
func (p *printer) col() int {
	if len(p.line) == 0 || p.needBreak {
		ind := p.indent
		if p.cont {
			ind++
		}
		return ind * len(indentUnit)
	}
	return p.lineIndent*len(indentUnit) + utf8.RuneCount(p.line)
}

// measure returns the width of what fn prints on one line.
func (p *printer) measure(fn func()) int {
	line, lineIndent, needBreak, cont, spaceNext := p.line, p.lineIndent, p.needBreak, p.cont, p.spaceNext
	blockStart, lastLine, muted, rest := p.blockStart, p.lastLine, p.muted, p.rest
	p.line, p.needBreak, p.spaceNext, p.muted = nil, false, false, true
	p.flat++
	fn()
	w := utf8.RuneCount(p.line)
	p.flat--
	p.line, p.lineIndent, p.needBreak, p.cont, p.spaceNext = line, lineIndent, needBreak, cont, spaceNext
	p.blockStart, p.lastLine, p.muted, p.rest = blockStart, lastLine, muted, rest
	return w
}
