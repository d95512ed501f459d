// Package syntax turns .neural source text into an AST with a position on
// every node. It reports every syntax error of a file in one run by
// re-parsing after blanking out each statement that failed.
package syntax

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"

	"github.com/rules-neural/rules_neural/generator/diag"
)

// Limits that turn hostile input into a clear error instead of a hang or an
// out-of-memory crash.
const (
	MaxFileSize = 10 << 20
	MaxNesting  = 64
)

// recoveryBudget bounds the bytes parsed while recovering from syntax
// errors. Each error costs a re-parse of the whole file, so a large file
// with many errors would take minutes (50 errors in 10 MiB: 50 parses);
// past the budget the errors found so far are reported with a note. Files
// up to 640 KiB always get all of them (up to diag.MaxErrors). A variable
// so that tests can lower it.
var recoveryBudget = 32 << 20

var parser = participle.MustBuild[File](
	participle.Lexer(lexDef{}),
	participle.Elide("Comment"),
	participle.UseLookahead(1),
)

// PosOf converts a participle position to a diag position.
func PosOf(p lexer.Position) diag.Pos {
	return diag.Pos{File: p.Filename, Offset: p.Offset, Line: p.Line, Col: p.Column}
}

// SpanOf returns the span between two participle positions.
func SpanOf(start, end lexer.Position) diag.Span {
	s := diag.Span{Start: PosOf(start), End: PosOf(end)}
	if !s.End.IsValid() {
		s.End = s.Start
	}
	return s
}

// Parse parses one file. It returns the AST (nil when the file has syntax
// errors) and every syntax diagnostic found.
func Parse(filename string, src []byte) (*File, *diag.List) {
	diags := &diag.List{}
	if len(src) > MaxFileSize {
		diags.Errorf(diag.At(diag.Pos{File: filename, Line: 1, Col: 1}),
			"file is %d bytes; the limit is %d bytes (10 MiB)", len(src), MaxFileSize)
		return nil, diags
	}
	if !precheck(filename, src, diags) {
		return nil, diags
	}
	work := src
	lastOff, copied := -1, false
	parsed := 0
	for attempt := 0; attempt <= diag.MaxErrors; attempt++ {
		if attempt > 0 && parsed+len(work) > recoveryBudget {
			// At the last error, so that it sorts after it.
			last := diags.Items[len(diags.Items)-1]
			diags.Add(&diag.Diagnostic{
				Severity: diag.Note,
				Span:     diag.At(last.Span.Start),
				Message: fmt.Sprintf("stopped looking for syntax errors after %d: each one costs a re-parse of this %.1f MiB file; fix these and check again",
					attempt, float64(len(src))/(1<<20)),
			})
			return nil, diags
		}
		parsed += len(work)
		f, err := parseBytes(filename, work)
		if err == nil {
			if diags.HasErrors() {
				return nil, diags
			}
			return f, diags
		}
		pos, msg := describe(err, work)
		d := diags.Errorf(diag.At(pos), "%s", msg)
		if pos.Offset >= len(work) || pos.Offset <= lastOff {
			// At end of file (or no progress): nothing left to recover.
			if pos.Offset >= len(work) {
				attachUnclosed(d, filename, src)
			}
			return nil, diags
		}
		lastOff = pos.Offset
		if !copied {
			work, copied = append([]byte(nil), src...), true
		}
		if open, ok := unclosedBefore(filename, work, pos); ok {
			// The statement that really failed is the one whose `(` was never
			// closed; the parser only noticed at the next line.
			d.Message = fmt.Sprintf("expected `%s` before %s", closer(open.Value), strings.TrimPrefix(d.Message, "unexpected "))
			if i := strings.Index(d.Message, "; expected"); i >= 0 {
				d.Message = d.Message[:i]
			}
			d.WithRelated(diag.At(PosOf(open.Pos)), "to close `%s` opened here", open.Value)
			blankLines(work, open.Pos.Offset, pos.Offset)
			continue
		}
		blankStatement(work, pos.Offset)
	}
	return nil, diags
}

// parseBytes runs participle, turning any internal panic into an error so
// that no input can crash the compiler.
func parseBytes(filename string, src []byte) (f *File, err error) {
	defer func() {
		if r := recover(); r != nil {
			f, err = nil, &LexError{Pos: lexer.Position{Filename: filename, Line: 1, Column: 1},
				Msg: fmt.Sprintf("internal parser error: %v", r)}
		}
	}()
	return parser.ParseBytes(filename, src)
}

// describe turns a participle or lexer error into a position and a message
// in the project's wording.
func describe(err error, src []byte) (diag.Pos, string) {
	var le *LexError
	if errors.As(err, &le) {
		return PosOf(le.Pos), le.Msg
	}
	var pe participle.Error
	if errors.As(err, &pe) {
		p := PosOf(pe.Position())
		msg := pe.Message()
		if strings.HasPrefix(msg, "unexpected end of file") {
			return p, msg
		}
		if p.Offset >= len(src) || strings.Contains(msg, "<EOF>") {
			msg = "unexpected end of file"
			if k := strings.Index(pe.Message(), "(expected "); k >= 0 {
				msg += "; expected " + strings.ReplaceAll(strings.TrimSuffix(pe.Message()[k+len("(expected "):], ")"), `"`, "`")
			}
			return p, msg
		}
		return p, friendly(msg)
	}
	return diag.Pos{Line: 1, Col: 1}, err.Error()
}

// friendly rewrites participle's wording ("unexpected token" … "(expected
// …)") into the compiler's.
func friendly(msg string) string {
	msg = strings.Replace(msg, "unexpected token", "unexpected", 1)
	msg = strings.Replace(msg, "(expected", "; expected", 1)
	msg = strings.TrimSuffix(msg, ")")
	msg = strings.Replace(msg, " ; expected", "; expected", 1)
	// participle quotes the token with %q; show it as written instead.
	if m := quotedToken.FindStringSubmatchIndex(msg); m != nil {
		if tok, err := strconv.Unquote(msg[m[2]:m[3]]); err == nil {
			msg = msg[:m[2]] + "`" + tok + "`" + msg[m[3]:]
		}
	}
	if i := strings.Index(msg, "; expected "); i >= 0 && !strings.Contains(msg[i:], "\\") {
		msg = msg[:i] + strings.ReplaceAll(msg[i:], `"`, "`")
	}
	return msg
}

var quotedToken = regexp.MustCompile(`^unexpected ("(?:[^"\\]|\\.)*")`)

// blankStatement overwrites the line holding off, and any continuation
// lines up to the next line that starts a new statement, with spaces, keeping
// newlines and braces so positions and block structure survive. The parser
// then resynchronises at the next statement.
func blankStatement(b []byte, off int) {
	start := off
	for start > 0 && b[start-1] != '\n' {
		start--
	}
	end := off
	for end < len(b) && b[end] != '\n' {
		end++
	}
	depth := 0
	for i := start; i < end; i++ {
		switch b[i] {
		case '(', '[':
			depth++
		case ')', ']':
			depth--
		}
	}
	// An unclosed parenthesis: the statement continues on following lines.
	for depth > 0 && end < len(b) {
		next := end + 1
		lineEnd := next
		for lineEnd < len(b) && b[lineEnd] != '\n' {
			lineEnd++
		}
		line := strings.TrimSpace(string(b[next:lineEnd]))
		if line == "" || !startsStatement(line) {
			for i := next; i < lineEnd; i++ {
				switch b[i] {
				case '(', '[':
					depth++
				case ')', ']':
					depth--
				}
			}
			end = lineEnd
			continue
		}
		break
	}
	blank(b, start, end)
}

// blank overwrites b[start:end] with spaces, keeping newlines and braces,
// and leaves a placeholder `_` where the statement began (after a leading
// `name:` label, which is kept) so the surrounding construct still parses.
// The placeholder never reaches later stages: a file with syntax errors has
// no AST.
func blank(b []byte, start, end int) {
	i := start
	for i < end && (b[i] == ' ' || b[i] == '\t') {
		i++
	}
	keep := i
	if i < end && isIdentStart(b[i]) {
		j := i
		for j < end && isIdentChar(b[j]) {
			j++
		}
		k := j
		for k < end && (b[k] == ' ' || b[k] == '\t') {
			k++
		}
		if k < end && b[k] == ':' {
			keep = k + 1
		}
	}
	placed := false
	for p := keep; p < end; p++ {
		switch b[p] {
		case '\n', '{', '}':
		default:
			if !placed && b[p] != ' ' && b[p] != '\t' {
				b[p] = '_'
				placed = true
				continue
			}
			if placed || b[p] != ' ' {
				b[p] = ' '
			}
		}
	}
}

// startsStatement guesses whether a trimmed line begins a new layer or
// section: an identifier directly followed by `(`, `:`, `{` or the end.
func startsStatement(line string) bool {
	if line == "" || !isIdentStart(line[0]) {
		return false
	}
	i := 0
	for i < len(line) && isIdentChar(line[i]) {
		i++
	}
	rest := strings.TrimSpace(line[i:])
	return rest == "" || rest[0] == '(' || rest[0] == ':' || rest[0] == '{'
}

// precheck scans tokens once before parsing: it rejects nesting deeper than
// MaxNesting (which would otherwise recurse without bound) and reports
// unbalanced closing brackets precisely.
func precheck(filename string, src []byte, diags *diag.List) bool {
	s := newScanner(filename, src)
	depth := 0
	for {
		t, err := s.Next()
		if err != nil {
			return true // the parser reports lexical errors with recovery
		}
		if t.Type == lexer.EOF {
			return true
		}
		if t.Type != tokPunct {
			continue
		}
		switch t.Value {
		case "(", "[", "{":
			depth++
			if depth > MaxNesting {
				diags.Errorf(diag.At(PosOf(t.Pos)), "nesting is deeper than %d levels", MaxNesting).
					WithHint("flatten the structure or split it into macros")
				return false
			}
		case ")", "]", "}":
			depth--
		}
	}
}

// attachUnclosed adds a note pointing at the innermost `{`, `(` or `[` that
// is still open at end of file.
func attachUnclosed(d *diag.Diagnostic, filename string, src []byte) {
	s := newScanner(filename, src)
	var stack []lexer.Token
	for {
		t, err := s.Next()
		if err != nil || t.Type == lexer.EOF {
			break
		}
		if t.Type != tokPunct {
			continue
		}
		switch t.Value {
		case "(", "[", "{":
			stack = append(stack, t)
		case ")", "]", "}":
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		}
	}
	if len(stack) > 0 {
		t := stack[len(stack)-1]
		d.WithRelated(diag.At(PosOf(t.Pos)), "unclosed `%s` opened here", t.Value)
		d.WithHint("add the matching `%s`", closer(t.Value))
	}
}

func closer(open string) string {
	switch open {
	case "(":
		return ")"
	case "[":
		return "]"
	}
	return "}"
}

// Strings for error messages.
func (i *Ident) String() string { return i.Name }

// Span returns the identifier's span.
func (i *Ident) Span() diag.Span { return SpanOf(i.Pos, i.EndPos) }

// unclosedBefore finds a `(` or `[` opened on an earlier line than pos and
// still open at pos, when pos starts its line: the mark of a statement whose
// closing parenthesis is missing.
func unclosedBefore(filename string, src []byte, pos diag.Pos) (lexer.Token, bool) {
	lineStart := pos.Offset
	for lineStart > 0 && src[lineStart-1] != '\n' {
		lineStart--
	}
	if strings.TrimSpace(string(src[lineStart:pos.Offset])) != "" {
		return lexer.Token{}, false
	}
	s := newScanner(filename, src[:pos.Offset])
	var stack []lexer.Token
	for {
		t, err := s.Next()
		if err != nil || t.Type == lexer.EOF {
			break
		}
		if t.Type != tokPunct {
			continue
		}
		switch t.Value {
		case "(", "[":
			stack = append(stack, t)
		case "{":
			stack = stack[:0] // a block resets: parentheses never span one
		case ")", "]":
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		}
	}
	if len(stack) == 0 || stack[0].Pos.Line >= pos.Line {
		return lexer.Token{}, false
	}
	return stack[0], true
}

// blankLines blanks every line from the one holding from up to (not
// including) the line holding to, keeping newlines and braces.
func blankLines(b []byte, from, to int) {
	for from > 0 && b[from-1] != '\n' {
		from--
	}
	for to > from && b[to-1] != '\n' {
		to--
	}
	blank(b, from, to)
}
