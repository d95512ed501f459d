package pytorch_test

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/rules-neural/rules_neural/generator/backend"
	"github.com/rules-neural/rules_neural/generator/backend/pytorch"
	"github.com/rules-neural/rules_neural/generator/diag"
	"github.com/rules-neural/rules_neural/generator/driver"
	"github.com/rules-neural/rules_neural/generator/ir"
)

var errorRE = regexp.MustCompile(`# ERROR "((?:[^"\\]|\\.)*)"`)

// TestErrors compiles the files of testdata/errors, which check clean but
// hold values the backend cannot express, and matches the backend's
// errors with the `# ERROR "regexp"` comments on their lines (the harness
// of Go's cmd/compile tests).
func TestErrors(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join("testdata", "errors", "*.neural"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no error tests: %v", err)
	}
	for _, p := range paths {
		src, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		model, diags := driver.Check(p, src)
		if diags.HasErrors() {
			t.Fatalf("%s must check clean: %v", p, diags)
		}
		files, bd := pytorch.New().Generate(&backend.Request{Model: model, Source: p})
		if len(files) != 0 {
			t.Errorf("%s: files generated despite errors", p)
		}
		want := map[int]*regexp.Regexp{}
		for i, line := range strings.Split(string(src), "\n") {
			if m := errorRE.FindStringSubmatch(line); m != nil {
				rx, err := strconv.Unquote(`"` + m[1] + `"`)
				if err != nil {
					t.Fatalf("%s:%d: bad ERROR comment: %v", p, i+1, err)
				}
				want[i+1] = regexp.MustCompile(rx)
			}
		}
		matched := map[int]bool{}
		for _, d := range bd.Items {
			if d.Severity != diag.Error {
				continue
			}
			line := d.Span.Start.Line
			rx, ok := want[line]
			switch {
			case !ok:
				t.Errorf("%s:%d: unexpected error: %s", p, line, d.Message)
			case !rx.MatchString(d.Message):
				t.Errorf("%s:%d: error %q does not match %q", p, line, d.Message, rx)
			default:
				matched[line] = true
			}
		}
		var lines []int
		for l := range want {
			lines = append(lines, l)
		}
		sort.Ints(lines)
		for _, l := range lines {
			if !matched[l] {
				t.Errorf("%s:%d: missing error matching %q", p, l, want[l])
			}
		}
	}
}

// TestPinnedHPOValues pins hyper-parameters as `--hpo-values` does
// (driver.CheckPinned narrows them before shape inference): pinned values,
// shape-changing ones included, are generated, and no search space or
// search driver remains.
func TestPinnedHPOValues(t *testing.T) {
	src := `network P {
  input: (8,)
  layers:
    Dense(HPO(choice(16, 32)), "relu")
    Dropout(HPO(choice(0.1, 0.4)))
    Output(2)
  optimizer: Adam(learning_rate=HPO(log_range(1e-4, 1e-2)))
}`
	pins := driver.Pins{
		"dense.units":             {Kind: ir.KInt, Int: 32},
		"dropout.rate":            {Kind: ir.KFloat, Float: 0.4},
		"optimizer.learning_rate": {Kind: ir.KFloat, Float: 0.003},
	}
	model, diags := driver.CheckPinned("p.neural", []byte(src), pins)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	files, bd := pytorch.New().Generate(&backend.Request{Model: model, Source: "p.neural"})
	if bd.HasErrors() || len(files) != 1 {
		t.Fatalf("pinned model: %v, %d files", bd, len(files))
	}
	text := string(files[0].Content)
	for _, want := range []string{"nn.Dropout(p=0.4)", `"learning_rate": 0.003`, "nn.Linear(8, 32", "nn.Linear(32, 2", `"hpo": []`} {
		if !strings.Contains(text, want) {
			t.Errorf("pinned module lacks %q", want)
		}
	}
	// Unpinned, the same model gets a search driver beside the module.
	model, _ = driver.Check("p.neural", []byte(src))
	files, _ = pytorch.New().Generate(&backend.Request{Model: model, Source: "p.neural"})
	if len(files) != 2 || files[1].Name != "p_search.py" || !strings.Contains(string(files[1].Content), "hpo.main_compiled(SPEC") {
		t.Errorf("search driver missing: %d files", len(files))
	}
}
