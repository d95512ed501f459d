package syntax

import "github.com/alecthomas/participle/v2/lexer"

// Comment is one `#`, `//` or `/* */` comment of a source file. The parser
// drops comments; tools that rewrite source (`neuralgen fmt`) read them with
// Comments and put them back.
type Comment struct {
	Pos    lexer.Position // the first byte of the comment
	EndPos lexer.Position // just past its last byte
	// Text is the comment exactly as written, including `#`, `//` or the
	// `/*` … `*/` delimiters; a line comment stops before the newline.
	Text string
}

// IsBlock reports whether c is a `/* … */` comment.
func (c Comment) IsBlock() bool { return len(c.Text) >= 2 && c.Text[0] == '/' && c.Text[1] == '*' }

// Comments returns the comments of src in source order, found by the same
// scanner the parser uses, so a `#` inside a string is never a comment. On
// a lexical error the scan skips ahead and goes on; an unterminated block
// comment is not returned.
func Comments(filename string, src []byte) []Comment {
	s := newScanner(filename, src)
	var out []Comment
	for {
		t, err := s.Next()
		if err != nil {
			if le, ok := err.(*LexError); ok && s.off <= le.Pos.Offset {
				s.advance(le.Pos.Offset - s.off + 1)
			}
			if s.off >= len(src) {
				return out
			}
			continue
		}
		if t.Type == lexer.EOF {
			return out
		}
		if t.Type == tokComment {
			out = append(out, Comment{Pos: t.Pos, EndPos: s.pos(), Text: t.Value})
		}
	}
}
