package pytorch_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/rules-neural/rules_neural/generator/backend"
	"github.com/rules-neural/rules_neural/generator/backend/pytorch"
	"github.com/rules-neural/rules_neural/generator/diag"
	"github.com/rules-neural/rules_neural/generator/driver"
	"github.com/rules-neural/rules_neural/generator/ir"
)

// repoRoot is the repository root relative to this package.
const repoRoot = "../../.."

// The Python tests run the interpreter named by NEURALGEN_PYTHON, by
// default Debian's /usr/bin/python3 (the one with python3-torch); they are
// skipped when it cannot import torch.
var (
	pythonOnce sync.Once
	pythonPath string
	pythonWhy  string
)

func pythonWithTorch(t *testing.T) string {
	t.Helper()
	pythonOnce.Do(func() {
		py := os.Getenv("NEURALGEN_PYTHON")
		if py == "" {
			py = "/usr/bin/python3"
		}
		out, err := exec.Command(py, "-c", "import torch").CombinedOutput()
		if err != nil {
			pythonWhy = py + " cannot import torch: " + strings.TrimSpace(string(out)) + " " + err.Error()
			return
		}
		pythonPath = py
	})
	if pythonPath == "" {
		t.Skip(pythonWhy)
	}
	return pythonPath
}

// source is one .neural file of the test corpora.
type source struct {
	path string // on disk
	name string // relative to the repository root, as in generated headers
	// clean says the file must check and compile without errors (the
	// repository's own corpora); peer examples that do not check clean
	// are skipped.
	clean bool
}

// corpus lists testdata/corpus/valid, models and the peer examples beside
// the repository (../shared/conformance/peer-examples, when present).
func corpus(t *testing.T) []source {
	t.Helper()
	var out []source
	add := func(pattern string, clean bool) {
		paths, err := filepath.Glob(filepath.Join(repoRoot, pattern))
		if err != nil {
			t.Fatal(err)
		}
		sort.Strings(paths)
		for _, p := range paths {
			rel, _ := filepath.Rel(repoRoot, p)
			out = append(out, source{path: p, name: filepath.ToSlash(rel), clean: clean})
		}
	}
	add("testdata/corpus/valid/*.neural", true)
	add("models/*.neural", true)
	add("generator/backend/pytorch/testdata/golden/*.neural", true)
	peers := filepath.Join(repoRoot, "..", "shared", "conformance", "peer-examples")
	if st, err := os.Stat(peers); err == nil && st.IsDir() {
		var paths []string
		filepath.Walk(peers, func(p string, info os.FileInfo, err error) error {
			if err == nil && !info.IsDir() && (strings.HasSuffix(p, ".neural") || strings.HasSuffix(p, ".ndsl")) {
				paths = append(paths, p)
			}
			return nil
		})
		sort.Strings(paths)
		for _, p := range paths {
			rel, _ := filepath.Rel(peers, p)
			out = append(out, source{path: p, name: "peer-examples/" + filepath.ToSlash(rel)})
		}
	}
	return out
}

// compile checks and generates one source; ok is false when the source
// does not check clean (diags holds why).
func compile(t *testing.T, s source) (*ir.Model, []backend.File, *diag.List, bool) {
	t.Helper()
	src, err := os.ReadFile(s.path)
	if err != nil {
		t.Fatal(err)
	}
	model, diags := driver.Check(s.name, src)
	if diags.HasErrors() || model == nil {
		return model, nil, diags, false
	}
	files, bd := pytorch.New().Generate(&backend.Request{Model: model, Source: s.name})
	diags.Append(bd)
	return model, files, diags, !bd.HasErrors()
}

func writeFiles(t *testing.T, dir string, files []backend.File) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(dir, f.Name), f.Content, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// dependOn reads files that only a Python child process uses, so that Go's
// test cache is invalidated when they change.
func dependOn(t *testing.T, paths ...string) {
	t.Helper()
	for _, p := range paths {
		if _, err := os.ReadFile(p); err != nil {
			t.Fatal(err)
		}
	}
}

// runtimePath is the Python runtime package's directory.
func runtimePath(t *testing.T) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join(repoRoot, "runtime", "python"))
	if err != nil {
		t.Fatal(err)
	}
	return p
}
