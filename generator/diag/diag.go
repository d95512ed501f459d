// Package diag holds source positions and the diagnostics every stage of the
// compiler reports: errors, warnings and notes with a span, a hint and a
// macro-expansion backtrace.
package diag

import (
	"fmt"
	"sort"
)

// Pos is a position in a source file. Line and Col are 1-based; Col counts
// bytes, like the Go toolchain. Offset is the 0-based byte offset.
type Pos struct {
	File   string `json:"file"`
	Offset int    `json:"offset"`
	Line   int    `json:"line"`
	Col    int    `json:"col"`
}

// IsValid reports whether p refers to a place in a file.
func (p Pos) IsValid() bool { return p.Line > 0 }

func (p Pos) String() string {
	if !p.IsValid() {
		if p.File != "" {
			return p.File
		}
		return "-"
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
}

// Span is a half-open range [Start, End) of source text.
type Span struct {
	Start Pos `json:"start"`
	End   Pos `json:"end"`
}

// At returns an empty span at p.
func At(p Pos) Span { return Span{Start: p, End: p} }

// Severity orders diagnostics by importance.
type Severity int

const (
	Error Severity = iota
	Warning
	Note
)

func (s Severity) String() string {
	switch s {
	case Error:
		return "error"
	case Warning:
		return "warning"
	default:
		return "note"
	}
}

// MarshalText makes severities readable in JSON output.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Related is a secondary location attached to a diagnostic: "previous
// definition here", "in expansion of ConvBlock at …", "unclosed `{` here".
type Related struct {
	Span    Span   `json:"span"`
	Message string `json:"message"`
}

// Diagnostic is one message about the source.
type Diagnostic struct {
	Severity Severity  `json:"severity"`
	Span     Span      `json:"span"`
	Message  string    `json:"message"`
	Hint     string    `json:"hint,omitempty"`
	Related  []Related `json:"related,omitempty"`
}

func (d *Diagnostic) Error() string {
	return fmt.Sprintf("%s: %s: %s", d.Span.Start, d.Severity, d.Message)
}

// MaxErrors caps the errors reported for one file, as LANGUAGE.md §9 asks.
const MaxErrors = 50

// List collects diagnostics from any stage.
type List struct {
	Items []*Diagnostic
}

// Add appends d and returns it so callers can attach hints and notes.
func (l *List) Add(d *Diagnostic) *Diagnostic {
	l.Items = append(l.Items, d)
	return d
}

// Errorf records an error at span.
func (l *List) Errorf(span Span, format string, args ...interface{}) *Diagnostic {
	return l.Add(&Diagnostic{Severity: Error, Span: span, Message: fmt.Sprintf(format, args...)})
}

// Warnf records a warning at span.
func (l *List) Warnf(span Span, format string, args ...interface{}) *Diagnostic {
	return l.Add(&Diagnostic{Severity: Warning, Span: span, Message: fmt.Sprintf(format, args...)})
}

// Append adds all diagnostics of other.
func (l *List) Append(other *List) {
	if other != nil {
		l.Items = append(l.Items, other.Items...)
	}
}

// WithHint sets the hint and returns d.
func (d *Diagnostic) WithHint(format string, args ...interface{}) *Diagnostic {
	d.Hint = fmt.Sprintf(format, args...)
	return d
}

// WithRelated appends a secondary location and returns d.
func (d *Diagnostic) WithRelated(span Span, format string, args ...interface{}) *Diagnostic {
	d.Related = append(d.Related, Related{Span: span, Message: fmt.Sprintf(format, args...)})
	return d
}

// ErrorCount counts errors (not warnings or notes).
func (l *List) ErrorCount() int {
	n := 0
	for _, d := range l.Items {
		if d.Severity == Error {
			n++
		}
	}
	return n
}

// HasErrors reports whether any error was recorded.
func (l *List) HasErrors() bool { return l.ErrorCount() > 0 }

// Len is the number of diagnostics.
func (l *List) Len() int { return len(l.Items) }

// Normalize sorts diagnostics into source order, removes exact duplicates
// (same place, severity and message) and keeps at most MaxErrors errors,
// adding a final note when some were cut.
func (l *List) Normalize() {
	sort.SliceStable(l.Items, func(i, j int) bool {
		a, b := l.Items[i].Span.Start, l.Items[j].Span.Start
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Offset != b.Offset {
			return a.Offset < b.Offset
		}
		return l.Items[i].Severity < l.Items[j].Severity
	})
	out := l.Items[:0]
	seen := make(map[string]bool, len(l.Items))
	errs, dropped := 0, 0
	var last Pos
	for _, d := range l.Items {
		key := d.Span.Start.String() + "\x00" + d.Severity.String() + "\x00" + d.Message
		if seen[key] {
			continue
		}
		seen[key] = true
		if d.Severity == Error {
			if errs == MaxErrors {
				dropped++
				last = d.Span.Start
				continue
			}
			errs++
		}
		out = append(out, d)
	}
	l.Items = out
	if dropped > 0 {
		l.Items = append(l.Items, &Diagnostic{
			Severity: Note,
			Span:     At(Pos{File: last.File}),
			Message:  fmt.Sprintf("too many errors: %d more not shown", dropped),
		})
	}
}

// Err returns the list as an error when it holds errors, nil otherwise.
func (l *List) Err() error {
	if l.HasErrors() {
		return l
	}
	return nil
}

func (l *List) Error() string {
	for _, d := range l.Items {
		if d.Severity == Error {
			if n := l.ErrorCount(); n > 1 {
				return fmt.Sprintf("%s (and %d more errors)", d.Error(), n-1)
			}
			return d.Error()
		}
	}
	return "no errors"
}
