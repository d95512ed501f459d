package sema

import (
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rules-neural/rules_neural/generator/diag"
	"github.com/rules-neural/rules_neural/generator/syntax"
)

func TestLayerLimit(t *testing.T) {
	src := `define B { Dense(1) * 1000 }
network N {
  input: (2,)
  layers:
    B * 1001
}`
	start := time.Now()
	m, d := build(t, src)
	expectDiags(t, src, d, "5:9: error: repeating this 1001 times gives more than 1000000 layers")
	if n := len(m.Networks[0].Nodes); n > 2000 {
		t.Errorf("built %d nodes before refusing", n)
	}
	if time.Since(start) > 5*time.Second {
		t.Errorf("took %v", time.Since(start))
	}
}

func TestNestedRepeatLimit(t *testing.T) {
	src := `define A { Dense(1) * 10000 }
define B { A * 10000 }
network N {
  input: (2,)
  layers:
    B * 10000
}`
	_, d := build(t, src)
	expectDiags(t, src, d, "2:16: error: repeating this 10000 times gives more than 1000000 layers … in expansion of B")
}

// TestEmptyRepeatsTerminate: repeats of macros that expand to nothing must
// not spin.
func TestEmptyRepeatsTerminate(t *testing.T) {
	src := `define E { }
define A { E * 10000 }
define B { A * 10000 }
network N {
  input: (2,)
  layers:
    Dense(1)
    B * 10000
}`
	start := time.Now()
	_, d := build(t, src)
	if !d.HasErrors() || !strings.Contains(d.Items[0].Message, "expands more than") {
		t.Errorf("want a size error, got:\n%s", render(d, src))
	}
	if time.Since(start) > 10*time.Second {
		t.Errorf("took %v", time.Since(start))
	}
}

func TestTenThousandLayers(t *testing.T) {
	src := `define Block(u) {
  Dense($u, "relu")
  LayerNormalization()
  Add()
}
network Big {
  input: (64,)
  layers:
    Dense(64)
    Block(64) * 3333
    Output(10)
}`
	start := time.Now()
	m := buildOK(t, src)
	if n := len(m.Networks[0].Nodes); n != 1+3*3333+1 {
		t.Errorf("nodes = %d", n)
	}
	if el := time.Since(start); el > 3*time.Second {
		t.Errorf("10k layers took %v", el)
	}
	t.Logf("10k layers in %v", time.Since(start))
}

// TestNoPanicOnMutations lowers mangled versions of the peer examples; sema
// must never panic (Build turns a panic into an "internal error").
func TestNoPanicOnMutations(t *testing.T) {
	if _, err := os.Stat(peerDir); err != nil {
		t.Skip("peer examples not found")
	}
	var corpus [][]byte
	filepath.Walk(peerDir, func(path string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			if b, err := os.ReadFile(path); err == nil {
				corpus = append(corpus, b)
			}
		}
		return nil
	})
	corpus = append(corpus, []byte(mutationSeed))
	rng := rand.New(rand.NewSource(1))
	n := 3000
	if testing.Short() {
		n = 300
	}
	snippets := []string{"(", ")", "{", "}", ",", "None", "$x", "HPO(choice(1, 2))", "* 3", "@ \"cpu\"", "inputs=[a]",
		"Add()", "ResidualConnection {", "shortcut: {", "-1", "0", "1e999", "\"s\"", "name=\"n\"", "Dense", "define", "= ", ": ",
		"TimeDistributed(", "Bidirectional {", "input:", "layers:", "[", "]", "/ 0", "range(1, 2)", "log_range(", "true"}
	parsed := 0
	for i := 0; i < n; i++ {
		src := append([]byte(nil), corpus[rng.Intn(len(corpus))]...)
		for k := rng.Intn(4) + 1; k > 0 && len(src) > 0; k-- {
			at := rng.Intn(len(src))
			switch rng.Intn(3) {
			case 0: // delete a range
				end := at + rng.Intn(20)
				if end > len(src) {
					end = len(src)
				}
				src = append(src[:at], src[end:]...)
			case 1: // insert a snippet
				s := snippets[rng.Intn(len(snippets))]
				src = append(src[:at], append([]byte(s+" "), src[at:]...)...)
			case 2: // duplicate a range
				end := at + rng.Intn(60)
				if end > len(src) {
					end = len(src)
				}
				dup := append([]byte(nil), src[at:end]...)
				src = append(src[:end], append(dup, src[end:]...)...)
			}
		}
		f, _ := syntax.Parse("m.neural", src)
		if f == nil {
			continue
		}
		parsed++
		d := &diag.List{}
		Build(f, d)
		for _, it := range d.Items {
			if strings.Contains(it.Message, "internal error") {
				t.Fatalf("%s\nsource:\n%s", it.Message, src)
			}
		}
	}
	t.Logf("%d of %d mutations parsed", parsed, n)
}

const mutationSeed = `define Block(f, d) {
  Conv2D($f, 3, padding="same") @ "cuda:0"
  BatchNormalization()
  Dropout($d)
  Add()
}
network N {
  input: { a: (8, 8, 3), b: (4,) }
  layers:
    a: {
      Block(8, HPO(choice(0.1, 0.2))) * 2
      ResidualConnection(merge="concat") {
        Conv2D(8, 1)
        shortcut: { Conv2D(8, 1) }
      }
      TimeDistributed(Dense(4))
      Flatten()
    }
    b: { Dense(4, name="fc") Bidirectional { LSTM(4) } }
    Concatenate()
    Dense(HPO(range(8, 64, step=8)) / 2)
    Output(10)
  loss: huber(delta=1.0)
  optimizer: Adam(learning_rate=ExponentialDecay(0.1, 100, 0.9))
  metrics: ["accuracy", top_k_accuracy(k=5)]
  train { epochs: 2 early_stopping: { patience: 2 } learning_rate: 0.1 }
  execution { device: "cpu" precision: "fp16" }
}
research R { metrics { accuracy: 0.9 } }
`

// FuzzBuild runs the whole front end on arbitrary input: `go test -fuzz
// FuzzBuild ./generator/sema/`.
func FuzzBuild(f *testing.F) {
	f.Add([]byte(mutationSeed))
	f.Add([]byte("network N { input: (3) layers: Dense(1) }"))
	f.Fuzz(func(t *testing.T, src []byte) {
		file, _ := syntax.Parse("f.neural", src)
		if file == nil {
			return
		}
		d := &diag.List{}
		Build(file, d)
		for _, it := range d.Items {
			if strings.Contains(it.Message, "internal error") {
				t.Fatal(it.Message)
			}
		}
	})
}
