package conformance

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rules-neural/rules_neural/generator/driver"
)

// The benchmarks behind the performance goals of the compiler core (see
// docs/benchmarks.md): in-process `check` on classic models and on
// generated deep models (to show time grows linearly with layers), and the
// whole `neuralgen check` process.

func benchCheck(b *testing.B, name string, src []byte) {
	b.Helper()
	if _, ds := driver.Check(name, src); ds.HasErrors() {
		b.Fatalf("%s does not check clean: %v", name, ds)
	}
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		driver.Check(name, src)
	}
}

func BenchmarkCheckMNIST(b *testing.B) {
	benchCheck(b, "mnist.neural", readFile(b, filepath.Join(repoRoot, "models", "mnist.neural")))
}

func BenchmarkCheckResNet50(b *testing.B) {
	benchCheck(b, "resnet50.neural", readFile(b, filepath.Join(repoRoot, "models", "resnet50.neural")))
}

func BenchmarkCheckGPT2Small(b *testing.B) {
	benchCheck(b, "gpt2_small.neural", readFile(b, filepath.Join(repoRoot, "models", "gpt2_small.neural")))
}

// deepModel writes a network of n layers, alternating Dense and Dropout,
// one statement per line, as a user would write a very long model.
func deepModel(n int) []byte {
	var b strings.Builder
	b.WriteString("network Deep {\n  input: (None, 64)\n  layers:\n")
	for i := 0; i < n; i++ {
		if i%2 == 0 {
			fmt.Fprintf(&b, "    Dense(units=64, activation=\"relu\")\n")
		} else {
			fmt.Fprintf(&b, "    Dropout(rate=0.1)\n")
		}
	}
	b.WriteString("  loss: \"mse\"\n  optimizer: Adam(learning_rate=0.001)\n}\n")
	return []byte(b.String())
}

func BenchmarkCheckLayers(b *testing.B) {
	for _, n := range []int{1000, 10000, 100000} {
		src := deepModel(n)
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) { benchCheck(b, "deep.neural", src) })
	}
}

// BenchmarkProcessCheckMNIST times the whole `neuralgen check` process on
// the MNIST model: start-up, grammar construction, checking and exit.
func BenchmarkProcessCheckMNIST(b *testing.B) {
	bin := filepath.Join(b.TempDir(), "neuralgen")
	build := exec.Command("go", "build", "-o", bin, "./generator/cmd/neuralgen")
	build.Dir = repoRoot
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("build: %v\n%s", err, out)
	}
	model, _ := filepath.Abs(filepath.Join(repoRoot, "models", "mnist.neural"))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		cmd := exec.Command(bin, "check", model)
		cmd.Stderr = os.Stderr
		if err := cmd.Run(); err != nil {
			b.Fatal(err)
		}
	}
}
