package pytorch_test

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rules-neural/rules_neural/generator/backend"
	"github.com/rules-neural/rules_neural/generator/backend/pytorch"
	"github.com/rules-neural/rules_neural/generator/driver"
)

// TestPyCompile byte-compiles every generated module of the corpora with
// Python (no torch needed) and checks the layout rules of the generated
// text: no tabs or trailing spaces, lines of at most 99 columns except
// those that quote the source path, two blank lines before top-level
// definitions; then pycodestyle (PEP 8) on all of them.
func TestPyCompile(t *testing.T) {
	py := pythonAny(t)
	dir := t.TempDir()
	var paths []string
	generated := map[string]generatedFile{}
	for i, s := range append(goldenSources(t), corpus(t)...) {
		_, files, _, ok := compile(t, s)
		if !ok {
			continue
		}
		sub := filepath.Join(dir, fmt.Sprintf("f%03d", i))
		writeFiles(t, sub, files)
		for _, f := range files {
			path := filepath.Join(sub, f.Name)
			paths = append(paths, path)
			generated[path] = generatedFile{source: s.name, lines: strings.Split(string(f.Content), "\n")}
			checkStyle(t, s.name, f.Name, string(f.Content))
		}
	}
	script := "import py_compile, sys\nfor p in sys.argv[1:]:\n    py_compile.compile(p, doraise=True)\n"
	out, err := exec.Command(py, append([]string{"-c", script}, paths...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("py_compile: %v\n%s", err, out)
	}
	t.Logf("%d generated modules compile", len(paths))
	pep8(t, py, paths, generated)
}

// generatedFile is a generated module's source name and its lines.
type generatedFile struct {
	source string
	lines  []string
}

// maxLine is PEP 8's longest line for teams that agree on more than 79
// columns (99), which generated code uses.
const maxLine = 99

// pep8 runs pycodestyle (tools/setup.sh installs it) on the generated
// files. The one exception, as in checkStyle, is a line too long only
// because it names the source file (the DO NOT EDIT header, the docstring,
// SPEC["source"]): a path cannot be wrapped.
func pep8(t *testing.T, py string, paths []string, generated map[string]generatedFile) {
	t.Helper()
	if exec.Command(py, "-c", "import pycodestyle").Run() != nil {
		t.Fatalf("%s has no pycodestyle, which checks that generated code follows PEP 8; run tools/setup.sh", py)
	}
	args := append([]string{"-m", "pycodestyle", fmt.Sprintf("--max-line-length=%d", maxLine)}, paths...)
	out, _ := exec.Command(py, args...).CombinedOutput()
	reports := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if line == "" {
			continue
		}
		// path:line:col: CODE message
		parts := strings.SplitN(line, ":", 4)
		if len(parts) != 4 {
			t.Errorf("pycodestyle: %s", line)
			continue
		}
		if strings.HasPrefix(strings.TrimSpace(parts[3]), "E501 ") {
			g := generated[parts[0]]
			var n int
			fmt.Sscan(parts[1], &n)
			if n >= 1 && n <= len(g.lines) && strings.Contains(g.lines[n-1], g.source) {
				continue
			}
		}
		reports++
		if reports <= 20 {
			t.Errorf("not PEP 8: %s", line)
		}
	}
	if reports > 20 {
		t.Errorf("… %d pycodestyle reports in all", reports)
	}
}

func checkStyle(t *testing.T, source, name, text string) {
	t.Helper()
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		switch {
		case strings.Contains(l, "\t"):
			t.Errorf("%s → %s:%d has a tab", source, name, i+1)
		case strings.TrimRight(l, " ") != l:
			t.Errorf("%s → %s:%d has trailing spaces", source, name, i+1)
		case len([]rune(l)) > maxLine && !strings.Contains(l, source):
			t.Errorf("%s → %s:%d is %d columns long:\n%s", source, name, i+1, len([]rune(l)), l)
		}
		if (strings.HasPrefix(l, "class ") || strings.HasPrefix(l, "def ")) && (i < 2 || lines[i-1] != "" || lines[i-2] != "") {
			t.Errorf("%s → %s:%d: a top-level definition needs two blank lines before it", source, name, i+1)
		}
	}
	if !strings.HasSuffix(text, "\n") || strings.HasSuffix(text, "\n\n") {
		t.Errorf("%s → %s must end with exactly one newline", source, name)
	}
}

// TestSearchDriverModuleName: with Request.Module (compile --output) the
// search driver imports the module under that name, with an import
// statement when it is an identifier and importlib otherwise; both compile
// and follow the layout rules, and the driver keeps its file name.
func TestSearchDriverModuleName(t *testing.T) {
	py := pythonAny(t)
	src := []byte("network Searched {\n  input: (8,)\n  layers:\n    Dense(HPO(choice(4, 8)))\n    Output(2)\n}\n")
	model, diags := driver.Check("searched.neural", src)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	for module, want := range map[string]string{
		"":               "from searched import SPEC\n",
		"searched_torch": "from searched_torch import SPEC\n",
		"searched-torch": "SPEC = importlib.import_module(\"searched-torch\").SPEC\n",
		"class":          "SPEC = importlib.import_module(\"class\").SPEC\n",
	} {
		files, bd := pytorch.New().Generate(&backend.Request{Model: model, Source: "searched.neural", Module: module})
		if bd.HasErrors() || len(files) != 2 || files[1].Name != "searched_search.py" {
			t.Fatalf("module %q: files %v, %v", module, files, bd)
		}
		text := string(files[1].Content)
		if !strings.Contains(text, want) {
			t.Errorf("module %q: the driver lacks %q:\n%s", module, want, text)
		}
		checkStyle(t, "searched.neural", files[1].Name, text)
		p := filepath.Join(t.TempDir(), files[1].Name)
		writeFiles(t, filepath.Dir(p), files[1:])
		if out, err := exec.Command(py, "-m", "py_compile", p).CombinedOutput(); err != nil {
			t.Errorf("module %q: py_compile: %v\n%s", module, err, out)
		}
	}
}
