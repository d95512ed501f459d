package bazelgen

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzUpdate feeds arbitrary BUILD files (seeded with the snapshot cases)
// and model file names to Update: it may return an error, never panic, and
// what it returns is a fixed point.
func FuzzUpdate(f *testing.F) {
	cases, _ := filepath.Glob(filepath.Join("testdata", "*", "BUILD.*"))
	for _, p := range cases {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(data, "mnist.neural", "MNIST,Other")
		}
	}
	f.Add([]byte("neural_model(name = 1, src = [], network = None)\n"), "a.neural", "")
	f.Add([]byte("load(\":x.bzl\", neural_model = \"y\")\nneural_model(**kw)\n"), "b.ndsl", "B")
	f.Fuzz(func(t *testing.T, build []byte, file, networks string) {
		var sources []Source
		if file != "" {
			s := Source{File: file}
			if networks != "" {
				s.Networks = strings.Split(networks, ",")
			}
			sources = append(sources, s)
		}
		out, err := Update("BUILD.bazel", build, sources, Options{})
		if err != nil {
			return
		}
		again, err := Update("BUILD.bazel", out, sources, Options{})
		if err != nil {
			t.Fatalf("the output does not parse again: %v\n%s", err, out)
		}
		if string(again) != string(out) {
			t.Fatalf("not a fixed point:\n%s\n---\n%s", out, again)
		}
	})
}
