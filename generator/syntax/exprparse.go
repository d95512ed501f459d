package syntax

import (
	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
)

// Expressions, argument lists and dicts are the bulk of every .neural file.
// Their grammar is spelled out in the struct tags of ast.go, but the types
// implement participle.Parseable with the hand-written recursive descent
// below: same AST, same positions (EndPos is the position of the next token,
// as participle sets it), several times fewer allocations than reflective
// matching. participle keeps parsing the statement-level structure.

var (
	_ participle.Parseable = (*Expr)(nil)
	_ participle.Parseable = (*Arg)(nil)
	_ participle.Parseable = (*Dict)(nil)
)

type exprParser struct {
	lex   *lexer.PeekingLexer
	depth int
}

func isPunct(t *lexer.Token, v string) bool { return t.Type == tokPunct && t.Value == v }

func unexpected(t *lexer.Token, expected string) error {
	if t.EOF() {
		return participle.Errorf(t.Pos, "unexpected end of file; expected %s", expected)
	}
	return participle.Errorf(t.Pos, "unexpected `%s`; expected %s", t.Value, expected)
}

// Parse implements participle.Parseable.
func (e *Expr) Parse(lex *lexer.PeekingLexer) error {
	if !startsPrimary(lex.Peek()) {
		return participle.NextMatch
	}
	p := exprParser{lex: lex}
	return p.expr(e)
}

// Parse implements participle.Parseable.
func (a *Arg) Parse(lex *lexer.PeekingLexer) error {
	if !startsPrimary(lex.Peek()) {
		return participle.NextMatch
	}
	p := exprParser{lex: lex}
	return p.arg(a)
}

// Parse implements participle.Parseable.
func (d *Dict) Parse(lex *lexer.PeekingLexer) error {
	if !isPunct(lex.Peek(), "{") {
		return participle.NextMatch
	}
	p := exprParser{lex: lex}
	return p.dict(d)
}

func startsPrimary(t *lexer.Token) bool {
	switch t.Type {
	case tokInt, tokFloat, tokString, tokVar, tokIdent:
		return true
	case tokPunct:
		switch t.Value {
		case "(", "[", "{", "-":
			return true
		}
	}
	return false
}

func (p *exprParser) enter() error {
	p.depth++
	if p.depth > MaxNesting*4 {
		return participle.Errorf(p.lex.Peek().Pos, "expression nests deeper than %d levels", MaxNesting)
	}
	return nil
}

func (p *exprParser) expr(e *Expr) error {
	if err := p.enter(); err != nil {
		return err
	}
	defer func() { p.depth-- }()
	e.Pos = p.lex.Peek().Pos
	e.Left = &Term{}
	if err := p.term(e.Left); err != nil {
		return err
	}
	for {
		t := p.lex.Peek()
		if !isPunct(t, "+") && !isPunct(t, "-") {
			break
		}
		op := &OpTerm{Pos: t.Pos, Op: p.lex.Next().Value, Term: &Term{}}
		if err := p.term(op.Term); err != nil {
			return err
		}
		op.EndPos = p.lex.Peek().Pos
		e.Rest = append(e.Rest, op)
	}
	e.EndPos = p.lex.Peek().Pos
	return nil
}

func (p *exprParser) term(t *Term) error {
	t.Pos = p.lex.Peek().Pos
	t.Left = &Unary{}
	if err := p.unary(t.Left); err != nil {
		return err
	}
	last := t.Left
	for {
		tok := p.lex.Peek()
		// `* N` after a string is a statement's repetition
		// (`Dense(8) @ "cpu" * 2`), never arithmetic on text.
		if last.Primary.String != nil && !last.Neg {
			break
		}
		if !isPunct(tok, "*") && !isPunct(tok, "/") {
			break
		}
		op := &OpUnary{Pos: tok.Pos, Op: p.lex.Next().Value, Unary: &Unary{}}
		if err := p.unary(op.Unary); err != nil {
			return err
		}
		op.EndPos = p.lex.Peek().Pos
		t.Rest = append(t.Rest, op)
		last = op.Unary
	}
	t.EndPos = p.lex.Peek().Pos
	return nil
}

func (p *exprParser) unary(u *Unary) error {
	u.Pos = p.lex.Peek().Pos
	if isPunct(p.lex.Peek(), "-") {
		p.lex.Next()
		u.Neg = true
	}
	u.Primary = &Primary{}
	if err := p.primary(u.Primary); err != nil {
		return err
	}
	u.EndPos = p.lex.Peek().Pos
	return nil
}

func (p *exprParser) primary(pr *Primary) error {
	t := p.lex.Peek()
	pr.Pos = t.Pos
	switch t.Type {
	case tokFloat:
		v := p.lex.Next().Value
		pr.Float = &v
	case tokInt:
		v := p.lex.Next().Value
		pr.Int = &v
	case tokString:
		v := p.lex.Next().Value
		pr.String = &v
	case tokVar:
		v := p.lex.Next().Value
		pr.Var = &v
	case tokIdent:
		name := p.lex.Next()
		if isPunct(p.lex.Peek(), "(") {
			pr.Call = &Call{Pos: name.Pos, Name: &Ident{Pos: name.Pos, EndPos: p.lex.Peek().Pos, Name: name.Value}}
			if err := p.call(pr.Call); err != nil {
				return err
			}
		} else {
			v := name.Value
			pr.Ident = &v
		}
	case tokPunct:
		switch t.Value {
		case "(":
			pr.Paren = &Paren{}
			if err := p.paren(pr.Paren); err != nil {
				return err
			}
		case "[":
			pr.List = &List{}
			if err := p.list(pr.List); err != nil {
				return err
			}
		case "{":
			pr.Dict = &Dict{}
			if err := p.dict(pr.Dict); err != nil {
				return err
			}
		default:
			return unexpected(t, "a value")
		}
	default:
		return unexpected(t, "a value")
	}
	pr.EndPos = p.lex.Peek().Pos
	return nil
}

// call parses `( args )` after the callee name.
func (p *exprParser) call(c *Call) error {
	if err := p.enter(); err != nil {
		return err
	}
	defer func() { p.depth-- }()
	p.lex.Next() // (
	for !isPunct(p.lex.Peek(), ")") {
		a := &Arg{}
		if err := p.arg(a); err != nil {
			return err
		}
		c.Args = append(c.Args, a)
		if !isPunct(p.lex.Peek(), ",") {
			break
		}
		p.lex.Next()
	}
	if t := p.lex.Peek(); !isPunct(t, ")") {
		return unexpected(t, "`,` or `)`")
	}
	p.lex.Next()
	c.EndPos = p.lex.Peek().Pos
	return nil
}

func (p *exprParser) arg(a *Arg) error {
	t := p.lex.Peek()
	a.Pos = t.Pos
	if t.Type == tokIdent {
		cp := p.lex.MakeCheckpoint()
		name := p.lex.Next()
		if sep := p.lex.Peek(); isPunct(sep, "=") || isPunct(sep, ":") {
			a.Name = &Ident{Pos: name.Pos, EndPos: sep.Pos, Name: name.Value}
			p.lex.Next()
		} else {
			p.lex.LoadCheckpoint(cp)
		}
	}
	if !startsPrimary(p.lex.Peek()) {
		return unexpected(p.lex.Peek(), "a value")
	}
	a.Value = &Expr{}
	if err := p.expr(a.Value); err != nil {
		return err
	}
	a.EndPos = p.lex.Peek().Pos
	return nil
}

func (p *exprParser) paren(pa *Paren) error {
	if err := p.enter(); err != nil {
		return err
	}
	defer func() { p.depth-- }()
	pa.Pos = p.lex.Next().Pos // (
	for !isPunct(p.lex.Peek(), ")") {
		e := &Expr{}
		if !startsPrimary(p.lex.Peek()) {
			return unexpected(p.lex.Peek(), "a value or `)`")
		}
		if err := p.expr(e); err != nil {
			return err
		}
		pa.Elems = append(pa.Elems, e)
		if !isPunct(p.lex.Peek(), ",") {
			break
		}
		p.lex.Next()
		if isPunct(p.lex.Peek(), ")") {
			pa.TrailingComma = true
		}
	}
	if t := p.lex.Peek(); !isPunct(t, ")") {
		return unexpected(t, "`,` or `)`")
	}
	p.lex.Next()
	pa.EndPos = p.lex.Peek().Pos
	return nil
}

func (p *exprParser) list(l *List) error {
	if err := p.enter(); err != nil {
		return err
	}
	defer func() { p.depth-- }()
	l.Pos = p.lex.Next().Pos // [
	for !isPunct(p.lex.Peek(), "]") {
		if !startsPrimary(p.lex.Peek()) {
			return unexpected(p.lex.Peek(), "a value or `]`")
		}
		e := &Expr{}
		if err := p.expr(e); err != nil {
			return err
		}
		l.Elems = append(l.Elems, e)
		if !isPunct(p.lex.Peek(), ",") {
			break
		}
		p.lex.Next()
	}
	if t := p.lex.Peek(); !isPunct(t, "]") {
		return unexpected(t, "`,` or `]`")
	}
	p.lex.Next()
	l.EndPos = p.lex.Peek().Pos
	return nil
}

func (p *exprParser) dict(d *Dict) error {
	if err := p.enter(); err != nil {
		return err
	}
	defer func() { p.depth-- }()
	d.Pos = p.lex.Next().Pos // {
	for !isPunct(p.lex.Peek(), "}") {
		t := p.lex.Peek()
		if t.Type != tokIdent {
			return unexpected(t, "a key or `}`")
		}
		en := &Entry{Pos: t.Pos}
		p.lex.Next()
		en.Key = &Ident{Pos: t.Pos, EndPos: p.lex.Peek().Pos, Name: t.Value}
		if isPunct(p.lex.Peek(), ":") {
			p.lex.Next()
			en.Colon = true
		}
		if !startsPrimary(p.lex.Peek()) {
			return unexpected(p.lex.Peek(), "a value")
		}
		en.Value = &Expr{}
		if err := p.expr(en.Value); err != nil {
			return err
		}
		en.EndPos = p.lex.Peek().Pos
		d.Entries = append(d.Entries, en)
		if isPunct(p.lex.Peek(), ",") {
			p.lex.Next()
		}
	}
	p.lex.Next() // }
	d.EndPos = p.lex.Peek().Pos
	return nil
}
