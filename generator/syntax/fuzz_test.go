package syntax

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/rules-neural/rules_neural/generator/diag"
)

// seedRoots hold the .neural files every fuzz target starts from; missing
// roots (the shared peer examples are not in every checkout) are skipped.
var seedRoots = []string{"../../testdata", "../../models", "../../../shared/conformance/peer-examples"}

// hostileSeeds are inputs that once made parsers of this kind crash, hang
// or allocate without bound.
var hostileSeeds = []string{
	"",
	"network",
	"network A {",
	"network A { layers: Dense(",
	"network A { layers: Dense(\"abc",
	"network A { layers: Dense('abc\n) }",
	"network A { layers: Dense(1) } /* never closed",
	"network A { layers: Dense(99999999999999999999999999999999999999) }",
	"network A { layers: Dense(1e999999) Dropout(.5e-99999) }",
	"network A { layers: Dense(1) * 99999999 }",
	"network A { layers: Dense(1) * -99999999 * 99999999 }",
	"network\x00A { layers: Dense(\x00) }",
	"network A { layers: Dense(\"\xff\xfe\") }\xff",
	"network A { input: " + strings.Repeat("(", 200) + strings.Repeat(")", 200) + " }",
	"network A { input: " + strings.Repeat("[", 1000) + " }",
	"network A { layers: " + strings.Repeat("Sequential { ", 100) + strings.Repeat("}", 100) + " }",
	"network A { layers: Dense(" + strings.Repeat("-", 500) + "1) }",
	"network A { layers: Dense(" + strings.Repeat("1+", 2000) + "1) }",
	"define M($x) { Dense($) }",
	"network A { layers: Dense(1) @ \"cuda:0\" { } * 2 }",
	"network A { train { a: { b: { c: 1 } } } }",
	"research R { metrics { accuracy: 0.9 } references { paper: \"x\" } }",
	"}}}}))))]]]]",
	"# only a comment",
	"// only a comment\n/* and a block */",
	"network A { layers: Dense(1)\n\tDense(2) # tab\r\n}\r\n",
	"network A {\n layers:\n  Dense(1, activation=\"relu\"\n  Dense(2)\n}",
}

func addSeeds(f *testing.F) {
	for _, root := range seedRoots {
		_ = filepath.Walk(root, func(path string, info os.FileInfo, err error) error {
			if err != nil {
				return nil
			}
			if !info.IsDir() && (strings.HasSuffix(path, ".neural") || strings.HasSuffix(path, ".ndsl")) {
				if src, err := os.ReadFile(path); err == nil {
					f.Add(src)
				}
			}
			return nil
		})
	}
	for _, s := range hostileSeeds {
		f.Add([]byte(s))
	}
}

// FuzzParse checks that Parse never panics or hangs, returns either a file
// or at least one error, and positions every diagnostic inside the file;
// and that Comments returns in-bounds, ordered comments.
func FuzzParse(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, src []byte) {
		// The fuzzing engine has no per-input timeout: a hang would stall
		// it silently, so Parse runs under a deadline.
		type result struct {
			file  *File
			ds    *diag.List
			panic string
		}
		done := make(chan result, 1)
		go func() {
			defer func() {
				if r := recover(); r != nil {
					done <- result{panic: fmt.Sprintf("%v\n%s", r, debug.Stack())}
				}
			}()
			file, ds := Parse("fuzz.neural", src)
			done <- result{file: file, ds: ds}
		}()
		var file *File
		var ds *diag.List
		select {
		case r := <-done:
			if r.panic != "" {
				t.Fatalf("Parse panicked: %s", r.panic)
			}
			file, ds = r.file, r.ds
		case <-time.After(10 * time.Second):
			t.Fatalf("Parse gave no result after 10s on %d bytes", len(src))
		}
		if ds == nil {
			t.Fatal("Parse returned a nil diagnostic list")
		}
		if (file == nil) == !ds.HasErrors() {
			t.Fatalf("Parse returned file=%v with %d errors", file != nil, len(ds.Items))
		}
		for _, d := range ds.Items {
			checkSpan(t, src, d.Span, d.Message)
			for _, r := range d.Related {
				checkSpan(t, src, r.Span, r.Message)
			}
		}
		end := 0
		for _, c := range Comments("fuzz.neural", src) {
			if c.Pos.Offset < end || c.EndPos.Offset > len(src) || c.Pos.Offset >= c.EndPos.Offset {
				t.Fatalf("comment %q at [%d,%d) out of order or bounds (previous end %d, len %d)",
					c.Text, c.Pos.Offset, c.EndPos.Offset, end, len(src))
			}
			if string(src[c.Pos.Offset:c.EndPos.Offset]) != c.Text {
				t.Fatalf("comment text %q differs from source %q", c.Text, src[c.Pos.Offset:c.EndPos.Offset])
			}
			end = c.EndPos.Offset
		}
	})
}

func checkSpan(t *testing.T, src []byte, s diag.Span, msg string) {
	t.Helper()
	for _, p := range []diag.Pos{s.Start, s.End} {
		if p.Line < 1 || p.Col < 1 || p.Offset < 0 || p.Offset > len(src) {
			t.Fatalf("diagnostic %q at line %d col %d offset %d, outside the %d-byte file", msg, p.Line, p.Col, p.Offset, len(src))
		}
	}
}
