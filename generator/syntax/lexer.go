package syntax

import (
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/alecthomas/participle/v2/lexer"
)

// Token types of the .neural lexer.
const (
	tokEOF     = lexer.EOF
	tokComment = lexer.TokenType(-(iota + 2))
	tokIdent
	tokVar
	tokInt
	tokFloat
	tokString
	tokPunct
)

var symbols = map[string]lexer.TokenType{
	"EOF":     tokEOF,
	"Comment": tokComment,
	"Ident":   tokIdent,
	"Var":     tokVar,
	"Int":     tokInt,
	"Float":   tokFloat,
	"String":  tokString,
	"Punct":   tokPunct,
}

// lexDef is a hand-written lexer: the .neural token set is small and a
// hand-written scanner is several times faster than a regexp-driven one,
// which matters for the 10,000-layer goal.
type lexDef struct{}

func (lexDef) Symbols() map[string]lexer.TokenType { return symbols }

func (lexDef) Lex(filename string, r io.Reader) (lexer.Lexer, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	return newScanner(filename, b), nil
}

func (lexDef) LexBytes(filename string, b []byte) (lexer.Lexer, error) {
	return newScanner(filename, b), nil
}

func (lexDef) LexString(filename string, s string) (lexer.Lexer, error) {
	return newScanner(filename, []byte(s)), nil
}

// scanner produces tokens; positions count lines from 1 and columns in
// bytes from 1.
type scanner struct {
	file string
	src  []byte
	off  int
	line int
	col  int
}

func newScanner(file string, src []byte) *scanner {
	return &scanner{file: file, src: src, line: 1, col: 1}
}

// LexError is a lexical error with its position.
type LexError struct {
	Pos lexer.Position
	Msg string
}

func (e *LexError) Error() string            { return fmt.Sprintf("%s: %s", e.Pos, e.Msg) }
func (e *LexError) Message() string          { return e.Msg }
func (e *LexError) Position() lexer.Position { return e.Pos }

func (s *scanner) pos() lexer.Position {
	return lexer.Position{Filename: s.file, Offset: s.off, Line: s.line, Column: s.col}
}

func (s *scanner) advance(n int) {
	for i := 0; i < n && s.off < len(s.src); i++ {
		if s.src[s.off] == '\n' {
			s.line++
			s.col = 1
		} else {
			s.col++
		}
		s.off++
	}
}

func (s *scanner) peek(i int) byte {
	if s.off+i < len(s.src) {
		return s.src[s.off+i]
	}
	return 0
}

func isIdentStart(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isIdentChar(c byte) bool { return isIdentStart(c) || isDigit(c) }

func (s *scanner) Next() (lexer.Token, error) {
	for s.off < len(s.src) {
		switch c := s.src[s.off]; c {
		case ' ', '\t', '\r', '\n', '\f', '\v':
			s.advance(1)
			continue
		}
		break
	}
	start := s.pos()
	if s.off >= len(s.src) {
		return lexer.EOFToken(start), nil
	}
	c := s.src[s.off]
	tok := func(t lexer.TokenType, from int) lexer.Token {
		return lexer.Token{Type: t, Value: string(s.src[from:s.off]), Pos: start}
	}
	from := s.off
	switch {
	case c == '#' || (c == '/' && s.peek(1) == '/'):
		for s.off < len(s.src) && s.src[s.off] != '\n' {
			s.advance(1)
		}
		return tok(tokComment, from), nil
	case c == '/' && s.peek(1) == '*':
		s.advance(2)
		for {
			if s.off >= len(s.src) {
				return lexer.Token{}, &LexError{Pos: start, Msg: "block comment is not terminated: expected `*/`"}
			}
			if s.src[s.off] == '*' && s.peek(1) == '/' {
				s.advance(2)
				break
			}
			s.advance(1)
		}
		return tok(tokComment, from), nil
	case isIdentStart(c):
		for s.off < len(s.src) && isIdentChar(s.src[s.off]) {
			s.advance(1)
		}
		return tok(tokIdent, from), nil
	case c == '$':
		s.advance(1)
		if !isIdentStart(s.peek(0)) {
			return lexer.Token{}, &LexError{Pos: start, Msg: "expected a macro parameter name after `$`"}
		}
		for s.off < len(s.src) && isIdentChar(s.src[s.off]) {
			s.advance(1)
		}
		return tok(tokVar, from), nil
	case isDigit(c) || (c == '.' && isDigit(s.peek(1))):
		return s.number(start)
	case c == '"' || c == '\'':
		return s.str(start, c)
	}
	switch c {
	case '(', ')', '[', ']', '{', '}', ',', ':', '=', '@', '*', '/', '+', '-', ';':
		s.advance(1)
		return tok(tokPunct, from), nil
	}
	r, size := utf8.DecodeRune(s.src[s.off:])
	if r == utf8.RuneError && size <= 1 {
		return lexer.Token{}, &LexError{Pos: start, Msg: "invalid UTF-8 encoding"}
	}
	return lexer.Token{}, &LexError{Pos: start, Msg: fmt.Sprintf("unexpected character %q", r)}
}

func (s *scanner) number(start lexer.Position) (lexer.Token, error) {
	from := s.off
	isFloat := false
	for isDigit(s.peek(0)) {
		s.advance(1)
	}
	if s.peek(0) == '.' && isDigit(s.peek(1)) || s.peek(0) == '.' && !isIdentStart(s.peek(1)) && s.off > from {
		isFloat = true
		s.advance(1)
		for isDigit(s.peek(0)) {
			s.advance(1)
		}
	}
	if c := s.peek(0); c == 'e' || c == 'E' {
		n := 1
		if d := s.peek(1); d == '+' || d == '-' {
			n = 2
		}
		if !isDigit(s.peek(n)) {
			s.advance(n)
			return lexer.Token{}, &LexError{Pos: start, Msg: "malformed number: exponent has no digits"}
		}
		isFloat = true
		s.advance(n)
		for isDigit(s.peek(0)) {
			s.advance(1)
		}
	}
	if c := s.peek(0); isIdentChar(c) || c == '.' {
		for isIdentChar(s.peek(0)) || s.peek(0) == '.' {
			s.advance(1)
		}
		return lexer.Token{}, &LexError{Pos: start, Msg: fmt.Sprintf("malformed number %q", string(s.src[from:s.off]))}
	}
	t := tokInt
	if isFloat {
		t = tokFloat
	}
	return lexer.Token{Type: t, Value: string(s.src[from:s.off]), Pos: start}, nil
}

func (s *scanner) str(start lexer.Position, quote byte) (lexer.Token, error) {
	from := s.off
	s.advance(1)
	for {
		if s.off >= len(s.src) {
			return lexer.Token{}, &LexError{Pos: start, Msg: "string is not terminated"}
		}
		c := s.src[s.off]
		switch c {
		case quote:
			s.advance(1)
			return lexer.Token{Type: tokString, Value: string(s.src[from:s.off]), Pos: start}, nil
		case '\n':
			return lexer.Token{}, &LexError{Pos: start, Msg: "newline in string: close the string on the same line"}
		case '\\':
			switch s.peek(1) {
			case '\\', '"', '\'', 'n', 't':
				s.advance(2)
				continue
			}
			p := s.pos()
			return lexer.Token{}, &LexError{Pos: p, Msg: "unknown escape sequence in string (allowed: \\\\ \\\" \\' \\n \\t)"}
		}
		s.advance(1)
	}
}

// Unquote decodes a string literal as written in source (with its quotes).
func Unquote(lit string) string {
	if len(lit) < 2 {
		return lit
	}
	body := lit[1 : len(lit)-1]
	out := make([]byte, 0, len(body))
	for i := 0; i < len(body); i++ {
		c := body[i]
		if c == '\\' && i+1 < len(body) {
			i++
			switch body[i] {
			case 'n':
				out = append(out, '\n')
			case 't':
				out = append(out, '\t')
			default:
				out = append(out, body[i])
			}
			continue
		}
		out = append(out, c)
	}
	return string(out)
}

// Quote writes s as a double-quoted .neural string literal.
func Quote(s string) string {
	out := make([]byte, 0, len(s)+2)
	out = append(out, '"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"', '\\':
			out = append(out, '\\', c)
		case '\n':
			out = append(out, '\\', 'n')
		case '\t':
			out = append(out, '\\', 't')
		default:
			out = append(out, c)
		}
	}
	return string(append(out, '"'))
}
