package sema

import (
	"fmt"
	"strings"
	"testing"

	"github.com/rules-neural/rules_neural/generator/diag"
	"github.com/rules-neural/rules_neural/generator/ir"
	"github.com/rules-neural/rules_neural/generator/syntax"
)

// build parses and lowers src, failing the test on syntax errors.
func build(t *testing.T, src string) (*ir.Model, *diag.List) {
	t.Helper()
	f, pd := syntax.Parse("t.neural", []byte(src))
	if pd.HasErrors() {
		var b strings.Builder
		diag.Render(&b, pd, diag.Sources{"t.neural": []byte(src)})
		t.Fatalf("syntax errors:\n%s", b.String())
	}
	diags := &diag.List{}
	m := Build(f, diags)
	return m, diags
}

// buildOK lowers src and fails on any error.
func buildOK(t *testing.T, src string) *ir.Model {
	t.Helper()
	m, d := build(t, src)
	if d.HasErrors() {
		t.Fatalf("unexpected errors:\n%s", render(d, src))
	}
	return m
}

func render(d *diag.List, src string) string {
	var b strings.Builder
	diag.Render(&b, d, diag.Sources{"t.neural": []byte(src)})
	return b.String()
}

// graph renders a network's nodes one per line:
// `name Type <- in1, in2 [role]`.
func graph(n *ir.Network) string {
	var b strings.Builder
	for _, nd := range n.Nodes {
		var ins []string
		for _, in := range nd.Inputs {
			ins = append(ins, in.Name)
		}
		fmt.Fprintf(&b, "%s %s <- %s", nd.Name, nd.Type, strings.Join(ins, ", "))
		if nd.Role != "" {
			fmt.Fprintf(&b, " [%s]", nd.Role)
		}
		if len(nd.Inner) > 0 {
			var inner []string
			for _, in := range nd.Inner {
				inner = append(inner, in.Name+" "+in.Type)
			}
			fmt.Fprintf(&b, " {%s}", strings.Join(inner, "; "))
		}
		b.WriteString("\n")
	}
	return b.String()
}

// params renders the explicit and defaulted params of a node: `units=64 activation="relu"`.
func params(n *ir.Node, all bool) string {
	var parts []string
	for _, p := range n.Params {
		if !all && !p.Explicit {
			continue
		}
		parts = append(parts, p.Spec.Name+"="+p.Value.String())
	}
	return strings.Join(parts, " ")
}

func graphLine(nd *ir.Node) string {
	var ins []string
	for _, in := range nd.Inputs {
		ins = append(ins, in.Name)
	}
	s := fmt.Sprintf("%d %s %s <- %s", nd.ID, nd.Name, nd.Type, strings.Join(ins, ", "))
	if nd.Role != "" {
		s += " [" + nd.Role + "]"
	}
	if nd.Device != "" {
		s += " @" + nd.Device
	}
	for _, in := range nd.Inner {
		s += " {" + in.Name + " " + in.Type + " " + params(in, false) + "}"
	}
	return s
}

// flat renders a diagnostic on one line for matching:
// `line:col: severity: message hint: … note: …`.
func flat(d *diag.Diagnostic) string {
	s := fmt.Sprintf("%d:%d: %s: %s", d.Span.Start.Line, d.Span.Start.Col, d.Severity, d.Message)
	if d.Hint != "" {
		s += " hint: " + d.Hint
	}
	for _, r := range d.Related {
		s += fmt.Sprintf(" note: %d:%d: %s", r.Span.Start.Line, r.Span.Start.Col, r.Message)
	}
	return s
}

// matches reports whether s starts with the first part of want and holds
// the other ` … `-separated parts in order.
func matches(s, want string) bool {
	parts := strings.Split(want, " … ")
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	rest := s[len(parts[0]):]
	for _, p := range parts[1:] {
		i := strings.Index(rest, p)
		if i < 0 {
			return false
		}
		rest = rest[i+len(p):]
	}
	return true
}

// expectDiags checks that every wanted diagnostic was reported and that no
// error was reported that is not wanted.
func expectDiags(t *testing.T, src string, d *diag.List, wants ...string) {
	t.Helper()
	used := make([]bool, len(d.Items))
	for _, w := range wants {
		found := false
		for i, it := range d.Items {
			if matches(flat(it), w) {
				used[i], found = true, true
			}
		}
		if !found {
			t.Errorf("missing diagnostic %q", w)
		}
	}
	for i, it := range d.Items {
		if !used[i] && it.Severity == diag.Error {
			t.Errorf("unexpected error: %s", flat(it))
		}
	}
	if t.Failed() {
		t.Logf("source:\n%s\ndiagnostics:\n%s", src, render(d, src))
	}
}
