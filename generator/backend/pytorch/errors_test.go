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

// TestPinnedHPOValues pins hyper-parameters like `--hpo-values` does: a
// value that keeps shapes is generated, one that changes them is refused.
func TestPinnedHPOValues(t *testing.T) {
	src := `network P {
  input: (8,)
  layers:
    Dense(HPO(choice(16, 32)), "relu")
    Dropout(HPO(choice(0.1, 0.4)))
    Output(2)
  optimizer: Adam(learning_rate=HPO(log_range(1e-4, 1e-2)))
}`
	model, diags := driver.Check("p.neural", []byte(src))
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	req := &backend.Request{Model: model, Source: "p.neural", HPOValues: map[string]ir.Value{
		"dropout.rate":            {Kind: ir.KFloat, Float: 0.4},
		"optimizer.learning_rate": {Kind: ir.KFloat, Float: 0.003},
	}}
	files, bd := pytorch.New().Generate(req)
	if bd.HasErrors() || len(files) != 1 {
		t.Fatalf("pinning shape-free values: %v", bd)
	}
	text := string(files[0].Content)
	for _, want := range []string{"nn.Dropout(p=0.4)", `"learning_rate": 0.003`, "nn.Linear(8, 16"} {
		if !strings.Contains(text, want) {
			t.Errorf("pinned module lacks %q", want)
		}
	}
	req.HPOValues["dense.units"] = ir.Value{Kind: ir.KInt, Int: 32}
	if _, bd := pytorch.New().Generate(req); !bd.HasErrors() || !strings.Contains(bd.Error(), "changes shapes") {
		t.Errorf("pinning a shape-changing value: %v", bd)
	}
}
