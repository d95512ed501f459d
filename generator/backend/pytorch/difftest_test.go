package pytorch_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rules-neural/rules_neural/generator/backend"
	"github.com/rules-neural/rules_neural/generator/diag"
	"github.com/rules-neural/rules_neural/generator/ir"
	"github.com/rules-neural/rules_neural/generator/summary"
)

// The differential test compiles every network of the corpora, imports the
// generated modules in one Python process and compares each model with the
// compiler: trainable and non-trainable parameter counts must be equal
// (counting convention in testdata/difftest.py and docs/backends/pytorch.md)
// and a forward pass on random input of batch 2 must give exactly the
// predicted output shape in torch layout.

const (
	// forwardLimit: larger models are counted but not run, to keep the
	// test within minutes on two CPU cores.
	forwardLimit = 30_000_000
	// trainLimit: models up to this size are also exported to ONNX
	// (opset 17) and run one training forward and backward pass (dropout,
	// batch statistics, recurrent dropout).
	trainLimit = 5_000_000
	// unknownSize replaces None dimensions of inputs.
	unknownSize = 12
)

type diffInput struct {
	Name  string `json:"name"`
	Shape []int  `json:"shape"`
	Dtype string `json:"dtype"`
	Vocab int64  `json:"vocab"`
}

type diffCase struct {
	ID        string      `json:"id"`
	Path      string      `json:"path"`
	Module    string      `json:"module"`
	Class     string      `json:"class"`
	Batch     int         `json:"batch"`
	Inputs    []diffInput `json:"inputs"`
	Forward   bool        `json:"forward"`
	Export    bool        `json:"export"`
	TrainStep bool        `json:"train_step"`

	trainable, nonTrainable int64
	output                  []int    // torch layout; -1 matches any size
	types                   []string // the layer types of the network
}

type diffResult struct {
	ID           string `json:"id"`
	Trainable    int64  `json:"trainable"`
	NonTrainable int64  `json:"non_trainable"`
	OutputShape  []int  `json:"output_shape"`
	PredictShape []int  `json:"predict_shape"`
	Forward      bool   `json:"forward"`
	Export       bool   `json:"export"`
	TrainStep    bool   `json:"train_step"`
	Error        string `json:"error"`
	Seconds      float64
}

var classRE = regexp.MustCompile(`(?m)^class (\w+)\(nn\.Module\):`)

func TestDifferential(t *testing.T) {
	py := pythonWithTorch(t)
	if testing.Short() {
		t.Skip("the differential test imports every corpus model into torch")
	}
	dependOn(t, filepath.Join("testdata", "difftest.py"), filepath.Join(runtimePath(t), "rules_neural", "layers.py"))
	dir := t.TempDir()
	var cases []*diffCase
	files, notClean := 0, 0
	for i, s := range corpus(t) {
		model, out, diags, ok := compile(t, s)
		if !ok {
			if s.clean || (model != nil && !diags.HasErrors()) {
				var b bytes.Buffer
				diag.Render(&b, diags, nil)
				t.Errorf("%s does not compile:\n%s", s.name, b.String())
			} else {
				notClean++
			}
			continue
		}
		files++
		sub := filepath.Join(dir, fmt.Sprintf("f%03d", i))
		writeFiles(t, sub, out)
		out = modulesOnly(out)
		if len(out) != len(model.Networks) {
			t.Fatalf("%s: %d networks but %d files", s.name, len(model.Networks), len(out))
		}
		for j, net := range model.Networks {
			cases = append(cases, newCase(t, s, net, filepath.Join(sub, out[j].Name), string(out[j].Content), i, j))
		}
	}
	manifest := map[string]interface{}{
		"pythonpath": []string{runtimePath(t)},
		"cases":      cases,
		"threads":    1,
	}
	mpath := filepath.Join(dir, "manifest.json")
	data, err := json.Marshal(manifest)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(mpath, data, 0o644); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	cmd := exec.Command(py, filepath.Join("testdata", "difftest.py"), mpath)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("difftest.py: %v\n%s", err, stderr.String())
	}
	var res struct {
		Results []diffResult `json:"results"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &res); err != nil {
		t.Fatalf("difftest.py output: %v\n%s\n%s", err, stdout.String(), stderr.String())
	}
	if len(res.Results) != len(cases) {
		t.Fatalf("difftest.py returned %d results for %d cases", len(res.Results), len(cases))
	}
	covered := map[string]bool{}
	counted, forwarded, trained := 0, 0, 0
	for k, r := range res.Results {
		c := cases[k]
		if r.Error != "" {
			t.Errorf("%s: %s", c.ID, r.Error)
			continue
		}
		for _, typ := range c.types {
			covered[typ] = true
		}
		if r.Trainable != c.trainable || r.NonTrainable != c.nonTrainable {
			t.Errorf("%s: torch has %d trainable + %d non-trainable parameters, the compiler counts %d + %d",
				c.ID, r.Trainable, r.NonTrainable, c.trainable, c.nonTrainable)
			continue
		}
		counted++
		if !c.Forward {
			t.Logf("%s: %d parameters match; forward pass skipped (more than %d parameters)",
				c.ID, c.trainable+c.nonTrainable, forwardLimit)
			continue
		}
		if !r.Forward {
			t.Errorf("%s: no forward pass", c.ID)
			continue
		}
		if !shapeMatches(r.OutputShape, c.output) || !shapeMatches(r.PredictShape, c.output) {
			t.Errorf("%s: forward gives %v and predict %v, the compiler predicts %v (torch layout, -1 = any)",
				c.ID, r.OutputShape, r.PredictShape, c.output)
			continue
		}
		forwarded++
		if c.Export && !r.Export {
			t.Errorf("%s: not exported to ONNX", c.ID)
			continue
		}
		if c.TrainStep {
			if !r.TrainStep {
				t.Errorf("%s: the training step gave a non-finite loss", c.ID)
				continue
			}
			trained++
		}
	}
	// Every layer of the schema must have been through a model that
	// passed (ResidualConnection and Sequential are lowered by sema).
	for _, l := range ir.Layers {
		if !covered[l.Name] && l.Name != "ResidualConnection" && l.Name != "Sequential" {
			t.Errorf("no model of the corpora uses %s", l.Name)
		}
	}
	t.Logf("differential: %d networks from %d files (%d peer files do not check clean and are skipped): "+
		"%d parameter counts equal, %d forward shapes equal, %d ONNX exports and training steps; python %.1fs",
		len(cases), files, notClean, counted, forwarded, trained, time.Since(start).Seconds())
}

func shapeMatches(got, want []int) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if want[i] != -1 && got[i] != want[i] {
			return false
		}
	}
	return true
}

func newCase(t *testing.T, s source, net *ir.Network, path, content string, i, j int) *diffCase {
	m := classRE.FindStringSubmatch(content)
	if m == nil {
		t.Fatalf("%s: no model class in the generated module", s.name)
	}
	tr, nt := summary.Totals(net)
	c := &diffCase{
		ID: s.name + ":" + net.Name, Path: path, Module: fmt.Sprintf("difftest_%03d_%d", i, j), Class: m[1],
		Batch: 2, trainable: tr, nonTrainable: nt,
		Forward: tr+nt <= forwardLimit, TrainStep: tr+nt <= trainLimit, Export: tr+nt <= trainLimit,
	}
	if strings.HasPrefix(s.name, "peer-examples/") {
		// Peer examples that run a forward pass also run a training step
		// (issue #3). The four over forwardLimit (BERT, two GPT decoders,
		// a 224×224 classifier) take minutes on two CPU cores: left to
		// the GPU benchmark runners.
		c.TrainStep = c.Forward
	}
	size := unknownSize
	vocab := int64(-1)
	walk(net.Nodes, func(n *ir.Node) {
		c.types = append(c.types, n.Type)
		switch n.Type {
		case "PositionalEncoding":
			if v, ok := n.Param("max_len"); ok && v.Kind == ir.KInt && int(v.Int) < size {
				size = int(v.Int)
			}
		case "Embedding":
			if v, ok := n.Param("input_dim"); ok && v.Kind == ir.KInt && (vocab < 0 || v.Int < vocab) {
				vocab = v.Int
			}
		}
	})
	for _, in := range net.Inputs {
		shape := torchLayout(in.Shape, !in.Tokens)
		for k := range shape {
			if shape[k] == ir.Unknown {
				shape[k] = size
			}
		}
		di := diffInput{Name: in.Name, Shape: shape, Dtype: "float32"}
		if in.Tokens {
			di.Dtype, di.Vocab = "int64", vocab
		}
		c.Inputs = append(c.Inputs, di)
	}
	c.output = torchLayout(net.Output.Shape, true)
	return c
}

// torchLayout moves the channels of a rank >= 3 shape first (the layout
// generated modules take and return).
func torchLayout(s ir.Shape, image bool) []int {
	out := make([]int, 0, len(s))
	if image && len(s) >= 3 {
		out = append(out, s[len(s)-1])
		out = append(out, s[:len(s)-1]...)
	} else {
		out = append(out, s...)
	}
	return out
}

func walk(nodes []*ir.Node, f func(*ir.Node)) {
	for _, n := range nodes {
		f(n)
		walk(n.Inner, f)
	}
}

// String makes failures readable.
func (c *diffCase) String() string { return strings.TrimSpace(c.ID) }

// TestLayersAgainstKeras runs runtime/python/tests/test_layers.py, which
// compares rules_neural.layers with outputs recorded from Keras 3.
func TestLayersAgainstKeras(t *testing.T) {
	py := pythonWithTorch(t)
	if err := exec.Command(py, "-c", "import pytest").Run(); err != nil {
		t.Skip("pytest is not installed for " + py)
	}
	tests := filepath.Join(runtimePath(t), "tests")
	dependOn(t, filepath.Join(tests, "test_layers.py"), filepath.Join(tests, "data", "keras_layers.npz"),
		filepath.Join(runtimePath(t), "rules_neural", "layers.py"))
	cmd := exec.Command(py, "-m", "pytest", "-q", "-p", "no:cacheprovider", filepath.Join(tests, "test_layers.py"))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("test_layers.py: %v\n%s", err, out)
	}
}

// modulesOnly drops the search drivers generated beside HPO models.
func modulesOnly(files []backend.File) []backend.File {
	var out []backend.File
	for _, f := range files {
		if !strings.HasSuffix(f.Name, "_search.py") {
			out = append(out, f)
		}
	}
	return out
}
