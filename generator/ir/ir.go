package ir

import "github.com/rules-neural/rules_neural/generator/diag"

// Layout names the memory order of image tensors. The language is
// channels-last (Keras); backends that want channels-first convert at their
// boundary and say so.
type Layout int

const (
	ChannelsLast Layout = iota
)

// Unknown marks a dimension of unknown size (a `None` that is not the batch).
const Unknown = -1

// Shape is a tensor shape without the batch dimension.
type Shape []int

// Model is everything declared in one file.
type Model struct {
	File     string
	Networks []*Network
	Research []*Research
}

// NetworkNames lists the names of the model's networks in file order.
func (m *Model) NetworkNames() []string {
	names := make([]string, 0, len(m.Networks))
	for _, n := range m.Networks {
		if n != nil {
			names = append(names, n.Name)
		}
	}
	return names
}

// Research keeps a `research` block as metadata for backends and docs.
type Research struct {
	Name    string
	Entries []Entry
	Span    diag.Span
}

// Network is one compiled model: a graph of nodes in topological order.
type Network struct {
	Name   string
	Span   diag.Span
	Layout Layout

	// Inputs in declaration order. A network with an unnamed input has one
	// Input named "input".
	Inputs []*Input
	// Nodes in topological order (every node's inputs come before it).
	// Input nodes are not in Nodes; see Input.Node.
	Nodes []*Node
	// Output is the node whose value the model returns.
	Output *Node

	Loss      *Loss
	Optimizer *Optimizer
	Metrics   []Metric
	Train     Train
	Execution Execution

	// HPOs lists every searched hyper-parameter, by ID.
	HPOs []*HPO
}

// Searchable reports whether the network still has hyper-parameters to
// search: an HPO with one choice (written so, or pinned with
// --hpo-values) is fixed.
func (n *Network) Searchable() bool {
	for _, h := range n.HPOs {
		if !(h.Kind == Choice && len(h.Choices) == 1) {
			return true
		}
	}
	return false
}

// Input is a model input.
type Input struct {
	Name string
	// Shape without the batch dimension; Unknown for None dims.
	Shape Shape
	// Tokens is true when the input feeds an Embedding: integer indices.
	Tokens bool
	Span   diag.Span
	// Node stands for this input in Node.Inputs.
	Node *Node
}

// Node is one layer instance (or an input placeholder).
type Node struct {
	ID   int    // position in Network.Nodes; -1 for input nodes
	Name string // unique in the network: the user's name= or a generated one (conv2d_1)
	Type string // canonical layer name from the schema ("Conv2D"); "Input" for inputs
	Spec *LayerSpec

	// Params holds one entry per schema parameter, in schema order, with
	// defaults filled in. Explicit says whether the source wrote it.
	Params []Param
	// Inputs are the nodes this one consumes, in order.
	Inputs []*Node
	// Inner holds the wrapped layers of TimeDistributed and Bidirectional,
	// applied in sequence to each time step (TimeDistributed) or in each
	// direction (Bidirectional). Inner nodes are not in Network.Nodes.
	Inner []*Node

	Device string // `@ "cuda:0"`, "" when not placed
	Span   diag.Span
	// Expansion lists the macro calls (innermost first) this node came from.
	Expansion []diag.Related
	// Role records why sema created a node that the source did not spell as
	// a layer: "residual" (ResidualConnection's merge), "implicit-merge"…
	Role string

	// Filled by shape inference.
	Shape        Shape
	Trainable    int64
	NonTrainable int64
	FLOPs        int64
}

// Param is one bound parameter.
type Param struct {
	Spec     *ParamSpec
	Value    Value
	Explicit bool
}

// Param returns the named parameter's value and whether the node has it.
func (n *Node) Param(name string) (Value, bool) {
	for i := range n.Params {
		if n.Params[i].Spec.Name == name {
			return n.Params[i].Value, true
		}
	}
	return Value{}, false
}

// Loss is the training loss.
type Loss struct {
	Name string // canonical (sparse_categorical_crossentropy)
	Args []Arg
	Span diag.Span
}

// Optimizer is the training optimizer; LearningRate may be a number, an
// HPO or a KCall schedule.
type Optimizer struct {
	Name string // canonical (Adam)
	Args []Arg  // bound and defaulted, in schema order
	Span diag.Span
}

// Metric is one evaluation metric.
type Metric struct {
	Name string
	Args []Arg
	Span diag.Span
}

// EarlyStopping configures early stopping.
type EarlyStopping struct {
	Enabled  bool
	Patience Value
	Monitor  string
	MinDelta Value
	Span     diag.Span
}

// Train is the `train { … }` block; unset values are KNone.
type Train struct {
	Epochs                    Value
	BatchSize                 Value
	ValidationSplit           Value
	Shuffle                   Value
	Seed                      Value
	GradientClip              Value
	GradientAccumulationSteps Value
	MixedPrecision            Value
	EarlyStopping             EarlyStopping
	SearchMethod              string
	Trials                    Value
	Device                    string
	Span                      diag.Span
}

// Execution is the `execution { … }` block.
type Execution struct {
	Device    string
	Precision string
	Span      diag.Span
}
