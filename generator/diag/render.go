package diag

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// Sources gives the text of a file by name so that diagnostics can quote it.
type Sources map[string][]byte

// Render writes each diagnostic as
//
//	path:line:col: error: message
//	    Conv2D(32, kernal_size=3)
//	               ^~~~~~~~~~~
//	hint: did you mean `kernel_size`?
//	path:line:col: note: in expansion of ConvBlock
//
// Related locations follow as their own `note:` lines. A note about the
// place the diagnostic before it quoted does not quote it again.
func Render(w io.Writer, l *List, src Sources) {
	for i, d := range l.Items {
		fmt.Fprintf(w, "%s: %s: %s\n", d.Span.Start, d.Severity, d.Message)
		if !(d.Severity == Note && i > 0 && l.Items[i-1].Span == d.Span) {
			writeExcerpt(w, d.Span, src)
		}
		if d.Hint != "" {
			fmt.Fprintf(w, "  hint: %s\n", d.Hint)
		}
		for _, r := range d.Related {
			fmt.Fprintf(w, "%s: note: %s\n", r.Span.Start, r.Message)
		}
	}
}

// writeExcerpt prints the source line of span with a caret under the span.
// Tabs in the prefix are kept so the caret lines up in a terminal.
func writeExcerpt(w io.Writer, span Span, src Sources) {
	text, ok := src[span.Start.File]
	if !ok || !span.Start.IsValid() || span.Start.Offset > len(text) {
		return
	}
	lineStart := span.Start.Offset - (span.Start.Col - 1)
	if lineStart < 0 || lineStart > len(text) {
		return
	}
	lineEnd := lineStart
	for lineEnd < len(text) && text[lineEnd] != '\n' {
		lineEnd++
	}
	line := strings.TrimRight(string(text[lineStart:lineEnd]), "\r")
	fmt.Fprintf(w, "    %s\n", line)
	var pad strings.Builder
	for i := 0; i < span.Start.Col-1 && i < len(line); i++ {
		if line[i] == '\t' {
			pad.WriteByte('\t')
		} else {
			pad.WriteByte(' ')
		}
	}
	width := 1
	switch {
	case span.End.Line == span.Start.Line && span.End.Offset > span.Start.Offset:
		width = span.End.Offset - span.Start.Offset
	case span.End.Line > span.Start.Line:
		// The span goes on past this line (or ends where the parser saw the
		// next token, on a later line): underline the rest of the code on it.
		width = codeEnd(line, span.Start.Col-1) - (span.Start.Col - 1)
		if width < 1 {
			width = 1
		}
	}
	if max := len(line) - (span.Start.Col - 1); width > max && max > 0 {
		width = max
	}
	fmt.Fprintf(w, "    %s^%s\n", pad.String(), strings.Repeat("~", width-1))
}

// codeEnd is the end of the code on line from byte from on: before a
// trailing `#` or `//` comment (outside strings) and trailing blanks.
func codeEnd(line string, from int) int {
	end := len(line)
	var quote byte
	for i := from; i < len(line); i++ {
		c := line[i]
		switch {
		case quote != 0:
			if c == '\\' {
				i++
			} else if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '#' || (c == '/' && i+1 < len(line) && line[i+1] == '/'):
			end = i
			i = len(line)
		}
	}
	return len(strings.TrimRight(line[:end], " \t"))
}

// jsonReport is the stable shape of `--json` diagnostics output.
type jsonReport struct {
	Diagnostics []*Diagnostic `json:"diagnostics"`
	Errors      int           `json:"errors"`
	Warnings    int           `json:"warnings"`
}

// RenderJSON writes the list as one JSON object.
func RenderJSON(w io.Writer, l *List) error {
	r := jsonReport{Diagnostics: l.Items}
	if r.Diagnostics == nil {
		r.Diagnostics = []*Diagnostic{}
	}
	for _, d := range l.Items {
		switch d.Severity {
		case Error:
			r.Errors++
		case Warning:
			r.Warnings++
		}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}
