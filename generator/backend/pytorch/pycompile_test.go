package pytorch_test

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestPyCompile byte-compiles every generated module of the corpora with
// Python (no torch needed) and checks the layout rules of the generated
// text: no tabs or trailing spaces, lines of at most 100 columns except
// those that quote the source path, two blank lines before top-level
// definitions.
func TestPyCompile(t *testing.T) {
	py := pythonAny(t)
	dir := t.TempDir()
	var paths []string
	for i, s := range append(goldenSources(t), corpus(t)...) {
		_, files, _, ok := compile(t, s)
		if !ok {
			continue
		}
		sub := filepath.Join(dir, fmt.Sprintf("f%03d", i))
		writeFiles(t, sub, files)
		for _, f := range files {
			paths = append(paths, filepath.Join(sub, f.Name))
			checkStyle(t, s.name, f.Name, string(f.Content))
		}
	}
	script := "import py_compile, sys\nfor p in sys.argv[1:]:\n    py_compile.compile(p, doraise=True)\n"
	out, err := exec.Command(py, append([]string{"-c", script}, paths...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("py_compile: %v\n%s", err, out)
	}
	t.Logf("%d generated modules compile", len(paths))
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
		case len([]rune(l)) > 100 && !strings.Contains(l, source):
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
