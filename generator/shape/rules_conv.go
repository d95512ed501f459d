package shape

import "github.com/rules-neural/rules_neural/generator/ir"

// axisNames names the spatial axes of rank-1, -2 and -3 feature maps.
var axisNames = [...][]string{nil, {"steps"}, {"height", "width"}, {"depth", "height", "width"}}

// window is a sliding window over r spatial axes: a convolution kernel or a
// pooling window.
type window struct {
	k, s, d [3]int64
	same    bool   // padding "same" (or "causal"): out = ceil(in / s)
	what    string // "kernel" or "pool size", for messages
	param   string // the parameter that sets k
}

// readPadding reads `padding`: "valid", "same" or, for 1D convolutions,
// "causal" (left padding; the output length equals "same").
func (c *ctx) readPadding(n *ir.Node, r int, causalOK bool) (bool, error) {
	p, err := c.strParam(n, "padding", "valid")
	if err != nil {
		return false, err
	}
	switch {
	case p == "valid":
		return false, nil
	case p == "same":
		return true, nil
	case p == "causal" && causalOK && r == 1:
		return true, nil
	}
	return false, fail("%s `padding` must be \"valid\" or \"same\", got %q", n.Type, p)
}

// readConvWindow reads kernel_size, strides, dilation_rate and padding.
func (c *ctx) readConvWindow(n *ir.Node, r int, causalOK bool, w *window) error {
	w.what, w.param = "kernel", "kernel_size"
	if _, err := c.tupleParam(n, "kernel_size", r, required, 1, &w.k); err != nil {
		return err
	}
	if _, err := c.tupleParam(n, "strides", r, 1, 1, &w.s); err != nil {
		return err
	}
	if _, err := c.tupleParam(n, "dilation_rate", r, 1, 1, &w.d); err != nil {
		return err
	}
	same, err := c.readPadding(n, r, causalOK)
	w.same = same
	return err
}

// windowShape fills out[:r] with the spatial output sizes:
// valid ⌊(in − d·(k−1) − 1)/s⌋ + 1, same ⌈in/s⌉.
func windowShape(n *ir.Node, x ir.Shape, r int, w *window, out ir.Shape) error {
	for i := 0; i < r; i++ {
		if x[i] == ir.Unknown {
			out[i] = ir.Unknown
			continue
		}
		in, s := int64(x[i]), w.s[i]
		if w.same {
			out[i] = int((in + s - 1) / s)
			continue
		}
		eff := satAdd(satMul(w.d[i], w.k[i]-1), 1)
		if eff > in {
			var f *failure
			if w.d[i] > 1 {
				f = fail("%s dilated %s %d (%s %d, dilation_rate %d) is larger than the input %d along the %s of %s",
					n.Type, w.what, eff, w.param, w.k[i], w.d[i], in, axisNames[r][i], fmtShape(x))
			} else {
				f = fail("%s %s %d is larger than the input %d along the %s of %s", n.Type, w.what, w.k[i], in, axisNames[r][i], fmtShape(x))
			}
			if cf, ok := channelsFirstLook(n, x, r); ok {
				return f.withHint("the input %s looks channels-first; shapes in .neural are channels-last (height, width, channels): write %s", fmtShape(x), fmtShape(cf))
			}
			return f.withHint("use padding=\"same\", a smaller `%s`, or less downsampling before this layer", w.param)
		}
		out[i] = int((in-eff)/s + 1)
	}
	return nil
}

// spatialVolume is the product of the first r entries.
func spatialVolume(k *[3]int64, r int) int64 {
	return prod(k[:r]...)
}

// inputChannels checks the rank of a conv input and returns its channels,
// which must be known because the kernel is sized by them.
func (c *ctx) inputChannels(n *ir.Node, x ir.Shape, r int) (int64, error) {
	if err := c.needRank(n, x, r+1, spatialLayouts[r]); err != nil {
		return 0, err
	}
	if x[r] == ir.Unknown {
		return 0, fail("%s needs a known number of input channels but receives %s", n.Type, fmtShape(x))
	}
	return int64(x[r]), nil
}

// convRule is Conv1D/2D/3D: channels → filters; params
// k·(Cin/groups)·filters + filters.
func convRule(r int) rule {
	return func(c *ctx, n *ir.Node, in []ir.Shape) (result, error) {
		x, err := single(n, in)
		if err != nil {
			return result{}, err
		}
		cin, err := c.inputChannels(n, x, r)
		if err != nil {
			return result{}, err
		}
		filters, err := c.posInt(n, "filters", required)
		if err != nil {
			return result{}, err
		}
		var w window
		if err := c.readConvWindow(n, r, true, &w); err != nil {
			return result{}, err
		}
		groups, err := c.posInt(n, "groups", 1)
		if err != nil {
			return result{}, err
		}
		if cin%groups != 0 || filters%groups != 0 {
			return result{}, fail("%s groups=%d must divide both the input channels (%d) and filters (%d)", n.Type, groups, cin, filters)
		}
		bias, err := c.boolParam(n, "use_bias", true)
		if err != nil {
			return result{}, err
		}
		out := c.alloc(r + 1)
		if err := windowShape(n, x, r, &w, out); err != nil {
			return result{}, err
		}
		out[r] = int(filters)
		perOut := satMul(spatialVolume(&w.k, r), cin/groups)
		return result{
			shape:     out,
			trainable: satAdd(satMul(perOut, filters), boolInt(bias)*filters),
			flops:     satAdd(prod(2, perOut, filters, positions(out)), c.activationFLOPs(n, out)),
		}, nil
	}
}

// convTransposeRule is Conv1D/2D/3DTranspose, with Keras' output length:
// without output_padding valid in·s + max(k−s, 0), same in·s; with p:
// (in−1)·s + k − 2·pad + p, pad 0 (valid) or ⌊k/2⌋ (same); k dilated.
func convTransposeRule(r int) rule {
	return func(c *ctx, n *ir.Node, in []ir.Shape) (result, error) {
		x, err := single(n, in)
		if err != nil {
			return result{}, err
		}
		cin, err := c.inputChannels(n, x, r)
		if err != nil {
			return result{}, err
		}
		filters, err := c.posInt(n, "filters", required)
		if err != nil {
			return result{}, err
		}
		var w window
		if err := c.readConvWindow(n, r, false, &w); err != nil {
			return result{}, err
		}
		var op [3]int64
		hasOP, err := c.tupleParam(n, "output_padding", r, 0, 0, &op)
		if err != nil {
			return result{}, err
		}
		bias, err := c.boolParam(n, "use_bias", true)
		if err != nil {
			return result{}, err
		}
		out := c.alloc(r + 1)
		for i := 0; i < r; i++ {
			s := w.s[i]
			if hasOP && op[i] >= s {
				return result{}, fail("%s `output_padding` %d must be smaller than `strides` %d", n.Type, op[i], s)
			}
			if x[i] == ir.Unknown {
				out[i] = ir.Unknown
				continue
			}
			d := int64(x[i])
			k := satAdd(satMul(w.d[i], w.k[i]-1), 1)
			var o int64
			switch {
			case !hasOP && w.same:
				o = satMul(d, s)
			case !hasOP:
				o = satAdd(satMul(d, s), max64(k-s, 0))
			default:
				pad := int64(0)
				if w.same {
					pad = k / 2
				}
				o = satAdd(satMul(d-1, s), k) - 2*pad + op[i]
			}
			out[i] = clampDim(o)
		}
		out[r] = int(filters)
		perIn := satMul(spatialVolume(&w.k, r), filters)
		return result{
			shape:     out,
			trainable: satAdd(satMul(perIn, cin), boolInt(bias)*filters),
			flops:     satAdd(prod(2, perIn, cin, positions(x)), c.activationFLOPs(n, out)),
		}, nil
	}
}

// ruleDepthwiseConv: one kernel per input channel and multiplier; params
// k·Cin·dm + Cin·dm.
func ruleDepthwiseConv(c *ctx, n *ir.Node, in []ir.Shape) (result, error) {
	const r = 2
	x, err := single(n, in)
	if err != nil {
		return result{}, err
	}
	cin, err := c.inputChannels(n, x, r)
	if err != nil {
		return result{}, err
	}
	dm, err := c.posInt(n, "depth_multiplier", 1)
	if err != nil {
		return result{}, err
	}
	var w window
	if err := c.readConvWindow(n, r, false, &w); err != nil {
		return result{}, err
	}
	bias, err := c.boolParam(n, "use_bias", true)
	if err != nil {
		return result{}, err
	}
	out := c.alloc(r + 1)
	if err := windowShape(n, x, r, &w, out); err != nil {
		return result{}, err
	}
	cout := satMul(cin, dm)
	out[r] = clampDim(cout)
	kv := spatialVolume(&w.k, r)
	return result{
		shape:     out,
		trainable: satAdd(satMul(kv, cout), boolInt(bias)*cout),
		flops:     satAdd(prod(2, kv, cout, positions(out)), c.activationFLOPs(n, out)),
	}, nil
}

// separableConvRule: a depthwise kernel (k·Cin·dm, no bias) then a
// pointwise one (Cin·dm·filters + filters), as Keras counts them.
func separableConvRule(r int) rule {
	return func(c *ctx, n *ir.Node, in []ir.Shape) (result, error) {
		x, err := single(n, in)
		if err != nil {
			return result{}, err
		}
		cin, err := c.inputChannels(n, x, r)
		if err != nil {
			return result{}, err
		}
		filters, err := c.posInt(n, "filters", required)
		if err != nil {
			return result{}, err
		}
		dm, err := c.posInt(n, "depth_multiplier", 1)
		if err != nil {
			return result{}, err
		}
		var w window
		if err := c.readConvWindow(n, r, false, &w); err != nil {
			return result{}, err
		}
		bias, err := c.boolParam(n, "use_bias", true)
		if err != nil {
			return result{}, err
		}
		out := c.alloc(r + 1)
		if err := windowShape(n, x, r, &w, out); err != nil {
			return result{}, err
		}
		out[r] = int(filters)
		mid := satMul(cin, dm)
		depthwise := satMul(spatialVolume(&w.k, r), mid)
		pointwise := satMul(mid, filters)
		pos := positions(out)
		return result{
			shape:     out,
			trainable: satAdd(satAdd(depthwise, pointwise), boolInt(bias)*filters),
			flops:     satAdd(satAdd(prod(2, depthwise, pos), prod(2, pointwise, pos)), c.activationFLOPs(n, out)),
		}, nil
	}
}

// channelsFirstLook reports whether x, read directly from a network input,
// looks like a PyTorch-style (C, spatial…) shape — a small first dimension
// and larger spatial ones — and returns the channels-last reading.
func channelsFirstLook(n *ir.Node, x ir.Shape, r int) (ir.Shape, bool) {
	if len(n.Inputs) == 0 || n.Inputs[0] == nil || n.Inputs[0].Type != "Input" || len(x) != r+1 {
		return nil, false
	}
	if x[0] < 1 || x[0] > 4 {
		return nil, false
	}
	for _, d := range x[1:] {
		if d <= 4 {
			return nil, false
		}
	}
	cl := make(ir.Shape, 0, len(x))
	cl = append(cl, x[1:]...)
	return append(cl, x[0]), true
}
