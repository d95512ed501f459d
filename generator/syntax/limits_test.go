package syntax

import (
	"strings"
	"testing"
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
