package driver

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/rules-neural/rules_neural/generator/diag"
)

// FuzzCheck runs the whole check pipeline (parse, sema, shape, HPO
// combinations) on arbitrary input. It must never panic or hang, and every
// diagnostic must point inside the file it names.
func FuzzCheck(f *testing.F) {
	var seeds []string
	for _, pattern := range []string{
		"../../testdata/corpus/valid/*.neural",
		"../../testdata/corpus/invalid/*.neural",
		"../../models/*.neural",
		"../../../shared/conformance/peer-examples/*.neural",
		"../../../shared/conformance/peer-examples/*/*.neural",
	} {
		m, _ := filepath.Glob(pattern)
		seeds = append(seeds, m...)
	}
	for _, p := range seeds {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("network N { input: (4,) layers: Dense(2) * 10000 Dense(2) * 10000 }"))
	f.Add([]byte("define A { A } network N { input: (4,) layers: A }"))
	f.Add([]byte("network N { input: (None, 0, -3) layers: Conv2D(1, 99999999999) }"))
	f.Fuzz(func(t *testing.T, src []byte) {
		m, ds := Check("fuzz.neural", src)
		if m == nil && !ds.HasErrors() {
			t.Fatal("no model and no errors")
		}
		for _, d := range ds.Items {
			p := d.Span.Start
			if !p.IsValid() {
				continue
			}
			if p.File != "fuzz.neural" || p.Offset < 0 || p.Offset > len(src) || p.Line < 1 || p.Col < 1 {
				t.Fatalf("diagnostic outside the file: %s: %s", p, d.Message)
			}
			if d.Severity == diag.Error && d.Message == "" {
				t.Fatalf("empty error message at %s", p)
			}
		}
	})
}
