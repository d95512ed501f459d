package format

import (
	"fmt"
	"os"
	"runtime/debug"
	"testing"
	"time"
)

// fuzzSeeds are small inputs with comments in awkward places.
var fuzzSeeds = []string{
	"network A { layers: Dense # c\n (1) }",
	"network A { layers: Dense(1, # c\n 2) @ /* d */ \"cpu\" * # e\n 3 }",
	"network A { input: (1, /* a */) layers: [Dense(1), # b\n Dense(2)] # c\n loss: \"mse\" }",
	"network A { train { a: 1, # x\n b: { c: 2 } } }",
	"define M(a, # p\n b) { Dense($a + # q\n $b) }",
	"/* a */ /* b */ # c\nnetwork A {} # d",
	"network A { layers: Dense(1)\n# end\n}",
	"network A { layers: [Dense(1)] foo: 1 }",
	"network A { layers: [Dense(1)] foo { a: 1 } }",
	"network A { layers: [Dense(1)] foo: { a: 1 } }",
	"network A { layers: [Dense(1)] foo 1 }",
	"network A { layers: [a: {Dense(1)}, Dense(2) * 2] train: { epochs 10 } }",
	"network A { layers: Dense(1) layers: Dense(2) }",
	"network A { layers A layers: [] }",
	"network A { layers: Dense(cfg={a: {b: 1}, c: [1, (2,), ()]}) }",
	"network A { input: {a: (1,)} layers: a: { Dense(1) } Add() }",
	"network A { optimizer: adam { lr: 0.1 } loss mse }",
	"research R { }",
	"define M { } define N() { M }",
	"network A { layers: Foo @ \"x\" # c\n { Bar } * 2 metrics: [] input: () }",
	"network A { layers: Reshape((-1, 28)) Dense(name='a\"b', x=\"c\\\\d\\t\") }",
}

// FuzzFormat checks that Source never panics and, on input that parses,
// that the output parses to the same AST, keeps every comment, and is a
// fixed point.
func FuzzFormat(f *testing.F) {
	for _, path := range corpus(f) {
		if src, err := os.ReadFile(path); err == nil {
			f.Add(src)
		}
	}
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		if msg := watchdog(10*time.Second, func() string {
			out, ds := Source("fuzz.neural", src)
			if out == nil {
				if !ds.HasErrors() {
					return "Source returned no output and no error"
				}
				return ""
			}
			return properties("fuzz.neural", src)
		}); msg != "" {
			t.Fatal(msg)
		}
	})
}

// watchdog runs fn and returns its message, or a failure when fn panics or
// runs longer than limit (the fuzzing engine has no timeout of its own for
// one input, so a hang would otherwise go unreported).
func watchdog(limit time.Duration, fn func() string) string {
	done := make(chan string, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				done <- fmt.Sprintf("panic: %v\n%s", r, debug.Stack())
			}
		}()
		done <- fn()
	}()
	select {
	case msg := <-done:
		return msg
	case <-time.After(limit):
		return fmt.Sprintf("no result after %v", limit)
	}
}
