package summary

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/rules-neural/rules_neural/generator/ir"
)

// seq builds a sequential network by hand, so these tests do not depend on
// sema or shape inference.
func seq(name string, in ir.Shape, layers ...*ir.Node) *ir.Network {
	input := &ir.Input{Name: "input", Shape: in, Node: &ir.Node{ID: -1, Name: "input", Type: "Input", Shape: in}}
	net := &ir.Network{Name: name, Inputs: []*ir.Input{input}}
	prev := input.Node
	for i, n := range layers {
		n.ID = i
		n.Inputs = []*ir.Node{prev}
		net.Nodes = append(net.Nodes, n)
		prev = n
	}
	net.Output = prev
	return net
}

func layer(name, typ string, shape ir.Shape, params int64) *ir.Node {
	return &ir.Node{Name: name, Type: typ, Shape: shape, Trainable: params}
}

func mnist() *ir.Network {
	return seq("MNIST", ir.Shape{28, 28, 1},
		layer("conv2d", "Conv2D", ir.Shape{26, 26, 32}, 320),
		layer("max_pooling2d", "MaxPooling2D", ir.Shape{13, 13, 32}, 0),
		layer("flatten", "Flatten", ir.Shape{5408}, 0),
		layer("dense", "Dense", ir.Shape{128}, 692352),
		layer("dropout", "Dropout", ir.Shape{128}, 0),
		layer("output", "Output", ir.Shape{10}, 1290),
	)
}

func TestFormatShape(t *testing.T) {
	for _, tc := range []struct {
		in   ir.Shape
		want string
	}{
		{ir.Shape{26, 26, 32}, "(None, 26, 26, 32)"},
		{ir.Shape{ir.Unknown, 64}, "(None, None, 64)"},
		{ir.Shape{}, "(None)"},
		{nil, "?"},
	} {
		if got := FormatShape(tc.in); got != tc.want {
			t.Errorf("FormatShape(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestFormatCount(t *testing.T) {
	for in, want := range map[int64]string{
		0: "0", 320: "320", 1290: "1,290", 692352: "692,352", 693962: "693,962",
		1000000: "1,000,000", 12345678: "12,345,678", -1234: "-1,234", -123: "-123",
	} {
		if got := FormatCount(in); got != want {
			t.Errorf("FormatCount(%d) = %q, want %q", in, got, want)
		}
	}
}

func TestWriteTextSequential(t *testing.T) {
	var b strings.Builder
	if err := WriteText(&b, &ir.Model{Networks: []*ir.Network{mnist()}}); err != nil {
		t.Fatal(err)
	}
	want := `Model: "MNIST"
__________________________________________________________
 Layer (type)                  Output Shape        Param #
==========================================================
 conv2d (Conv2D)               (None, 26, 26, 32)  320
 max_pooling2d (MaxPooling2D)  (None, 13, 13, 32)  0
 flatten (Flatten)             (None, 5408)        0
 dense (Dense)                 (None, 128)         692,352
 dropout (Dropout)             (None, 128)         0
 output (Output)               (None, 10)          1,290
==========================================================
Total params: 693,962
Trainable params: 693,962
Non-trainable params: 0
__________________________________________________________
`
	if got := b.String(); got != want {
		t.Errorf("WriteText:\n%s\nwant:\n%s", got, want)
	}
}

func TestWriteTextGraphAndHPO(t *testing.T) {
	a := &ir.Input{Name: "image", Shape: ir.Shape{8}, Node: &ir.Node{ID: -1, Name: "image", Type: "Input"}}
	b := &ir.Input{Name: "text", Shape: ir.Shape{8}, Node: &ir.Node{ID: -1, Name: "text", Type: "Input"}}
	add := &ir.Node{Name: "add", Type: "Add", Shape: ir.Shape{8}, Inputs: []*ir.Node{a.Node, b.Node}}
	bn := &ir.Node{Name: "bn", Type: "BatchNormalization", Shape: ir.Shape{8}, Trainable: 16, NonTrainable: 16, Inputs: []*ir.Node{add}}
	net := &ir.Network{Name: "Two", Inputs: []*ir.Input{a, b}, Nodes: []*ir.Node{add, bn}, Output: bn,
		HPOs: []*ir.HPO{{Kind: ir.Choice, Choices: []ir.Value{{Kind: ir.KInt, Int: 8}}}}}
	var out strings.Builder
	if err := WriteText(&out, &ir.Model{Networks: []*ir.Network{mnist(), net}}); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{
		"\n\nModel: \"Two\"\n",
		"Connected to",
		" image (InputLayer)",
		" add (Add)                (None, 8)     0        image, text\n",
		" bn (BatchNormalization)  (None, 8)     32       add\n",
		"Trainable params: 16\nNon-trainable params: 16\n" + HPONote + "\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("summary lacks %q:\n%s", want, got)
		}
	}
	if strings.Count(got, HPONote) != 1 {
		t.Errorf("HPO note printed for a network without HPO values:\n%s", got)
	}
	for _, line := range strings.Split(got, "\n") {
		if strings.HasSuffix(line, " ") {
			t.Errorf("trailing space in %q", line)
		}
	}
}

func TestWriteJSON(t *testing.T) {
	net := mnist()
	net.Nodes[0].Shape = ir.Shape{ir.Unknown, 26, 32}
	net.Nodes[1].Shape = nil
	var b strings.Builder
	if err := WriteJSON(&b, &ir.Model{Networks: []*ir.Network{net}}); err != nil {
		t.Fatal(err)
	}
	var got map[string]interface{}
	if err := json.Unmarshal([]byte(b.String()), &got); err != nil {
		t.Fatalf("invalid JSON: %v\n%s", err, b.String())
	}
	compact, _ := json.Marshal(got)
	want := `{"networks":[{"inputs":[{"name":"input","shape":[null,28,28,1]}],"layers":[` +
		`{"name":"conv2d","output_shape":[null,null,26,32],"params":320,"type":"Conv2D"},` +
		`{"name":"max_pooling2d","output_shape":null,"params":0,"type":"MaxPooling2D"},` +
		`{"name":"flatten","output_shape":[null,5408],"params":0,"type":"Flatten"},` +
		`{"name":"dense","output_shape":[null,128],"params":692352,"type":"Dense"},` +
		`{"name":"dropout","output_shape":[null,128],"params":0,"type":"Dropout"},` +
		`{"name":"output","output_shape":[null,10],"params":1290,"type":"Output"}],` +
		`"name":"MNIST","non_trainable_params":0,"output_shape":[null,10],"total_params":693962,"trainable_params":693962}]}`
	if string(compact) != want {
		t.Errorf("JSON:\n%s\nwant:\n%s", compact, want)
	}
	// Field order follows DESIGN.md §3.
	order := []string{`"name"`, `"inputs"`, `"output_shape"`, `"layers"`, `"trainable_params"`, `"non_trainable_params"`, `"total_params"`}
	last := -1
	for _, key := range order {
		i := strings.Index(b.String(), "\n    "+key)
		if i < last {
			t.Errorf("key %s out of order in\n%s", key, b.String())
		}
		last = i
	}
}

func TestWriteJSONEmptyModel(t *testing.T) {
	var b strings.Builder
	if err := WriteJSON(&b, &ir.Model{}); err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(b.String()); got != "{\n  \"networks\": []\n}" {
		t.Errorf("empty model JSON = %s", got)
	}
}
