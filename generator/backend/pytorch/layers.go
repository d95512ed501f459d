package pytorch

import (
	"fmt"
	"strings"

	"github.com/rules-neural/rules_neural/generator/ir"
)

// lower maps one node to its torch module (registered as an attribute of
// the model) and returns the expression of its output. isOutput marks the
// network's output, whose softmax/sigmoid is left to predict() when the
// loss works on logits.
func (g *gen) lower(n *ir.Node, ins []tensor, isOutput bool) (tensor, bool) {
	g.checkPlacement(n)
	for _, w := range n.Inner {
		g.checkPlacement(w)
	}
	if len(ins) == 0 {
		g.errorf(n, "", "has no input")
		return tensor{}, false
	}
	x := ins[0]
	out := tensor{shape: n.Shape}
	spec := n.Spec
	typ := n.Type
	rank := 0
	if spec != nil {
		rank = spec.Rank
	}
	switch {
	case typ == "Dense" || typ == "Output":
		return g.dense(n, x, isOutput)
	case strings.HasPrefix(typ, "Conv") && strings.HasSuffix(typ, "DTranspose"):
		return g.convTranspose(n, x, rank, isOutput)
	case strings.HasPrefix(typ, "Conv"):
		return g.conv(n, x, rank, isOutput)
	case typ == "DepthwiseConv2D":
		return g.depthwise(n, x, isOutput)
	case strings.HasPrefix(typ, "SeparableConv"):
		return g.separable(n, x, rank, isOutput)
	case strings.HasPrefix(typ, "MaxPooling") || strings.HasPrefix(typ, "AveragePooling"):
		return g.pool(n, x, rank)
	case strings.HasPrefix(typ, "GlobalMaxPooling") || strings.HasPrefix(typ, "GlobalAveragePooling"):
		return g.globalPool(n, x, rank)
	case strings.HasPrefix(typ, "UpSampling"):
		return g.upSampling(n, x, rank)
	case strings.HasPrefix(typ, "ZeroPadding"):
		return g.zeroPadding(n, x, rank)
	case strings.HasPrefix(typ, "Cropping"):
		pairs := g.padPairs(n, "cropping", rank)
		items := make([]expr, len(pairs))
		for i, p := range pairs {
			items[i] = intTuple(p[:])
		}
		m := g.module(n, call("L.Cropping", tuple(items...)))
		out.e, out.lay = call(m, x.in(channelsFirst)), channelsFirst
		return out, true
	case strings.HasPrefix(typ, "SpatialDropout"):
		m := g.module(n, call(fmt.Sprintf("nn.Dropout%dd", rank), kw("p", pyFloat(g.floatParam(n, "rate", 0)))))
		out.e, out.lay, out.mask = call(m, x.in(channelsFirst)), channelsFirst, x.mask
		return out, true
	}
	switch typ {
	case "Activation":
		return g.activationLayer(n, x, isOutput)
	case "Dropout":
		rate := pyFloat(g.floatParam(n, "rate", 0))
		ctor := call("nn.Dropout", kw("p", rate))
		if seed, ok := asInt(g.value(n, "seed")); ok {
			ctor = call("L.Dropout", kw("p", rate), kw("seed", pyInt(seed)))
		}
		return g.same(n, x, ctor), true
	case "GaussianNoise":
		return g.same(n, x, call("L.GaussianNoise", kw("stddev", pyFloat(g.floatParam(n, "stddev", 0))))), true
	case "GaussianDropout":
		return g.same(n, x, call("L.GaussianDropout", kw("rate", pyFloat(g.floatParam(n, "rate", 0))))), true
	case "AlphaDropout":
		return g.same(n, x, call("nn.AlphaDropout", kw("p", pyFloat(g.floatParam(n, "rate", 0))))), true
	case "Identity":
		return g.same(n, x, call("nn.Identity")), true
	case "Flatten":
		m := g.module(n, call("nn.Flatten"))
		out.e = call(m, x.in(channelsLast))
		return out, true
	case "Reshape":
		v := g.value(n, "target_shape")
		var dims []int64
		if vs, ok := v.Ints(); ok {
			dims = vs
		}
		m := g.module(n, call("L.Reshape", intTuple(dims)))
		out.e = call(m, x.in(channelsLast))
		return out, true
	case "Permute":
		m := g.module(n, call("L.Permute", intTuple(g.tupleParam(n, "dims", x.rank(), 1))))
		out.e = call(m, x.in(channelsLast))
		return out, true
	case "RepeatVector":
		m := g.module(n, call("L.RepeatVector", pyInt(g.intParam(n, "n", 1))))
		out.e = call(m, x.e)
		return out, true
	case "BatchNormalization":
		return g.batchNorm(n, x)
	case "LayerNormalization":
		return g.layerNorm(n, x)
	case "GroupNormalization", "InstanceNormalization":
		return g.groupNorm(n, x)
	case "Embedding":
		return g.embedding(n, x)
	case "PositionalEncoding":
		ctor := call("L.PositionalEncoding", pyInt(g.intParam(n, "max_len", 5000)), pyInt(x.last()),
			kw("encoding_type", pyText(g.strParam(n, "encoding_type", "sinusoidal"))))
		m := g.module(n, ctor)
		out.e, out.mask = call(m, x.in(channelsLast)), x.mask
		return out, true
	case "SimpleRNN", "LSTM", "GRU":
		ctor, ok := g.recurrent(n, x)
		if !ok {
			return tensor{}, false
		}
		return g.sequenceLayer(n, x, ctor, g.boolParam(n, "return_sequences", false)), true
	case "Bidirectional":
		return g.bidirectional(n, x)
	case "TimeDistributed":
		return g.timeDistributed(n, x, isOutput)
	case "Sequential":
		return g.chain(n.Inner, x, isOutput)
	case "MultiHeadAttention":
		return g.attention(n, ins)
	case "TransformerEncoder", "TransformerDecoder":
		return g.transformer(n, ins)
	case "Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate":
		return g.merge(n, ins)
	}
	g.errorf(n, "", "the layer type %s has no PyTorch mapping", typ)
	return tensor{}, false
}

// same applies a layer that keeps shape, layout and mask (dropout, noise).
func (g *gen) same(n *ir.Node, x tensor, ctor expr) tensor {
	m := g.module(n, ctor)
	return tensor{e: call(m, x.e), shape: n.Shape, lay: x.lay, mask: x.mask}
}

// activation applies n's fused activation to e, unless n is the output and
// the loss works on logits.
func (g *gen) activation(n *ir.Node, e expr, t tensor, isOutput bool) expr {
	name := canonicalActivation(g.strParam(n, "activation", "linear"))
	if name == "" {
		g.errorf(n, "activation", "unknown activation %s", pyStr(g.strParam(n, "activation", "")))
		return e
	}
	if isOutput && g.logits {
		return e
	}
	return activationCall(name, e, t.softmaxDim())
}

// softmaxDim is the torch dimension of the last .neural axis, as a
// negative index where possible.
func (t tensor) softmaxDim() int {
	if t.lay == channelsFirst && t.rank() >= 2 {
		return 1
	}
	return -1
}

func (g *gen) activationLayer(n *ir.Node, x tensor, isOutput bool) (tensor, bool) {
	name := canonicalActivation(g.strParam(n, "activation", "linear"))
	if name == "" {
		g.errorf(n, "activation", "unknown activation %s", pyStr(g.strParam(n, "activation", "")))
		return tensor{}, false
	}
	var alpha *float64
	if v := g.value(n, "alpha"); v.IsNumber() {
		a := v.Number()
		alpha = &a
		if name != "leaky_relu" && name != "elu" {
			g.errorf(n, "alpha", "`alpha` applies to leaky_relu (negative slope) and elu (scale), not to %s", name)
			return tensor{}, false
		}
	}
	m := g.module(n, activationModule(name, alpha, x.softmaxDim()))
	out := tensor{e: call(m, x.e), shape: n.Shape, lay: x.lay, mask: x.mask}
	if isOutput && g.logits {
		out.e = x.e
	}
	return out, true
}

func (g *gen) dense(n *ir.Node, x tensor, isOutput bool) (tensor, bool) {
	fin := x.last()
	units := g.intParam(n, "units", 1)
	bias := g.boolParam(n, "use_bias", true)
	m := g.module(n, call("nn.Linear", pyInt(fin), pyInt(units), kw("bias", pyBool(bias))))
	g.weights(n, m+".weight", fin, units, bias, m+".bias")
	out := tensor{shape: n.Shape, lay: channelsLast, mask: x.mask}
	if x.rank() < 2 {
		out.mask = nil
	}
	out.e = g.activation(n, call(m, x.in(channelsLast)), out, isOutput)
	return out, true
}

// convPadding returns the padding argument of a torch convolution and
// whether rules_neural.layers' TF-style version is needed. "same" with
// stride 1 is torch's own symmetric padding when the total padding
// d·(k−1) is even on every axis; otherwise TensorFlow puts the extra pixel
// after, which the rules_neural layer does. (torch's padding="same" is
// not used: torch 1.13 cannot export it to ONNX.)
func convPadding(padding string, kernel, strides, dilation []int64) (expr, bool) {
	switch padding {
	case "same":
		pads := make([]int64, len(kernel))
		for i := range kernel {
			total := dilation[i] * (kernel[i] - 1)
			if strides[i] != 1 || total%2 != 0 {
				return pyText("same"), true
			}
			pads[i] = total / 2
		}
		return intTuple(pads), false
	case "causal":
		return pyText("causal"), true
	}
	return pyInt(0), false
}

func volume(xs []int64) int64 {
	p := int64(1)
	for _, x := range xs {
		p *= x
	}
	return p
}

func (g *gen) conv(n *ir.Node, x tensor, rank int, isOutput bool) (tensor, bool) {
	cin := x.last()
	filters := g.intParam(n, "filters", 1)
	k := g.tupleParam(n, "kernel_size", rank, 1)
	s := g.tupleParam(n, "strides", rank, 1)
	d := g.tupleParam(n, "dilation_rate", rank, 1)
	groups := g.intParam(n, "groups", 1)
	bias := g.boolParam(n, "use_bias", true)
	pad, custom := convPadding(g.strParam(n, "padding", "valid"), k, s, d)
	cls := fmt.Sprintf("nn.Conv%dd", rank)
	if custom {
		cls = fmt.Sprintf("L.Conv%dd", rank)
	}
	m := g.module(n, call(cls, pyInt(cin), pyInt(filters), kw("kernel_size", intTuple(k)),
		kw("stride", intTuple(s)), kw("padding", pad), kw("dilation", intTuple(d)),
		kw("groups", pyInt(groups)), kw("bias", pyBool(bias))))
	kv := volume(k)
	g.weights(n, m+".weight", kv*cin/groups, kv*filters, bias, m+".bias")
	return g.applyChannelsFirst(n, m, x, isOutput), true
}

func (g *gen) convTranspose(n *ir.Node, x tensor, rank int, isOutput bool) (tensor, bool) {
	cin := x.last()
	filters := g.intParam(n, "filters", 1)
	k := g.tupleParam(n, "kernel_size", rank, 1)
	s := g.tupleParam(n, "strides", rank, 1)
	d := g.tupleParam(n, "dilation_rate", rank, 1)
	bias := g.boolParam(n, "use_bias", true)
	padding := g.strParam(n, "padding", "valid")
	hasOP := g.has(n, "output_padding")
	op := g.tupleParam(n, "output_padding", rank, 0)
	// torch's ConvTranspose computes Keras' size itself for "valid" when
	// the (dilated) kernel is at least the stride or output_padding is set.
	exact := padding == "valid"
	if !hasOP {
		for i := range k {
			if d[i]*(k[i]-1)+1 < s[i] {
				exact = false
			}
		}
	}
	var ctor expr
	if exact {
		ctor = call(fmt.Sprintf("nn.ConvTranspose%dd", rank), pyInt(cin), pyInt(filters),
			kw("kernel_size", intTuple(k)), kw("stride", intTuple(s)), kw("padding", pyInt(0)),
			kw("output_padding", intTuple(op)), kw("groups", pyInt(1)), kw("bias", pyBool(bias)),
			kw("dilation", intTuple(d)))
	} else {
		var opArg expr = pyNone
		if hasOP {
			opArg = intTuple(op)
		}
		ctor = call(fmt.Sprintf("L.ConvTranspose%dd", rank), pyInt(cin), pyInt(filters),
			kw("kernel_size", intTuple(k)), kw("stride", intTuple(s)), kw("padding", pyText(padding)),
			kw("output_padding", opArg), kw("bias", pyBool(bias)), kw("dilation", intTuple(d)))
	}
	m := g.module(n, ctor)
	kv := volume(k)
	g.weights(n, m+".weight", kv*filters, kv*cin, bias, m+".bias")
	return g.applyChannelsFirst(n, m, x, isOutput), true
}

func (g *gen) depthwise(n *ir.Node, x tensor, isOutput bool) (tensor, bool) {
	cin := x.last()
	dm := g.intParam(n, "depth_multiplier", 1)
	k := g.tupleParam(n, "kernel_size", 2, 1)
	s := g.tupleParam(n, "strides", 2, 1)
	d := g.tupleParam(n, "dilation_rate", 2, 1)
	bias := g.boolParam(n, "use_bias", true)
	pad, custom := convPadding(g.strParam(n, "padding", "valid"), k, s, d)
	cls := "nn.Conv2d"
	if custom {
		cls = "L.Conv2d"
	}
	m := g.module(n, call(cls, pyInt(cin), pyInt(cin*dm), kw("kernel_size", intTuple(k)),
		kw("stride", intTuple(s)), kw("padding", pad), kw("dilation", intTuple(d)),
		kw("groups", pyInt(cin)), kw("bias", pyBool(bias))))
	kv := volume(k)
	// Keras' depthwise kernel is (kh, kw, C, multiplier): its fans differ
	// from the ones torch would derive from the grouped weight.
	g.weights(n, m+".weight", kv*cin, kv*dm, bias, m+".bias")
	return g.applyChannelsFirst(n, m, x, isOutput), true
}

func (g *gen) separable(n *ir.Node, x tensor, rank int, isOutput bool) (tensor, bool) {
	cin := x.last()
	filters := g.intParam(n, "filters", 1)
	dm := g.intParam(n, "depth_multiplier", 1)
	k := g.tupleParam(n, "kernel_size", rank, 1)
	s := g.tupleParam(n, "strides", rank, 1)
	d := g.tupleParam(n, "dilation_rate", rank, 1)
	bias := g.boolParam(n, "use_bias", true)
	padding := g.strParam(n, "padding", "valid")
	m := g.module(n, call(fmt.Sprintf("L.SeparableConv%dd", rank), pyInt(cin), pyInt(filters),
		kw("kernel_size", intTuple(k)), kw("stride", intTuple(s)), kw("padding", pyText(padding)),
		kw("dilation", intTuple(d)), kw("depth_multiplier", pyInt(dm)), kw("bias", pyBool(bias))))
	kv := volume(k)
	g.weights(n, m+".depthwise.weight", kv*cin, kv*dm, false, "")
	g.weights(n, m+".pointwise.weight", cin*dm, filters, bias, m+".pointwise.bias")
	return g.applyChannelsFirst(n, m, x, isOutput), true
}

func (g *gen) pool(n *ir.Node, x tensor, rank int) (tensor, bool) {
	k := g.tupleParam(n, "pool_size", rank, 2)
	s := k
	if g.has(n, "strides") {
		s = g.tupleParam(n, "strides", rank, 1)
	}
	kind := "Max"
	if strings.HasPrefix(n.Type, "Average") {
		kind = "Avg"
	}
	var ctor expr
	if g.strParam(n, "padding", "valid") == "same" {
		ctor = call(fmt.Sprintf("L.%sPool%dd", kind, rank), kw("kernel_size", intTuple(k)),
			kw("stride", intTuple(s)), kw("padding", pyText("same")))
	} else {
		ctor = call(fmt.Sprintf("nn.%sPool%dd", kind, rank), kw("kernel_size", intTuple(k)),
			kw("stride", intTuple(s)))
	}
	m := g.module(n, ctor)
	return tensor{e: call(m, x.in(channelsFirst)), shape: n.Shape, lay: channelsFirst}, true
}

func (g *gen) globalPool(n *ir.Node, x tensor, rank int) (tensor, bool) {
	keep := g.boolParam(n, "keepdims", false)
	cls := "L.GlobalMaxPool"
	avg := strings.HasPrefix(n.Type, "GlobalAverage")
	if avg {
		cls = "L.GlobalAvgPool"
	}
	m := g.module(n, call(cls, pyInt(int64(rank)), kw("keepdims", pyBool(keep))))
	args := []expr{x.in(channelsFirst)}
	if avg && x.mask != nil && rank == 1 {
		args = append(args, x.mask.use())
	}
	out := tensor{e: call(m, args...), shape: n.Shape, lay: channelsFirst}
	if !keep {
		out.lay = channelsLast
	}
	return out, true
}

func (g *gen) upSampling(n *ir.Node, x tensor, rank int) (tensor, bool) {
	size := g.tupleParam(n, "size", rank, 2)
	factors := make([]expr, rank)
	for i, f := range size {
		factors[i] = pyFloat(float64(f))
	}
	mode := "nearest"
	args := []expr{kw("scale_factor", tuple(factors...))}
	if g.strParam(n, "interpolation", "nearest") == "bilinear" {
		mode = []string{"", "linear", "bilinear", "trilinear"}[rank]
		args = append(args, kw("mode", pyText(mode)), kw("align_corners", pyBool(false)))
	} else {
		args = append(args, kw("mode", pyText(mode)))
	}
	m := g.module(n, call("nn.Upsample", args...))
	return tensor{e: call(m, x.in(channelsFirst)), shape: n.Shape, lay: channelsFirst}, true
}

func (g *gen) zeroPadding(n *ir.Node, x tensor, rank int) (tensor, bool) {
	pairs := g.padPairs(n, "padding", rank)
	// torch pads from the last axis backwards: (w_before, w_after, h_before, …).
	var flat []int64
	for i := rank - 1; i >= 0; i-- {
		flat = append(flat, pairs[i][0], pairs[i][1])
	}
	var ctor expr
	if rank == 2 {
		ctor = call("nn.ZeroPad2d", intTuple(flat))
	} else {
		ctor = call(fmt.Sprintf("nn.ConstantPad%dd", rank), intTuple(flat), pyFloat(0))
	}
	m := g.module(n, ctor)
	return tensor{e: call(m, x.in(channelsFirst)), shape: n.Shape, lay: channelsFirst}, true
}

// normAxis resolves the axis parameter of a normalization: whether it is
// the channels axis, and the .neural index.
func (g *gen) normAxis(n *ir.Node, x tensor) (int, bool) {
	i := featureAxis(g.intParam(n, "axis", -1), x.rank())
	return i, i == x.rank()-1
}

func (g *gen) batchNorm(n *ir.Node, x tensor) (tensor, bool) {
	i, channels := g.normAxis(n, x)
	c := int64(x.shape[i])
	eps := pyFloat(g.floatParam(n, "epsilon", 1e-3))
	momentum := pyRounded(1 - g.floatParam(n, "momentum", 0.99))
	center, scale := g.boolParam(n, "center", true), g.boolParam(n, "scale", true)
	out := tensor{shape: n.Shape, mask: x.mask}
	var ctor expr
	var in expr
	switch {
	case channels && center && scale && x.rank() <= 4:
		dims := x.rank() - 1
		if dims < 1 {
			dims = 1
		}
		ctor = call(fmt.Sprintf("nn.BatchNorm%dd", dims), pyInt(c), kw("eps", eps), kw("momentum", momentum))
		in, out.lay = x.in(channelsFirst), channelsFirst
	case channels:
		ctor = call("L.BatchNormalization", pyInt(c), kw("axis", pyInt(1)), kw("eps", eps),
			kw("momentum", momentum), kw("center", pyBool(center)), kw("scale", pyBool(scale)))
		in, out.lay = x.in(channelsFirst), channelsFirst
	default:
		ctor = call("L.BatchNormalization", pyInt(c), kw("axis", pyInt(int64(i+1))), kw("eps", eps),
			kw("momentum", momentum), kw("center", pyBool(center)), kw("scale", pyBool(scale)))
		in, out.lay = x.in(channelsLast), channelsLast
	}
	m := g.module(n, ctor)
	out.e = call(m, in)
	return out, true
}

func (g *gen) layerNorm(n *ir.Node, x tensor) (tensor, bool) {
	i, channels := g.normAxis(n, x)
	c := int64(x.shape[i])
	eps := pyFloat(g.floatParam(n, "epsilon", 1e-3))
	center, scale := g.boolParam(n, "center", true), g.boolParam(n, "scale", true)
	var ctor expr
	switch {
	case channels && center && scale:
		ctor = call("nn.LayerNorm", pyInt(c), kw("eps", eps))
	default:
		axis := int64(-1)
		if !channels {
			axis = int64(i + 1)
		}
		ctor = call("L.LayerNormalization", pyInt(c), kw("axis", pyInt(axis)), kw("eps", eps),
			kw("center", pyBool(center)), kw("scale", pyBool(scale)))
	}
	m := g.module(n, ctor)
	return tensor{e: call(m, x.in(channelsLast)), shape: n.Shape, lay: channelsLast, mask: x.mask}, true
}

// groupNorm covers GroupNormalization and InstanceNormalization (one group
// per channel), both over the channels axis.
func (g *gen) groupNorm(n *ir.Node, x tensor) (tensor, bool) {
	c := x.last()
	groups := c
	if n.Type == "GroupNormalization" {
		groups = g.intParam(n, "groups", 32)
	}
	eps := pyFloat(g.floatParam(n, "epsilon", 1e-3))
	center, scale := g.boolParam(n, "center", true), g.boolParam(n, "scale", true)
	var ctor expr
	switch {
	case center && scale && n.Type == "InstanceNormalization" && x.rank() >= 2 && x.rank() <= 4:
		ctor = call(fmt.Sprintf("nn.InstanceNorm%dd", x.rank()-1), pyInt(c), kw("eps", eps), kw("affine", pyBool(true)))
	case center && scale:
		ctor = call("nn.GroupNorm", pyInt(groups), pyInt(c), kw("eps", eps))
	default:
		ctor = call("L.GroupNormalization", pyInt(groups), pyInt(c), kw("eps", eps),
			kw("center", pyBool(center)), kw("scale", pyBool(scale)))
	}
	m := g.module(n, ctor)
	return tensor{e: call(m, x.in(channelsFirst)), shape: n.Shape, lay: channelsFirst}, true
}

func (g *gen) embedding(n *ir.Node, x tensor) (tensor, bool) {
	inDim, outDim := g.intParam(n, "input_dim", 1), g.intParam(n, "output_dim", 1)
	m := g.module(n, call("nn.Embedding", pyInt(inDim), pyInt(outDim)))
	g.initialize(n, "embeddings_initializer", "uniform", m+".weight", inDim, outDim)
	out := tensor{e: call(m, x.e), shape: n.Shape, lay: channelsLast}
	if g.boolParam(n, "mask_zero", false) {
		out.mask = g.emitMask(call("L.padding_mask", x.e))
	}
	return out, true
}

// recurrent builds the constructor of a SimpleRNN, LSTM or GRU reading x.
func (g *gen) recurrent(n *ir.Node, x tensor) (expr, bool) {
	act := canonicalActivation(g.strParam(n, "activation", "tanh"))
	if act == "" {
		g.errorf(n, "activation", "unknown activation %s", pyStr(g.strParam(n, "activation", "")))
		return nil, false
	}
	args := []expr{pyInt(x.last()), pyInt(g.intParam(n, "units", 1)), kw("activation", pyText(act))}
	if n.Type != "SimpleRNN" {
		rec := canonicalActivation(g.strParam(n, "recurrent_activation", "sigmoid"))
		if rec == "" {
			g.errorf(n, "recurrent_activation", "unknown activation %s", pyStr(g.strParam(n, "recurrent_activation", "")))
			return nil, false
		}
		args = append(args, kw("recurrent_activation", pyText(rec)))
	}
	args = append(args,
		kw("return_sequences", pyBool(g.boolParam(n, "return_sequences", false))),
		kw("dropout", pyFloat(g.floatParam(n, "dropout", 0))),
		kw("recurrent_dropout", pyFloat(g.floatParam(n, "recurrent_dropout", 0))),
		kw("go_backwards", pyBool(g.boolParam(n, "go_backwards", false))),
		kw("use_bias", pyBool(g.boolParam(n, "use_bias", true))))
	return call("L."+n.Type, args...), true
}

// sequenceLayer calls a layer that reads (N, T, F) and a mask.
func (g *gen) sequenceLayer(n *ir.Node, x tensor, ctor expr, sequences bool) tensor {
	m := g.module(n, ctor)
	args := []expr{x.in(channelsLast)}
	if x.mask != nil {
		args = append(args, x.mask.use())
	}
	out := tensor{e: call(m, args...), shape: n.Shape, lay: channelsLast}
	if sequences {
		out.mask = x.mask
	}
	return out
}

func (g *gen) bidirectional(n *ir.Node, x tensor) (tensor, bool) {
	if len(n.Inner) != 1 {
		g.errorf(n, "", "wraps %d layers; Bidirectional wraps one recurrent layer", len(n.Inner))
		return tensor{}, false
	}
	w := n.Inner[0]
	inner, ok := g.recurrent(w, x)
	if !ok {
		return tensor{}, false
	}
	ctor := call("L.Bidirectional", inner, kw("merge_mode", pyText(g.strParam(n, "merge_mode", "concat"))))
	return g.sequenceLayer(n, x, ctor, g.boolParam(w, "return_sequences", false)), true
}

// timeDistributed folds time into the batch, runs the wrapped layers on
// every step and unfolds: (N, T, *step) → (N·T, *step) → (N, T, *out).
func (g *gen) timeDistributed(n *ir.Node, x tensor, isOutput bool) (tensor, bool) {
	if len(n.Inner) == 0 {
		g.errorf(n, "", "has no layer to apply")
		return tensor{}, false
	}
	steps := g.locals.claim("steps")
	g.emit("x, "+steps+" = ", call("L.merge_time", x.in(channelsLast)))
	step := tensor{e: atom("x"), shape: x.shape[1:], lay: channelsLast}
	res, ok := g.chain(n.Inner, step, isOutput)
	if !ok {
		return tensor{}, false
	}
	return tensor{e: call("L.split_time", res.in(channelsLast), atom(steps)), shape: n.Shape,
		lay: channelsLast, mask: x.mask}, true
}

func (g *gen) attention(n *ir.Node, ins []tensor) (tensor, bool) {
	q := ins[0]
	heads := g.intParam(n, "num_heads", 1)
	keyDim, hasKey := asInt(g.value(n, "key_dim"))
	if !hasKey {
		keyDim = q.last() / heads
	}
	args := []expr{pyInt(q.last()), pyInt(heads), pyInt(keyDim)}
	if v, ok := asInt(g.value(n, "value_dim")); ok {
		args = append(args, kw("value_dim", pyInt(v)))
	}
	args = append(args,
		kw("dropout", pyFloat(g.floatParam(n, "dropout", 0))),
		kw("causal", pyBool(g.boolParam(n, "causal", false))),
		kw("use_bias", pyBool(g.boolParam(n, "use_bias", true))))
	if len(ins) >= 2 {
		args = append(args, kw("value_features", pyInt(ins[1].last())))
	}
	if len(ins) == 3 {
		args = append(args, kw("key_features", pyInt(ins[2].last())))
	}
	m := g.module(n, call("L.MultiHeadAttention", args...))
	callArgs := make([]expr, 0, 5)
	for _, t := range ins {
		callArgs = append(callArgs, t.in(channelsLast))
	}
	if q.mask != nil {
		callArgs = append(callArgs, kw("query_mask", q.mask.use()))
	}
	if len(ins) >= 2 && ins[1].mask != nil {
		callArgs = append(callArgs, kw("value_mask", ins[1].mask.use()))
	}
	return tensor{e: call(m, callArgs...), shape: n.Shape, lay: channelsLast, mask: q.mask}, true
}

func (g *gen) transformer(n *ir.Node, ins []tensor) (tensor, bool) {
	x := ins[0]
	act := canonicalActivation(g.strParam(n, "activation", "relu"))
	if act == "" {
		g.errorf(n, "activation", "unknown activation %s", pyStr(g.strParam(n, "activation", "")))
		return tensor{}, false
	}
	args := []expr{pyInt(x.last()), pyInt(g.intParam(n, "num_heads", 1)), pyInt(g.intParam(n, "ff_dim", 1)),
		kw("dropout", pyFloat(g.floatParam(n, "dropout", 0.1))),
		kw("activation", pyText(act)),
		kw("norm_first", pyBool(g.boolParam(n, "norm_first", false))),
		kw("num_layers", pyInt(g.intParam(n, "num_layers", 1))),
		kw("epsilon", pyFloat(g.floatParam(n, "epsilon", 1e-5))),
		kw("use_attention_mask", pyBool(g.boolParam(n, "use_attention_mask", false)))}
	cls := "L.TransformerEncoder"
	callArgs := []expr{x.in(channelsLast)}
	switch {
	case n.Type == "TransformerDecoder" && len(ins) == 2:
		cls = "L.TransformerDecoder"
		callArgs = append(callArgs, ins[1].in(channelsLast))
		if x.mask != nil {
			callArgs = append(callArgs, kw("mask", x.mask.use()))
		}
		if ins[1].mask != nil {
			callArgs = append(callArgs, kw("memory_mask", ins[1].mask.use()))
		}
	case n.Type == "TransformerDecoder":
		args = append(args, kw("causal", pyBool(true)))
		fallthrough
	default:
		if x.mask != nil {
			callArgs = append(callArgs, x.mask.use())
		}
	}
	m := g.module(n, call(cls, args...))
	return tensor{e: call(m, callArgs...), shape: n.Shape, lay: channelsLast, mask: x.mask}, true
}

// merge combines its inputs in the layout of the first one; masks of a
// merge over the features are combined as Keras does (valid in all).
func (g *gen) merge(n *ir.Node, ins []tensor) (tensor, bool) {
	lay := ins[0].lay
	out := tensor{shape: n.Shape, lay: lay}
	var ctor expr
	keepMask := true
	if n.Type == "Concatenate" {
		i := featureAxis(g.intParam(n, "axis", -1), ins[0].rank())
		ctor = call("L.Concatenate", kw("dim", pyInt(int64(ins[0].torchDim(i)))))
		keepMask = i == ins[0].rank()-1
	} else {
		ctor = call("L." + n.Type)
	}
	m := g.module(n, ctor)
	args := make([]expr, len(ins))
	var masks []*maskVal
	for i, t := range ins {
		args[i] = t.in(lay)
		if t.mask != nil {
			masks = append(masks, t.mask)
		}
	}
	out.e = call(m, args...)
	switch {
	case !keepMask || len(masks) == 0:
	case len(masks) == 1:
		out.mask = masks[0]
	default:
		names := make([]expr, len(masks))
		for i, m := range masks {
			names[i] = atom(m.name)
		}
		out.mask = g.emitMask(call("L.merge_masks", names...), masks...)
	}
	return out, true
}

// weights initialises and regularises a layer's kernel (the torch
// parameter kernel, with Keras' fans fanIn and fanOut) and, when hasBias,
// its bias, as the layer's *_initializer and *_regularizer arguments say.
func (g *gen) weights(n *ir.Node, kernel string, fanIn, fanOut int64, hasBias bool, bias string) {
	g.initialize(n, "kernel_initializer", "glorot_uniform", kernel, fanIn, fanOut)
	g.regularize(n, "kernel_regularizer", kernel)
	if hasBias {
		g.initialize(n, "bias_initializer", "zeros", bias, -1, -1)
		g.regularize(n, "bias_regularizer", bias)
	}
}

// applyChannelsFirst applies the torch module m, which takes channels-first
// input, to x, then the layer's activation.
func (g *gen) applyChannelsFirst(n *ir.Node, m string, x tensor, isOutput bool) tensor {
	out := tensor{shape: n.Shape, lay: channelsFirst}
	out.e = g.activation(n, call(m, x.in(channelsFirst)), out, isOutput)
	return out
}
