package conformance

import (
	"path/filepath"
	"testing"
)

// TestClassicModels pins parameter counts to their published values:
// Keras' ResNet50 and GPT-2 small, and the MNIST example of the README.
func TestClassicModels(t *testing.T) {
	cases := []struct {
		file                     string
		total, trainable, frozen int64
	}{
		{"mnist.neural", 693962, 693962, 0},
		{"resnet50.neural", 25636712, 25583592, 53120},
		{"gpt2_small.neural", 124439808, 124439808, 0},
	}
	for _, c := range cases {
		path := filepath.Join(repoRoot, "models", c.file)
		m, ds, src := check(t, path)
		if ds.HasErrors() {
			t.Errorf("%s:\n%s", c.file, render(ds, relName(path), src))
			continue
		}
		if len(m.Networks) != 1 {
			t.Errorf("%s: %d networks, want 1", c.file, len(m.Networks))
			continue
		}
		var tr, fr int64
		for _, n := range m.Networks[0].Nodes {
			tr += n.Trainable
			fr += n.NonTrainable
		}
		if tr+fr != c.total || tr != c.trainable || fr != c.frozen {
			t.Errorf("%s: total %d (trainable %d, non-trainable %d); want %d (%d, %d)",
				c.file, tr+fr, tr, fr, c.total, c.trainable, c.frozen)
		}
	}
}
