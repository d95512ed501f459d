package ir

import "strings"

// ParamType is the static type of a schema parameter.
type ParamType int

const (
	TInt          ParamType = iota // an integer
	TFloat                         // a number (integers are accepted)
	TBool                          // true / false
	TString                        // free text (initializer names, monitor)
	TEnum                          // one of ParamSpec.Enum
	TActivation                    // an activation name (Activations)
	TIntTuple                      // an int, or a tuple of Rank ints (kernel_size=3 → (3,3))
	TShape                         // a tuple of ints, one of which may be -1 (Reshape)
	TPadding                       // int, tuple of ints, or tuple of pairs (ZeroPadding/Cropping)
	TLayer                         // a nested layer call: Bidirectional(LSTM(64))
	TRegularizer                   // "l2" or l2(0.01)
	TLearningRate                  // a number, an HPO or a schedule call
)

var paramTypeNames = [...]string{"integer", "number", "boolean", "string", "one of", "activation", "integer or tuple of integers", "shape tuple", "padding", "layer", "regularizer", "learning rate"}

func (t ParamType) String() string { return paramTypeNames[t] }

// ParamSpec describes one parameter of a layer, optimizer, schedule or loss.
type ParamSpec struct {
	Name    string
	Aliases []string // other accepted spellings (stride → strides, initial_lr)
	Type    ParamType
	// Rank is the tuple length of TIntTuple / TPadding parameters (the
	// spatial rank of the layer); 0 means any length.
	Rank int
	// Default is filled in by sema when the parameter is not written.
	// Kind KNone with Required false means "optional, no value".
	Default  Value
	Required bool
	// Bounds for numbers; MinOpen/MaxOpen make them exclusive.
	Min, Max         float64
	HasMin, HasMax   bool
	MinOpen, MaxOpen bool
	Enum             []string
	// Shape is true when the value changes output shapes or parameter
	// counts; only such HPO values are enumerated by the shape checker.
	Shape bool
	Doc   string
}

// LayerSpec describes one built-in layer.
type LayerSpec struct {
	Name     string
	Category string
	Doc      string
	// Positional lists parameter names in positional-binding order.
	Positional []string
	// TakesActivation marks (a) layers: `activation` binds after Positional.
	TakesActivation bool
	Params          []*ParamSpec
	// Block says the layer accepts `{ … }` (containers).
	Block bool
	// Merge layers combine several inputs.
	Merge bool
	// Rank is the spatial rank of conv/pool layers (1, 2, 3); 0 otherwise.
	Rank int
}

// Param returns the parameter spec named name (or one of its aliases).
func (l *LayerSpec) Param(name string) *ParamSpec { return findParam(l.Params, name) }

func findParam(ps []*ParamSpec, name string) *ParamSpec {
	for _, p := range ps {
		if p.Name == name {
			return p
		}
	}
	for _, p := range ps {
		for _, a := range p.Aliases {
			if a == name {
				return p
			}
		}
	}
	return nil
}

// ParamNames lists the canonical parameter names (for "valid names are …").
func ParamNames(ps []*ParamSpec) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Name
	}
	return out
}

// UniversalParams are accepted by every layer and handled by sema itself:
// `name` names the layer, `inputs` names its input tensors.
var UniversalParams = []string{"name", "inputs"}

// builder helpers keep the table below readable.

type pb struct{ p *ParamSpec }

func param(name string, t ParamType) pb { return pb{&ParamSpec{Name: name, Type: t}} }

func (b pb) req() pb                       { b.p.Required = true; return b }
func (b pb) def(v Value) pb                { b.p.Default = v; return b }
func (b pb) defInt(i int64) pb             { b.p.Default = Value{Kind: KInt, Int: i}; return b }
func (b pb) defFloat(f float64) pb         { b.p.Default = Value{Kind: KFloat, Float: f}; return b }
func (b pb) defBool(v bool) pb             { b.p.Default = Value{Kind: KBool, Bool: v}; return b }
func (b pb) defStr(s string) pb            { b.p.Default = Value{Kind: KString, Str: s}; return b }
func (b pb) min(f float64) pb              { b.p.Min, b.p.HasMin = f, true; return b }
func (b pb) minOpen(f float64) pb          { b.p.Min, b.p.HasMin, b.p.MinOpen = f, true, true; return b }
func (b pb) max(f float64) pb              { b.p.Max, b.p.HasMax = f, true; return b }
func (b pb) maxOpen(f float64) pb          { b.p.Max, b.p.HasMax, b.p.MaxOpen = f, true, true; return b }
func (b pb) enum(vals ...string) pb        { b.p.Type, b.p.Enum = TEnum, vals; return b }
func (b pb) shape() pb                     { b.p.Shape = true; return b }
func (b pb) rank(n int) pb                 { b.p.Rank = n; return b }
func (b pb) alias(names ...string) pb      { b.p.Aliases = append(b.p.Aliases, names...); return b }
func (b pb) doc(s string) *ParamSpec       { b.p.Doc = s; return b.p }
func params(ps ...*ParamSpec) []*ParamSpec { return ps }

func tupleOf(n int, v int64) Value {
	if n <= 1 {
		return Value{Kind: KInt, Int: v}
	}
	t := Value{Kind: KTuple}
	for i := 0; i < n; i++ {
		t.Elems = append(t.Elems, Value{Kind: KInt, Int: v})
	}
	return t
}

// Parameter groups shared by several layers.

func activationParam(def string) *ParamSpec {
	return param("activation", TActivation).defStr(def).doc("activation applied to the output")
}

func biasParams() []*ParamSpec {
	return params(
		param("use_bias", TBool).defBool(true).shape().doc("add a learned bias"),
		param("kernel_initializer", TString).defStr("glorot_uniform").doc("initializer of the kernel weights"),
		param("bias_initializer", TString).defStr("zeros").doc("initializer of the bias"),
		param("kernel_regularizer", TRegularizer).doc("regularizer on the kernel, e.g. l2(0.01)"),
		param("bias_regularizer", TRegularizer).doc("regularizer on the bias"),
	)
}

func convLayer(name string, rank int, transposed bool) *LayerSpec {
	pad := []string{"valid", "same"}
	if rank == 1 && !transposed {
		pad = append(pad, "causal")
	}
	ps := params(
		param("filters", TInt).req().min(1).shape().doc("number of output channels"),
		param("kernel_size", TIntTuple).req().rank(rank).min(1).shape().doc("size of the convolution window"),
		param("strides", TIntTuple).def(tupleOf(rank, 1)).rank(rank).min(1).shape().alias("stride").doc("step of the window"),
		param("padding", TEnum).defStr("valid").enum(pad...).shape().doc("`valid` (no padding) or `same` (output = ceil(input / stride))"),
	)
	if transposed {
		ps = append(ps, param("output_padding", TIntTuple).rank(rank).min(0).shape().doc("extra size added to one side of the output"))
	}
	ps = append(ps,
		param("dilation_rate", TIntTuple).def(tupleOf(rank, 1)).rank(rank).min(1).shape().doc("spacing between kernel elements"))
	if !transposed {
		ps = append(ps, param("groups", TInt).defInt(1).min(1).shape().doc("number of channel groups; must divide input and output channels"))
	}
	ps = append(ps, activationParam("linear"))
	ps = append(ps, biasParams()...)
	doc := "Convolution over %d spatial dimension(s), channels last."
	if transposed {
		doc = "Transposed convolution (learned upsampling) over %d spatial dimension(s)."
	}
	return &LayerSpec{Name: name, Category: "Convolution", Doc: sprintf(doc, rank), Positional: []string{"filters", "kernel_size"},
		TakesActivation: true, Params: ps, Rank: rank}
}

func poolLayer(name string, rank int, kind string) *LayerSpec {
	return &LayerSpec{Name: name, Category: "Pooling", Rank: rank,
		Doc:        sprintf("%s pooling over %d spatial dimension(s).", kind, rank),
		Positional: []string{"pool_size", "strides", "padding"},
		Params: params(
			param("pool_size", TIntTuple).def(tupleOf(rank, 2)).rank(rank).min(1).shape().doc("size of the pooling window"),
			param("strides", TIntTuple).rank(rank).min(1).shape().alias("stride").doc("step of the window; defaults to pool_size"),
			param("padding", TEnum).defStr("valid").enum("valid", "same").shape().doc("`valid` or `same`"),
		)}
}

func globalPoolLayer(name string, rank int, kind string) *LayerSpec {
	return &LayerSpec{Name: name, Category: "Pooling", Rank: rank,
		Doc: sprintf("Global %s pooling over the %d spatial dimension(s): (…, C) → (C).", kind, rank),
		Params: params(
			param("keepdims", TBool).defBool(false).shape().doc("keep the spatial dimensions with size 1"),
		)}
}

func recurrentLayer(name, doc string) *LayerSpec {
	ps := params(
		param("units", TInt).req().min(1).shape().doc("dimension of the hidden state"),
		activationParam("tanh"),
		param("return_sequences", TBool).defBool(false).shape().doc("return the whole sequence (T, units) instead of the last step"),
		param("dropout", TFloat).defFloat(0).min(0).maxOpen(1).doc("dropout on the inputs"),
		param("recurrent_dropout", TFloat).defFloat(0).min(0).maxOpen(1).doc("dropout on the recurrent state"),
		param("go_backwards", TBool).defBool(false).doc("process the sequence in reverse"),
		param("use_bias", TBool).defBool(true).shape().doc("add learned biases"),
	)
	if name != "SimpleRNN" {
		ps = append(ps, param("recurrent_activation", TActivation).defStr("sigmoid").doc("activation of the gates"))
	}
	return &LayerSpec{Name: name, Category: "Recurrent", Doc: doc, Positional: []string{"units"}, TakesActivation: true, Params: ps}
}

func transformerLayer(name, doc string) *LayerSpec {
	return &LayerSpec{Name: name, Category: "Attention", Doc: doc, Positional: []string{"num_heads", "ff_dim"},
		Params: params(
			param("num_heads", TInt).req().min(1).shape().doc("attention heads; must divide the feature size"),
			param("ff_dim", TInt).req().min(1).shape().doc("hidden size of the feed-forward network"),
			param("dropout", TFloat).defFloat(0.1).min(0).maxOpen(1).doc("dropout rate"),
			param("activation", TActivation).defStr("relu").doc("activation of the feed-forward network"),
			param("norm_first", TBool).defBool(false).doc("pre-norm (LayerNorm before each sub-block) instead of post-norm"),
			param("num_layers", TInt).defInt(1).min(1).max(10000).shape().doc("number of stacked identical blocks"),
			param("epsilon", TFloat).defFloat(1e-5).minOpen(0).doc("LayerNormalization epsilon"),
			param("use_attention_mask", TBool).defBool(false).doc("mask padded positions (token id 0 from an Embedding with mask_zero)"),
		)}
}

func mergeLayer(name, doc string) *LayerSpec {
	return &LayerSpec{Name: name, Category: "Merge", Doc: doc, Merge: true}
}

func dims(name string, rank int) string { return sprintf("%s%dD", name, rank) }

// Layers is the layer schema table: the single source of truth for every
// built-in layer.
var Layers = buildLayers()

func buildLayers() []*LayerSpec {
	ls := []*LayerSpec{
		{Name: "Dense", Category: "Core", Doc: "Fully connected layer on the last axis (any rank, like Keras).",
			Positional: []string{"units"}, TakesActivation: true,
			Params: append(params(param("units", TInt).req().min(1).shape().doc("output size of the last axis"), activationParam("linear")), biasParams()...)},
		{Name: "Output", Category: "Core", Doc: "Dense layer that marks the model output; default activation softmax.",
			Positional: []string{"units"}, TakesActivation: true,
			Params: append(params(param("units", TInt).req().min(1).shape().doc("number of outputs (classes)"), activationParam("softmax")), biasParams()...)},
		{Name: "Activation", Category: "Core", Doc: "Applies an activation function.", Positional: []string{"activation"},
			Params: params(param("activation", TActivation).req().doc("the activation"),
				param("alpha", TFloat).doc("negative slope (leaky_relu) or scale (elu)"))},
		{Name: "Dropout", Category: "Regularization", Doc: "Randomly zeroes inputs during training.", Positional: []string{"rate"},
			Params: params(param("rate", TFloat).req().min(0).maxOpen(1).doc("fraction of inputs to drop"),
				param("seed", TInt).doc("random seed"))},
		{Name: "GaussianNoise", Category: "Regularization", Doc: "Adds zero-centred Gaussian noise during training.", Positional: []string{"stddev"},
			Params: params(param("stddev", TFloat).req().min(0).doc("standard deviation of the noise"))},
		{Name: "GaussianDropout", Category: "Regularization", Doc: "Multiplies inputs by Gaussian noise of mean 1 during training.", Positional: []string{"rate"},
			Params: params(param("rate", TFloat).req().min(0).maxOpen(1).doc("drop probability"))},
		{Name: "AlphaDropout", Category: "Regularization", Doc: "Dropout that keeps the self-normalising property (for selu).", Positional: []string{"rate"},
			Params: params(param("rate", TFloat).req().min(0).maxOpen(1).doc("drop probability"))},
		{Name: "Flatten", Category: "Reshaping", Doc: "Flattens all non-batch dimensions into one."},
		{Name: "Reshape", Category: "Reshaping", Doc: "Reshapes to target_shape; one dimension may be -1.", Positional: []string{"target_shape"},
			Params: params(param("target_shape", TShape).req().shape().doc("the new shape without the batch dimension"))},
		{Name: "Permute", Category: "Reshaping", Doc: "Permutes dimensions (1-based, like Keras).", Positional: []string{"dims"},
			Params: params(param("dims", TIntTuple).req().min(1).shape().doc("permutation of 1…rank"))},
		{Name: "RepeatVector", Category: "Reshaping", Doc: "Repeats a vector n times: (F) → (n, F).", Positional: []string{"n"},
			Params: params(param("n", TInt).req().min(1).shape().doc("number of repetitions"))},
		{Name: "DepthwiseConv2D", Category: "Convolution", Doc: "Depthwise 2D convolution: one filter per input channel (times depth_multiplier).",
			Positional: []string{"kernel_size"}, TakesActivation: true, Rank: 2,
			Params: append(params(
				param("kernel_size", TIntTuple).req().rank(2).min(1).shape().doc("size of the window"),
				param("depth_multiplier", TInt).defInt(1).min(1).shape().doc("output channels per input channel"),
				param("strides", TIntTuple).def(tupleOf(2, 1)).rank(2).min(1).shape().alias("stride").doc("step of the window"),
				param("padding", TEnum).defStr("valid").enum("valid", "same").shape().doc("`valid` or `same`"),
				param("dilation_rate", TIntTuple).def(tupleOf(2, 1)).rank(2).min(1).shape().doc("spacing between kernel elements"),
				activationParam("linear")), biasParams()...)},
		{Name: "BatchNormalization", Category: "Normalization", Doc: "Batch normalization over the last axis: 2·C trainable and 2·C non-trainable (moving mean and variance).",
			Params: params(
				param("momentum", TFloat).defFloat(0.99).min(0).max(1).doc("moving-average momentum (Keras convention)"),
				param("epsilon", TFloat).defFloat(1e-3).minOpen(0).doc("added to the variance"),
				param("center", TBool).defBool(true).shape().doc("learn an offset (beta)"),
				param("scale", TBool).defBool(true).shape().doc("learn a scale (gamma)"),
				param("axis", TInt).defInt(-1).shape().doc("the feature axis"))},
		{Name: "LayerNormalization", Category: "Normalization", Doc: "Layer normalization over the last axis: 2·C trainable.",
			Params: params(
				param("epsilon", TFloat).defFloat(1e-3).minOpen(0).doc("added to the variance"),
				param("axis", TInt).defInt(-1).shape().doc("the normalized axis"),
				param("center", TBool).defBool(true).shape().doc("learn an offset"),
				param("scale", TBool).defBool(true).shape().doc("learn a scale"))},
		{Name: "GroupNormalization", Category: "Normalization", Doc: "Group normalization: channels split into groups.", Positional: []string{"groups"},
			Params: params(
				param("groups", TInt).defInt(32).min(1).shape().doc("number of groups; must divide the channels"),
				param("epsilon", TFloat).defFloat(1e-3).minOpen(0).doc("added to the variance"),
				param("center", TBool).defBool(true).shape().doc("learn an offset"),
				param("scale", TBool).defBool(true).shape().doc("learn a scale"))},
		{Name: "InstanceNormalization", Category: "Normalization", Doc: "Instance normalization with an affine transform (2·C trainable).",
			Params: params(
				param("epsilon", TFloat).defFloat(1e-3).minOpen(0).doc("added to the variance"),
				param("center", TBool).defBool(true).shape().doc("learn an offset"),
				param("scale", TBool).defBool(true).shape().doc("learn a scale"))},
		{Name: "Embedding", Category: "Embedding", Doc: "Maps integer token indices (T) to vectors (T, output_dim).", Positional: []string{"input_dim", "output_dim"},
			Params: params(
				param("input_dim", TInt).req().min(1).shape().doc("vocabulary size"),
				param("output_dim", TInt).req().min(1).shape().doc("embedding size"),
				param("mask_zero", TBool).defBool(false).doc("treat index 0 as padding"),
				param("embeddings_initializer", TString).defStr("uniform").doc("initializer of the table"))},
		{Name: "PositionalEncoding", Category: "Embedding", Doc: "Adds position information to (T, F); sinusoidal (no parameters) or learnable (max_len·F).",
			Positional: []string{"max_len"},
			Params: params(
				param("max_len", TInt).defInt(5000).min(1).shape().doc("longest supported sequence"),
				param("encoding_type", TEnum).defStr("sinusoidal").enum("sinusoidal", "learnable").shape().doc("`sinusoidal` or `learnable`"))},
		recurrentLayer("SimpleRNN", "Fully connected recurrent layer."),
		recurrentLayer("LSTM", "Long short-term memory layer (Keras parameter convention: one bias per gate)."),
		recurrentLayer("GRU", "Gated recurrent unit (Keras reset_after=true: two biases per gate)."),
		{Name: "Bidirectional", Category: "Wrapper", Doc: "Runs a recurrent layer forwards and backwards and merges the results.",
			Positional: []string{"layer"}, Block: true,
			Params: params(
				param("layer", TLayer).doc("the wrapped recurrent layer (or use a block)"),
				param("merge_mode", TEnum).defStr("concat").enum("concat", "sum", "mul", "ave").shape().doc("how the two directions combine"))},
		{Name: "TimeDistributed", Category: "Wrapper", Doc: "Applies a layer (or block) to every time step.", Positional: []string{"layer"}, Block: true,
			Params: params(param("layer", TLayer).doc("the wrapped layer (or use a block)"))},
		{Name: "MultiHeadAttention", Category: "Attention", Doc: "Multi-head attention; self-attention on (T, F) → (T, F), or cross-attention with inputs=[query, context].",
			Positional: []string{"num_heads", "key_dim"},
			Params: params(
				param("num_heads", TInt).req().min(1).shape().doc("number of heads"),
				param("key_dim", TInt).min(1).shape().doc("size of each head for query and key; default F / num_heads"),
				param("value_dim", TInt).min(1).shape().doc("size of each head for value; default key_dim"),
				param("dropout", TFloat).defFloat(0).min(0).maxOpen(1).doc("dropout on attention weights"),
				param("causal", TBool).defBool(false).doc("mask future positions"),
				param("use_bias", TBool).defBool(true).shape().doc("biases in the projections"),
				param("mode", TEnum).defStr("self").enum("self", "cross").doc("`self` or `cross` (cross needs a context: inputs=[query, context])"))},
		transformerLayer("TransformerEncoder", "Transformer encoder block(s): self-attention and feed-forward with residuals and two LayerNorms each (= PyTorch TransformerEncoderLayer)."),
		transformerLayer("TransformerDecoder", "Decoder-only transformer block(s) with causal self-attention; with inputs=[x, memory] adds cross-attention."),
		mergeLayer("Add", "Element-wise sum of its inputs."),
		mergeLayer("Subtract", "Element-wise difference of two inputs."),
		mergeLayer("Multiply", "Element-wise product of its inputs."),
		mergeLayer("Average", "Element-wise mean of its inputs."),
		mergeLayer("Maximum", "Element-wise maximum of its inputs."),
		mergeLayer("Minimum", "Element-wise minimum of its inputs."),
		{Name: "Concatenate", Category: "Merge", Doc: "Concatenates its inputs along an axis.", Merge: true,
			Params: params(param("axis", TInt).defInt(-1).shape().doc("the concatenation axis"))},
		{Name: "ResidualConnection", Category: "Container", Doc: "output = block(x) + x (or a `shortcut:` block instead of x).", Block: true,
			Params: params(param("merge", TEnum).defStr("add").enum("add", "concat").shape().doc("`add` or `concat`"))},
		{Name: "Sequential", Category: "Container", Doc: "Groups layers into one block; also the anchor for implicit merges.", Block: true},
		{Name: "Identity", Category: "Core", Doc: "Returns its input unchanged."},
	}
	for _, r := range []int{1, 2, 3} {
		ls = append(ls,
			&LayerSpec{Name: dims("SpatialDropout", r), Category: "Regularization", Rank: r,
				Doc: sprintf("Drops whole feature maps of a %dD input.", r), Positional: []string{"rate"},
				Params: params(param("rate", TFloat).req().min(0).maxOpen(1).doc("fraction of channels to drop"))},
			convLayer(dims("Conv", r), r, false),
			convLayer(sprintf("Conv%dDTranspose", r), r, true),
			poolLayer(dims("MaxPooling", r), r, "Max"),
			poolLayer(dims("AveragePooling", r), r, "Average"),
			globalPoolLayer(dims("GlobalMaxPooling", r), r, "max"),
			globalPoolLayer(dims("GlobalAveragePooling", r), r, "average"),
			&LayerSpec{Name: dims("UpSampling", r), Category: "Reshaping", Rank: r, Doc: sprintf("Repeats each of the %d spatial dimension(s) size times.", r),
				Positional: []string{"size"},
				Params: params(param("size", TIntTuple).def(tupleOf(r, 2)).rank(r).min(1).shape().doc("upsampling factor"),
					param("interpolation", TEnum).defStr("nearest").enum("nearest", "bilinear").doc("`nearest` or `bilinear`"))},
			&LayerSpec{Name: dims("ZeroPadding", r), Category: "Reshaping", Rank: r, Doc: sprintf("Pads the %d spatial dimension(s) with zeros.", r),
				Positional: []string{"padding"},
				Params:     params(param("padding", TPadding).def(tupleOf(1, 1)).rank(r).min(0).shape().doc("int, one int per dimension, or (before, after) pairs"))},
			&LayerSpec{Name: dims("Cropping", r), Category: "Reshaping", Rank: r, Doc: sprintf("Crops the %d spatial dimension(s).", r),
				Positional: []string{"cropping"},
				Params:     params(param("cropping", TPadding).def(tupleOf(1, croppingDefault(r))).rank(r).min(0).shape().doc("int, one int per dimension, or (before, after) pairs"))},
		)
		if r <= 2 {
			ls = append(ls, &LayerSpec{Name: sprintf("SeparableConv%dD", r), Category: "Convolution", Rank: r,
				Doc: "Depthwise convolution followed by a pointwise (1×1) convolution.", Positional: []string{"filters", "kernel_size"}, TakesActivation: true,
				Params: append(params(
					param("filters", TInt).req().min(1).shape().doc("number of output channels"),
					param("kernel_size", TIntTuple).req().rank(r).min(1).shape().doc("size of the depthwise window"),
					param("strides", TIntTuple).def(tupleOf(r, 1)).rank(r).min(1).shape().alias("stride").doc("step of the window"),
					param("padding", TEnum).defStr("valid").enum("valid", "same").shape().doc("`valid` or `same`"),
					param("depth_multiplier", TInt).defInt(1).min(1).shape().doc("depthwise channels per input channel"),
					param("dilation_rate", TIntTuple).def(tupleOf(r, 1)).rank(r).min(1).shape().doc("spacing between kernel elements"),
					activationParam("linear")), biasParams()...)})
		}
	}
	return ls
}

func croppingDefault(rank int) int64 {
	if rank == 2 {
		return 0
	}
	return 1
}

var layerIndex = func() map[string]*LayerSpec {
	m := make(map[string]*LayerSpec, len(Layers))
	for _, l := range Layers {
		m[strings.ToLower(l.Name)] = l
	}
	return m
}()

// LookupLayer finds a layer by name, ignoring case (`dense` → Dense).
func LookupLayer(name string) *LayerSpec { return layerIndex[strings.ToLower(name)] }

// LayerNames lists every built-in layer name.
func LayerNames() []string {
	out := make([]string, len(Layers))
	for i, l := range Layers {
		out[i] = l.Name
	}
	return out
}
