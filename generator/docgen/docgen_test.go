package docgen

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rules-neural/rules_neural/generator/ir"
)

var update = flag.Bool("update", false, "rewrite golden files")

// layersDoc is the checked-in page; `neuralgen doc layers` regenerates it.
var layersDoc = filepath.Join("..", "..", "docs", "layers.md")

func TestLayersDocIsUpToDate(t *testing.T) {
	got := Layers()
	if *update {
		if err := os.WriteFile(layersDoc, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(layersDoc)
	if err != nil {
		t.Fatalf("%v (regenerate with: go test ./generator/docgen -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("docs/layers.md is stale; regenerate it with\n\tgo run ./generator/cmd/neuralgen doc layers > docs/layers.md\nor\n\tgo test ./generator/docgen -update")
	}
}

func TestLayersIsDeterministic(t *testing.T) {
	if !bytes.Equal(Layers(), Layers()) {
		t.Error("two renderings differ")
	}
}

func TestEveryTableEntryIsDocumented(t *testing.T) {
	doc := string(Layers())
	for _, l := range ir.Layers {
		if !strings.Contains(doc, "\n### "+l.Name+"\n") {
			t.Errorf("layer %s has no section", l.Name)
		}
		for _, p := range l.Params {
			if !strings.Contains(doc, "| `"+p.Name+"`") {
				t.Errorf("%s.%s is not in a parameter table", l.Name, p.Name)
			}
		}
	}
	for _, table := range [][]*ir.FuncSpec{ir.Optimizers, ir.Schedules, ir.Losses, ir.Metrics} {
		for _, f := range table {
			if !strings.Contains(doc, f.Name) {
				t.Errorf("%s is not documented", f.Name)
			}
		}
	}
	for _, a := range ir.Activations {
		if !strings.Contains(doc, "`"+a+"`") {
			t.Errorf("activation %s is not documented", a)
		}
	}
}

func TestParamDetails(t *testing.T) {
	doc := string(Layers())
	for _, want := range []string{
		"| `units` | integer | required | ≥ 1 | output size of the last axis |",
		"| `padding` | string | `\"valid\"` | `\"valid\"`, `\"same\"`, `\"causal\"` |",
		"| `strides` (alias `stride`) | integer or tuple of 2 integers | `(1, 1)` | ≥ 1 |",
		"| `rate` | number | required | 0 ≤ x < 1 |",
		"(a) Takes an activation: `activation` is the next positional argument after `kernel_size`; default `\"linear\"`.",
		"Positional order: `filters`, `kernel_size`.",
		"Merge layer:",
		"Takes a block: `ResidualConnection { … }`",
	} {
		if !strings.Contains(doc, want) {
			t.Errorf("doc lacks %q", want)
		}
	}
	for _, line := range strings.Split(doc, "\n") {
		if strings.HasSuffix(line, " ") {
			t.Errorf("trailing space in %q", line)
		}
	}
}

func TestAnchor(t *testing.T) {
	for in, want := range map[string]string{"Conv2D": "conv2d", "Learning-rate schedules": "learning-rate-schedules", "Conv1DTranspose": "conv1dtranspose"} {
		if got := anchor(in); got != want {
			t.Errorf("anchor(%q) = %q, want %q", in, got, want)
		}
	}
}
