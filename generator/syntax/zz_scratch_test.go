package syntax

import (
	"os"
	"strings"
	"testing"

	"github.com/rules-neural/rules_neural/generator/diag"
)

func show(t *testing.T, src string) {
	_, ds := Parse("x.neural", []byte(src))
	var b strings.Builder
	diag.Render(&b, ds, diag.Sources{"x.neural": []byte(src)})
	t.Log("\n" + b.String())
}

func TestShow(t *testing.T) {
	show(t, "network A {\n input: (28,28,1)\n layers:\n  Conv2D(32, (3,3)\n  Dense(10))\n  Flatten(]\n loss: \"mse\"\n}\n")
	show(t, "network A {\n input: (28,28,1)\n layers:\n  Dense(10)\n")
	show(t, "network A {\n input: (28,28,1)\n layers:\n  Dense(\"abc\n)\n}")
}

func BenchmarkMNIST(b *testing.B) {
	src, _ := os.ReadFile("../../../shared/conformance/peer-examples/mnist.neural")
	for i := 0; i < b.N; i++ {
		Parse("m", src)
	}
}
