package syntax

import (
	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
)

// Layer statements are the other hot spot of parsing (a 10,000-layer model
// is 10,000 of them), so Stmt, like Expr, implements participle.Parseable
// with a hand-written parser of exactly the grammar in the struct tags of
// Stmt, Branch and Layer. participle still drives files, definitions,
// networks and sections.

var _ participle.Parseable = (*Stmt)(nil)

// sectionWords are the section names that end a statement list when
// followed by `:` or `{` (LANGUAGE.md §3 and the §10 spellings).
var sectionWords = map[string]bool{
	"input": true, "layers": true, "loss": true, "optimizer": true, "metrics": true,
	"train": true, "training": true, "execute": true, "execution": true, "lr_schedule": true,
}

// Parse implements participle.Parseable.
func (s *Stmt) Parse(lex *lexer.PeekingLexer) error {
	p := exprParser{lex: lex}
	ok, err := p.stmt(s)
	if err == nil && !ok {
		return participle.NextMatch
	}
	return err
}

// peek2 returns the token after the next one.
func (p *exprParser) peek2() *lexer.Token {
	cp := p.lex.MakeCheckpoint()
	p.lex.Next()
	t := p.lex.Peek()
	p.lex.LoadCheckpoint(cp)
	return t
}

// stmt parses one statement; ok is false (with nothing consumed) when the
// next tokens do not start one.
func (p *exprParser) stmt(s *Stmt) (ok bool, err error) {
	t := p.lex.Peek()
	if t.Type != tokIdent {
		return false, nil
	}
	next := p.peek2()
	if sectionWords[t.Value] && (isPunct(next, ":") || isPunct(next, "{")) {
		return false, nil
	}
	if err := p.enter(); err != nil {
		return false, err
	}
	defer func() { p.depth-- }()
	s.Pos = t.Pos
	if isPunct(next, ":") {
		cp := p.lex.MakeCheckpoint()
		p.lex.Next()
		p.lex.Next()
		if !isPunct(p.lex.Peek(), "{") {
			p.lex.LoadCheckpoint(cp)
			return false, nil
		}
		p.lex.LoadCheckpoint(cp)
		s.Branch = &Branch{}
		if err := p.branch(s.Branch); err != nil {
			return true, err
		}
	} else {
		s.Layer = &Layer{}
		if err := p.layer(s.Layer); err != nil {
			return true, err
		}
	}
	s.EndPos = p.lex.Peek().Pos
	return true, nil
}

func (p *exprParser) ident() *Ident {
	t := p.lex.Next()
	return &Ident{Pos: t.Pos, EndPos: p.lex.Peek().Pos, Name: t.Value}
}

func (p *exprParser) branch(b *Branch) error {
	b.Pos = p.lex.Peek().Pos
	b.Name = p.ident()
	p.lex.Next() // :
	body, err := p.block()
	if err != nil {
		return err
	}
	b.Body = body
	b.EndPos = p.lex.Peek().Pos
	return nil
}

// block parses `{ stmt… }` starting at the `{`.
func (p *exprParser) block() ([]*Stmt, error) {
	p.lex.Next() // {
	var body []*Stmt
	for {
		s := &Stmt{}
		ok, err := p.stmt(s)
		if err != nil {
			return body, err
		}
		if !ok {
			break
		}
		body = append(body, s)
	}
	if t := p.lex.Peek(); !isPunct(t, "}") {
		return body, unexpected(t, "a layer or `}`")
	}
	p.lex.Next()
	return body, nil
}

func (p *exprParser) layer(l *Layer) error {
	l.Pos = p.lex.Peek().Pos
	l.Name = p.ident()
	if isPunct(p.lex.Peek(), "(") {
		l.HasArgs = true
		c := &Call{}
		if err := p.call(c); err != nil {
			return err
		}
		l.Args = c.Args
	}
	if isPunct(p.lex.Peek(), "@") {
		p.lex.Next()
		if !startsPrimary(p.lex.Peek()) {
			return unexpected(p.lex.Peek(), "a device such as \"cuda:0\"")
		}
		l.Device = &Expr{}
		if err := p.expr(l.Device); err != nil {
			return err
		}
	}
	if isPunct(p.lex.Peek(), "{") {
		l.HasBlock = true
		body, err := p.block()
		l.Block = body
		if err != nil {
			return err
		}
	}
	if isPunct(p.lex.Peek(), "*") {
		p.lex.Next()
		if !startsPrimary(p.lex.Peek()) {
			return unexpected(p.lex.Peek(), "a repetition count")
		}
		l.Repeat = &Expr{}
		if err := p.expr(l.Repeat); err != nil {
			return err
		}
	}
	l.EndPos = p.lex.Peek().Pos
	return nil
}
