package pytorch_test

import (
	"bytes"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/rules-neural/rules_neural/generator/diag"
	"github.com/rules-neural/rules_neural/generator/internal/golden"
)

// goldenSources are the reference MNIST model and the construct files of
// testdata/golden. Each NAME.neural has its expected output in the
// directory testdata/golden/NAME: the generated modules and, when the
// backend reports anything, stderr.txt with the rendered diagnostics.
func goldenSources(t *testing.T) []source {
	t.Helper()
	out := []source{{path: filepath.Join(repoRoot, "models", "mnist.neural"), name: "models/mnist.neural", clean: true}}
	paths, err := filepath.Glob(filepath.Join("testdata", "golden", "*.neural"))
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(paths)
	for _, p := range paths {
		out = append(out, source{path: p, name: "generator/backend/pytorch/" + filepath.ToSlash(p), clean: true})
	}
	return out
}

func goldenDir(s source) string {
	return filepath.Join("testdata", "golden", strings.TrimSuffix(filepath.Base(s.path), ".neural"))
}

// generated returns the files of s as the golden directory holds them.
func generated(t *testing.T, s source) map[string][]byte {
	t.Helper()
	_, files, diags, ok := compile(t, s)
	src, err := os.ReadFile(s.path)
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	diag.Render(&stderr, diags, diag.Sources{s.name: src})
	if !ok {
		t.Fatalf("%s does not compile:\n%s", s.name, stderr.String())
	}
	out := map[string][]byte{}
	for _, f := range files {
		out[f.Name] = f.Content
	}
	if stderr.Len() > 0 {
		out["stderr.txt"] = stderr.Bytes()
	}
	return out
}

func TestGolden(t *testing.T) {
	for _, s := range goldenSources(t) {
		s := s
		t.Run(filepath.Base(goldenDir(s)), func(t *testing.T) {
			got := generated(t, s)
			golden.CheckDir(t, goldenDir(s), got)
		})
	}
}

// TestDeterministic generates every corpus model twice, from separate
// parses, and wants the same bytes.
func TestDeterministic(t *testing.T) {
	srcs := append(goldenSources(t), corpus(t)...)
	for _, s := range srcs {
		_, a, _, ok := compile(t, s)
		if !ok {
			continue
		}
		_, b, _, _ := compile(t, s)
		if len(a) != len(b) {
			t.Errorf("%s: %d files, then %d", s.name, len(a), len(b))
			continue
		}
		for i := range a {
			if a[i].Name != b[i].Name || !bytes.Equal(a[i].Content, b[i].Content) {
				t.Errorf("%s: %s differs between two runs", s.name, a[i].Name)
			}
		}
	}
}
