package conformance

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/rules-neural/rules_neural/generator/format"
	"github.com/rules-neural/rules_neural/generator/internal/golden"
)

// TestFormatPreservesIR formats every corpus case, reference model and peer
// example and checks that the result compiles to the same IR (the dump
// covers every node, parameter written, wire, shape and count), and that
// formatting is a fixed point.
func TestFormatPreservesIR(t *testing.T) {
	var files []string
	for _, pattern := range []string{
		filepath.Join(repoRoot, "testdata", "corpus", "valid", "*.neural"),
		filepath.Join(repoRoot, "testdata", "corpus", "invalid", "*.neural"),
		filepath.Join(repoRoot, "models", "*.neural"),
	} {
		m, _ := filepath.Glob(pattern)
		files = append(files, m...)
	}
	if _, err := os.Stat(peerDir); err == nil {
		_ = filepath.Walk(peerDir, func(p string, info os.FileInfo, err error) error {
			if err == nil && !info.IsDir() {
				files = append(files, p)
			}
			return err
		})
	}
	for _, path := range files {
		path := path
		t.Run(relName(path), func(t *testing.T) {
			src := readFile(t, path)
			name := relName(path)
			out, ds := format.Source(name, src)
			if ds.HasErrors() {
				return // syntax errors: nothing to format (covered by the invalid corpus)
			}
			again, ds2 := format.Source(name, out)
			if ds2.HasErrors() {
				t.Fatalf("formatted output does not parse:\n%s\n%s", render(ds2, name, out), out)
			}
			if string(again) != string(out) {
				t.Errorf("fmt is not idempotent:\n%s", golden.Diff(out, again))
			}
			m1, d1 := checkNamed(name, src)
			m2, d2 := checkNamed(name, out)
			if d1.ErrorCount() != d2.ErrorCount() {
				t.Errorf("error count changed by fmt: %d → %d\n%s", d1.ErrorCount(), d2.ErrorCount(), render(d2, name, out))
			}
			if got, want := dump(m2), dump(m1); got != want {
				t.Errorf("fmt changed the IR:\n%s", golden.Diff([]byte(want), []byte(got)))
			}
		})
	}
}
