package pytorch_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rules-neural/rules_neural/generator/backend"
	"github.com/rules-neural/rules_neural/generator/backend/pytorch"
	"github.com/rules-neural/rules_neural/generator/driver"
)

// hostile is text that would break out of a string literal, a comment or a
// docstring if it were pasted into the generated code.
const hostile = `"); import os; os.system("x") #` + "\n" + `'''"""\` + "\\\t\x01é\u2028"

// TestHostileStrings compiles a model whose source path, layer names and
// free-text values are hostile, and checks with Python's ast module that
// the generated program has exactly the generated structure and that the
// strings come back unchanged from SPEC.
func TestHostileStrings(t *testing.T) {
	py := pythonAny(t)
	src := `network Evil {
  input: { image: (8, 8, 1), meta: (4,) }
  layers:
    image: {
      Conv2D(4, 3, name="\"); import os; os.system(\"x\") #")
      Flatten(name="a'''b\"\"\"c\\")
    }
    meta: { Dense(8, name="line\nbreak\t\\") }
    Concatenate(name="Ünïcødé")
    Output(2, "softmax", name="self")
  loss: "categorical_crossentropy"
  optimizer: Adam()
  train { early_stopping: { patience: 2, monitor: "\"); import os; os.system(\"x\") #\n\\\"\"\"" } }
}
network typing { input: (3,) layers: Dense(2, name="forward") Dense(2, name="train") Output(1, name="torch") }
`
	monitor := `"); import os; os.system("x") #` + "\n" + `\"""`
	sourceName := "models/" + hostile + ".neural"
	model, diags := driver.Check(sourceName, []byte(src))
	if diags.HasErrors() {
		t.Fatalf("the hostile model does not check: %v", diags)
	}
	files, bd := pytorch.New().Generate(&backend.Request{Model: model, Source: sourceName})
	if bd.HasErrors() {
		t.Fatalf("generate: %v", bd)
	}
	dir := t.TempDir()
	writeFiles(t, dir, files)
	var cases []map[string]string
	for _, f := range files {
		c := map[string]string{"path": filepath.Join(dir, f.Name), "source": sourceName}
		if strings.Contains(string(f.Content), "class Evil(") {
			c["monitor"] = monitor
		}
		cases = append(cases, c)
		if strings.ContainsAny(string(f.Content), "\t\x01\u2028") {
			t.Errorf("%s contains a raw control or separator character", f.Name)
		}
	}
	data, _ := json.Marshal(cases)
	manifest := filepath.Join(dir, "cases.json")
	if err := os.WriteFile(manifest, data, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(py, filepath.Join("testdata", "astcheck.py"), manifest).CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "ok" {
		t.Fatalf("astcheck.py: %v\n%s", err, out)
	}
	if len(files) != 2 || files[1].Name != "typing_model.py" {
		t.Errorf("network `typing` must not generate typing.py (it would shadow the typing module): %v", []string{files[0].Name, files[1].Name})
	}
}

// pythonAny is any Python 3 (only the standard library is needed).
func pythonAny(t *testing.T) string {
	t.Helper()
	for _, py := range []string{os.Getenv("NEURALGEN_PYTHON"), "/usr/bin/python3", "python3"} {
		if py == "" {
			continue
		}
		if p, err := exec.LookPath(py); err == nil {
			return p
		}
	}
	t.Skip("no python3")
	return ""
}
