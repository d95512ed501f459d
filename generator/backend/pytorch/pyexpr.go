package pytorch

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Python source is built as small expression trees and rendered by one
// printer, so that every line is wrapped the same way (PEP 8, at most
// lineLimit columns where the names allow it) and every piece of text from
// the .neural source reaches the output only through pyStr.

// lineLimit is the longest line the printer produces unless a single atom
// is longer.
const lineLimit = 99

// expr is a Python expression.
type expr interface {
	flat() string
}

// atom is an expression printed verbatim: a name, a number, a quoted string.
type atom string

func (a atom) flat() string { return string(a) }

// seq is a call, tuple, list or dict: head + open + items + close.
type seq struct {
	head        string // "nn.Conv2d" for a call, "" for a literal
	open, close string
	items       []expr
	// oneline says the items are packed several to a line when the seq
	// must break (calls); otherwise each item gets its own line (dicts and
	// lists in SPEC).
	pack bool
	// single is a one-element tuple, printed with a trailing comma.
	single bool
}

func (s *seq) flat() string {
	var b strings.Builder
	b.WriteString(s.head)
	b.WriteString(s.open)
	for i, it := range s.items {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(it.flat())
	}
	if s.single && len(s.items) == 1 {
		b.WriteString(",")
	}
	b.WriteString(s.close)
	return b.String()
}

// pair is `key=value` in a call or `key: value` in a dict.
type pair struct {
	key   string
	sep   string
	value expr
}

func (p *pair) flat() string { return p.key + p.sep + p.value.flat() }

func call(fn string, args ...expr) *seq {
	return &seq{head: fn, open: "(", close: ")", items: args, pack: true}
}

func kw(name string, v expr) expr { return &pair{key: name, sep: "=", value: v} }

func tuple(items ...expr) *seq {
	return &seq{open: "(", close: ")", items: items, pack: true, single: len(items) == 1}
}

func list(items ...expr) *seq { return &seq{open: "[", close: "]", items: items} }

// dict builds a dict literal whose keys are Python strings.
type dictBuilder struct{ s *seq }

func newDict() *dictBuilder { return &dictBuilder{s: &seq{open: "{", close: "}"}} }

func (d *dictBuilder) set(key string, v expr) *dictBuilder {
	d.s.items = append(d.s.items, &pair{key: pyStr(key), sep: ": ", value: v})
	return d
}

func (d *dictBuilder) expr() expr { return d.s }

// render writes `prefix + e + suffix` at indent, breaking e over several
// lines when it does not fit.
func render(b *strings.Builder, indent int, prefix string, e expr, suffix string) {
	pad := strings.Repeat(" ", indent)
	flat := prefix + e.flat() + suffix
	s, ok := e.(*seq)
	if !ok || width(pad+flat) <= lineLimit || len(s.items) == 0 {
		b.WriteString(pad + flat + "\n")
		return
	}
	b.WriteString(pad + prefix + s.head + s.open + "\n")
	inner := indent + 4
	innerPad := strings.Repeat(" ", inner)
	if s.pack {
		line := ""
		flush := func() {
			if line != "" {
				b.WriteString(innerPad + line + "\n")
				line = ""
			}
		}
		for _, it := range s.items {
			f := it.flat() + ","
			switch {
			case width(innerPad+f) > lineLimit:
				flush()
				renderItem(b, inner, it, ",")
			case line == "":
				line = f
			case width(innerPad+line+" "+f) <= lineLimit:
				line += " " + f
			default:
				flush()
				line = f
			}
		}
		flush()
	} else {
		for _, it := range s.items {
			renderItem(b, inner, it, ",")
		}
	}
	b.WriteString(pad + s.close + suffix + "\n")
}

// renderItem renders one element of a broken seq: a pair keeps its key on
// the first line.
func renderItem(b *strings.Builder, indent int, it expr, suffix string) {
	if p, ok := it.(*pair); ok {
		render(b, indent, p.key+p.sep, p.value, suffix)
		return
	}
	render(b, indent, "", it, suffix)
}

func width(s string) int { return utf8.RuneCountInString(s) }

// pyStr quotes s as a Python string literal. It is the only way text from
// the .neural source enters generated code: quotes, backslashes, control
// characters and line breaks are escaped, and non-ASCII characters are
// written as \u escapes so that the output is plain ASCII.
func pyStr(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == utf8.RuneError:
			b.WriteString(`\ufffd`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r < 0x80:
			b.WriteRune(r)
		case r <= 0xffff:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			fmt.Fprintf(&b, `\U%08x`, r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// commentText makes s safe inside a `#` comment or a docstring: the same
// escapes as pyStr without the quotes, so no line break, no `"""` and no
// trailing backslash can reach the output.
func commentText(s string) string {
	q := pyStr(s)
	return q[1 : len(q)-1]
}

// pyInt and pyFloat print numbers as Python literals.
func pyInt(i int64) atom { return atom(strconv.FormatInt(i, 10)) }

func pyFloat(f float64) atom {
	switch {
	case math.IsInf(f, 1):
		return atom(`float("inf")`)
	case math.IsInf(f, -1):
		return atom(`float("-inf")`)
	case math.IsNaN(f):
		return atom(`float("nan")`)
	}
	s := strconv.FormatFloat(f, 'g', -1, 64)
	if !strings.ContainsAny(s, ".e") {
		s += ".0"
	}
	return atom(s)
}

// pyRounded prints a float computed by the generator (1 - momentum) without
// the binary noise of the subtraction: 0.01, not 0.010000000000000009.
func pyRounded(f float64) atom {
	r, err := strconv.ParseFloat(strconv.FormatFloat(f, 'g', 12, 64), 64)
	if err != nil {
		return pyFloat(f)
	}
	return pyFloat(r)
}

func pyBool(v bool) atom {
	if v {
		return "True"
	}
	return "False"
}

const pyNone atom = "None"

func pyText(s string) atom { return atom(pyStr(s)) }

// intTuple is a tuple of integers.
func intTuple(xs []int64) *seq {
	items := make([]expr, len(xs))
	for i, x := range xs {
		items[i] = pyInt(x)
	}
	return tuple(items...)
}

// intList is a list of integers.
func intList(xs []int64) *seq {
	items := make([]expr, len(xs))
	for i, x := range xs {
		items[i] = pyInt(x)
	}
	s := list(items...)
	s.pack = true
	return s
}
