package bazelgen

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rules-neural/rules_neural/generator/diag"
	"github.com/rules-neural/rules_neural/generator/internal/golden"
)

// TestSnapshots runs the generator on each testdata/<case> directory: its
// model files and BUILD.in (the BUILD file before, if any) give BUILD.out,
// the file after, or error.out, the diagnostics or error. Every result is
// a fixed point: a second run changes nothing.
func TestSnapshots(t *testing.T) {
	cases, err := os.ReadDir("testdata")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		c := c
		if !c.IsDir() || c.Name() == "fuzz" { // fuzz: FuzzUpdate's regression inputs
			continue
		}
		t.Run(c.Name(), func(t *testing.T) {
			src := filepath.Join("testdata", c.Name())
			dir := copyCase(t, src)
			res, diags, texts, err := Sync(dir, Options{})
			var got []byte
			snapshot := filepath.Join(src, "BUILD.out")
			switch {
			case err != nil:
				got = []byte(strings.ReplaceAll(err.Error(), dir+string(filepath.Separator), "") + "\n")
				snapshot = filepath.Join(src, "error.out")
			case diags != nil && diags.HasErrors():
				var b bytes.Buffer
				diag.Render(&b, diags, texts)
				got = []byte(strings.ReplaceAll(b.String(), dir+string(filepath.Separator), ""))
				snapshot = filepath.Join(src, "error.out")
				if res != nil {
					t.Errorf("a result despite diagnostics")
				}
			default:
				got = res.New
				again, err := Update(res.Path, res.New, sourcesOf(t, dir), Options{})
				if err != nil || !bytes.Equal(again, res.New) {
					t.Errorf("not a fixed point (%v):\n%s", err, again)
				}
			}
			golden.Check(t, snapshot, got)
		})
	}
}

// copyCase copies a case into a temporary directory, BUILD.in as BUILD.bazel.
func copyCase(t *testing.T, src string) string {
	t.Helper()
	dir := t.TempDir()
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		name := e.Name()
		if name == "BUILD.out" || name == "error.out" {
			continue
		}
		data, err := os.ReadFile(filepath.Join(src, name))
		if err != nil {
			t.Fatal(err)
		}
		if name == "BUILD.in" {
			name = "BUILD.bazel"
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func sourcesOf(t *testing.T, dir string) []Source {
	t.Helper()
	sources, diags, _, err := ReadSources(dir)
	if err != nil || diags.HasErrors() {
		t.Fatalf("%v %v", err, diags)
	}
	return sources
}
