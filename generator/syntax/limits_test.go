package syntax

import (
	"strings"
	"testing"

	"github.com/rules-neural/rules_neural/generator/diag"
)

// Hostile input gets a clear error instead of a crash, a hang or an
// out-of-memory: files over 10 MiB, and nesting deeper than 64 levels
// (which would otherwise recurse once per bracket).
func TestLimits(t *testing.T) {
	cases := []struct {
		name, src, want string
	}{
		{"oversized file", "network N {" + strings.Repeat(" ", MaxFileSize) + "}", "limit is 10485760 bytes"},
		{"deep parentheses", "network N { input: " + strings.Repeat("(", 5_000_000), "nesting is deeper than 64 levels"},
		{"deep blocks", "network N { input: (1,) layers: " + strings.Repeat("Sequential { ", 70) + strings.Repeat("} ", 70) + "}", "nesting is deeper than 64 levels"},
		{"deep lists", "network N { metrics: " + strings.Repeat("[", 65) + strings.Repeat("]", 65) + " }", "nesting is deeper than 64 levels"},
	}
	for _, c := range cases {
		f, ds := Parse("x.neural", []byte(c.src))
		if f != nil || ds.ErrorCount() != 1 {
			t.Errorf("%s: want exactly one error and no AST, got %d errors", c.name, ds.ErrorCount())
			continue
		}
		if d := ds.Items[0]; !strings.Contains(d.Message, c.want) || d.Span.Start.Line != 1 {
			t.Errorf("%s: got %s: %s, want %q on line 1", c.name, d.Span.Start, d.Message, c.want)
		}
	}
	// 64 levels are fine.
	ok := "network N { input: (1,) layers: " + strings.Repeat("Sequential { ", 62) + "Dense(1)" + strings.Repeat(" }", 62) + " }"
	if _, ds := Parse("x.neural", []byte(ok)); ds.HasErrors() {
		t.Errorf("62 nested blocks: %v", ds)
	}
}

// Recovering from syntax errors re-parses the file once per error; past
// the recovery budget the errors found so far are reported, in order, with
// a note at the last one saying the search stopped.
func TestRecoveryBudget(t *testing.T) {
	var b strings.Builder
	b.WriteString("network N {\n  input: (4,)\n  layers:\n")
	for i := 0; i < 400; i++ {
		if i%40 == 0 {
			b.WriteString("    Dense(units=,)\n") // 10 errors
		} else {
			b.WriteString("    Dense(units=4)\n")
		}
	}
	b.WriteString("}\n")
	src := []byte(b.String())

	_, all := Parse("x.neural", src)
	if all.ErrorCount() != 10 {
		t.Fatalf("within the budget: %d errors, want all 10", all.ErrorCount())
	}

	defer func(old int) { recoveryBudget = old }(recoveryBudget)
	recoveryBudget = 3*len(src) + 1 // three parses
	f, ds := Parse("x.neural", src)
	if f != nil || ds.ErrorCount() != 3 {
		t.Fatalf("budget of three parses: %d errors (AST %v), want 3", ds.ErrorCount(), f != nil)
	}
	last := ds.Items[len(ds.Items)-1]
	if last.Severity != diag.Note || !strings.Contains(last.Message, "stopped looking for syntax errors after 3") ||
		last.Span != ds.Items[len(ds.Items)-2].Span || ds.Items[2].Span.Start.Line != 84 {
		t.Errorf("the note after the third error (line 84): %s: %s %q", last.Span.Start, last.Severity, last.Message)
	}
}
