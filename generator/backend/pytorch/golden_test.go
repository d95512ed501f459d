package pytorch_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/rules-neural/rules_neural/generator/diag"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

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
			dir := goldenDir(s)
			if *update {
				if err := os.RemoveAll(dir); err != nil {
					t.Fatal(err)
				}
				if err := os.MkdirAll(dir, 0o755); err != nil {
					t.Fatal(err)
				}
				for name, content := range got {
					if err := os.WriteFile(filepath.Join(dir, name), content, 0o644); err != nil {
						t.Fatal(err)
					}
				}
				return
			}
			entries, err := os.ReadDir(dir)
			if err != nil {
				t.Fatalf("%v (run `go test ./generator/backend/pytorch -run TestGolden -update`)", err)
			}
			for _, e := range entries {
				if _, ok := got[e.Name()]; !ok {
					t.Errorf("%s/%s is no longer generated", dir, e.Name())
				}
			}
			for name, content := range got {
				want, err := os.ReadFile(filepath.Join(dir, name))
				if err != nil {
					t.Errorf("%v (run with -update)", err)
					continue
				}
				if !bytes.Equal(want, content) {
					t.Errorf("%s/%s is stale (run with -update); first difference:\n%s", dir, name, firstDiff(string(want), string(content)))
				}
			}
		})
	}
}

// firstDiff shows the first line that differs.
func firstDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b {
			return "line " + itoa(i+1) + ":\n-" + a + "\n+" + b
		}
	}
	return "(none)"
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b []byte
	for ; i > 0; i /= 10 {
		b = append([]byte{byte('0' + i%10)}, b...)
	}
	return string(b)
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
