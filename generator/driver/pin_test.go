package driver

import (
	"strings"
	"testing"
)

const hpoModel = `network M {
  input: (784,)
  layers:
    Dense(HPO(choice(128, 256)), "relu")
    Dropout(HPO(range(0.1, 0.5, step=0.1)))
    Output(10)
  optimizer: Adam(learning_rate=HPO(log_range(1e-4, 1e-2)))
}
`

func TestCheckPinned(t *testing.T) {
	pins, err := ParsePins([]byte(`{"dense.units": 256, "dropout.rate": 0.3, "optimizer.learning_rate": 0.001}`))
	if err != nil {
		t.Fatal(err)
	}
	m, ds := CheckPinned("m.neural", []byte(hpoModel), pins)
	if ds.HasErrors() {
		t.Fatalf("%v", ds)
	}
	net := m.Networks[0]
	// The pinned width changes shapes and counts: 784·256+256, then 256·10+10.
	if got := net.Nodes[0].Shape; len(got) != 1 || got[0] != 256 {
		t.Errorf("dense shape = %v, want [256]", got)
	}
	if got := net.Nodes[2].Trainable; got != 2570 {
		t.Errorf("output params = %d, want 2570", got)
	}
	for _, h := range net.HPOs {
		if len(h.Choices) != 1 {
			t.Errorf("%s not pinned: %+v", h.Name, h)
		}
	}
}

func TestCheckPinnedErrors(t *testing.T) {
	cases := []struct{ pins, want string }{
		{`{"dense.units": 512}`, "outside its search space"},
		{`{"dropout.rate": 0.9}`, "outside its search space"},
		{`{"dense.unit": 128}`, "did you mean `dense.units`"},
	}
	for _, c := range cases {
		pins, err := ParsePins([]byte(c.pins))
		if err != nil {
			t.Fatal(err)
		}
		_, ds := CheckPinned("m.neural", []byte(hpoModel), pins)
		var all []string
		for _, d := range ds.Items {
			all = append(all, d.Message+" "+d.Hint)
		}
		if !strings.Contains(strings.Join(all, "\n"), c.want) {
			t.Errorf("%s: got %q, want %q", c.pins, all, c.want)
		}
	}
	if _, err := ParsePins([]byte(`[1, 2]`)); err == nil {
		t.Error("a JSON list is not a set of HPO values")
	}
}
