package format

import (
	"strings"
	"testing"
)

func TestSourceSyntaxError(t *testing.T) {
	out, ds := Source("bad.neural", []byte("network A {\n  layers:\n    Dense(\n"))
	if out != nil {
		t.Errorf("Source returned output for a file with syntax errors:\n%s", out)
	}
	if !ds.HasErrors() {
		t.Error("Source returned no diagnostics for a file with syntax errors")
	}
}

func TestSourceSmallInputs(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"  \n\n", ""},
		{"# only\n\n\n// comments", "# only\n\n// comments\n"},
		{"network A {\r\n  layers: Dense(1) # crlf\r\n}\r\n", "network A {\n  layers:\n    Dense(1) # crlf\n}\n"},
		{"network A{layers A}", "network A {\n  layers A\n}\n"},
		{"network A { layers:\tDense(1)/*x*/*2 }", "network A {\n  layers:\n    Dense(1) /*x*/ * 2\n}\n"},
		{"network A { input: (1, ) layers: Dense((2)) }", "network A {\n  input: (1,)\n  layers:\n    Dense((2))\n}\n"},
	} {
		out, ds := Source("x.neural", []byte(tc.in))
		if out == nil {
			t.Errorf("Source(%q) failed:\n%s", tc.in, render(ds, "x.neural", []byte(tc.in)))
			continue
		}
		if string(out) != tc.want {
			t.Errorf("Source(%q) =\n%s\nwant\n%s", tc.in, out, tc.want)
		}
	}
}

// TestLongLinesBreak checks the 100-column rule at its edge.
func TestLongLinesBreak(t *testing.T) {
	// "    Dense(" is 10 columns; the closing ")" one more.
	fits := "    Dense(" + strings.Repeat("1, ", 29) + "12)" // exactly 100 columns
	if len(fits) != 100 {
		t.Fatalf("test line is %d columns", len(fits))
	}
	src := "network A {\n  layers:\n" + fits + "\n}\n"
	out, _ := Source("x.neural", []byte(src))
	if got := strings.Split(string(out), "\n")[2]; got != fits {
		t.Errorf("a 100-column call was changed:\n%s", out)
	}
	src = "network A {\n  layers:\n" + strings.Replace(fits, "12)", "123)", 1) + "\n}\n"
	out, _ = Source("x.neural", []byte(src))
	if lines := strings.Split(string(out), "\n"); len(lines) < 30 || lines[2] != "    Dense(" || lines[3] != "      1," {
		t.Errorf("a 101-column call was not broken one argument per line:\n%s", out)
	}
}
