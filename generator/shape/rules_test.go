package shape

import (
	"testing"

	"github.com/rules-neural/rules_neural/generator/ir"
)

// Expected parameter counts are Keras' model.summary() numbers.

func TestEveryLayerHasARule(t *testing.T) {
	for _, l := range ir.Layers {
		if table[l.Name] == nil {
			t.Errorf("no shape rule for %s", l.Name)
		}
	}
}

func TestCoreLayers(t *testing.T) {
	runLayerCases(t, []layerCase{
		{"dense", sh(784), mk(t, "Dense", P{"units": 10}), sh(10), 7850, 0},
		{"dense last axis", sh(10, 32), mk(t, "Dense", P{"units": 64}), sh(10, 64), 2112, 0},
		{"dense rank 3", sh(4, 4, 8), mk(t, "Dense", P{"units": 2}), sh(4, 4, 2), 18, 0},
		{"dense no bias", sh(4), mk(t, "Dense", P{"units": 5, "use_bias": false}), sh(5), 20, 0},
		{"dense unknown time", sh(none, 16), mk(t, "Dense", P{"units": 4}), sh(none, 4), 68, 0},
		{"output", sh(128), mk(t, "Output", P{"units": 10}), sh(10), 1290, 0},
		{"activation", sh(5, 5), mk(t, "Activation", P{"activation": "relu"}), sh(5, 5), 0, 0},
		{"dropout", sh(none, 7), mk(t, "Dropout", P{"rate": 0.5}), sh(none, 7), 0, 0},
		{"gaussian noise", sh(3), mk(t, "GaussianNoise", P{"stddev": 0.1}), sh(3), 0, 0},
		{"spatial dropout", sh(8, 8, 3), mk(t, "SpatialDropout2D", P{"rate": 0.2}), sh(8, 8, 3), 0, 0},
		{"identity", sh(2, 3), mk(t, "Identity", nil), sh(2, 3), 0, 0},
	})
}

func TestConvLayers(t *testing.T) {
	runLayerCases(t, []layerCase{
		{"conv2d", sh(28, 28, 1), mk(t, "Conv2D", P{"filters": 32, "kernel_size": 3}), sh(26, 26, 32), 320, 0},
		{"conv2d same stride", sh(32, 32, 3), mk(t, "Conv2D", P{"filters": 64, "kernel_size": 3, "strides": 2, "padding": "same"}), sh(16, 16, 64), 1792, 0},
		{"conv2d same odd", sh(7, 7, 3), mk(t, "Conv2D", P{"filters": 4, "kernel_size": 3, "strides": 2, "padding": "same"}), sh(4, 4, 4), 112, 0},
		{"conv2d valid stride", sh(224, 224, 3), mk(t, "Conv2D", P{"filters": 64, "kernel_size": 7, "strides": 2}), sh(109, 109, 64), 9472, 0},
		{"conv2d tuple kernel", sh(10, 20, 2), mk(t, "Conv2D", P{"filters": 4, "kernel_size": []int{3, 5}}), sh(8, 16, 4), 124, 0},
		{"conv2d dilation", sh(32, 32, 16), mk(t, "Conv2D", P{"filters": 64, "kernel_size": 3, "dilation_rate": 2}), sh(28, 28, 64), 9280, 0},
		{"conv2d groups", sh(32, 32, 16), mk(t, "Conv2D", P{"filters": 64, "kernel_size": 3, "groups": 4}), sh(30, 30, 64), 2368, 0},
		{"conv2d no bias", sh(28, 28, 1), mk(t, "Conv2D", P{"filters": 32, "kernel_size": 3, "use_bias": false}), sh(26, 26, 32), 288, 0},
		{"conv2d unknown size", sh(none, none, 3), mk(t, "Conv2D", P{"filters": 8, "kernel_size": 3}), sh(none, none, 8), 224, 0},
		{"conv1d", sh(100, 8), mk(t, "Conv1D", P{"filters": 16, "kernel_size": 5}), sh(96, 16), 656, 0},
		{"conv1d 1-tuple", sh(100, 8), mk(t, "Conv1D", P{"filters": 16, "kernel_size": []int{5}}), sh(96, 16), 656, 0},
		{"conv1d causal", sh(100, 8), mk(t, "Conv1D", P{"filters": 16, "kernel_size": 3, "padding": "causal", "dilation_rate": 4}), sh(100, 16), 400, 0},
		{"conv1d unknown length", sh(none, 8), mk(t, "Conv1D", P{"filters": 16, "kernel_size": 5}), sh(none, 16), 656, 0},
		{"conv3d", sh(16, 16, 16, 1), mk(t, "Conv3D", P{"filters": 8, "kernel_size": 3}), sh(14, 14, 14, 8), 224, 0},
		{"conv2d transpose valid", sh(7, 7, 64), mk(t, "Conv2DTranspose", P{"filters": 32, "kernel_size": 3, "strides": 2}), sh(15, 15, 32), 18464, 0},
		{"conv2d transpose same", sh(7, 7, 64), mk(t, "Conv2DTranspose", P{"filters": 32, "kernel_size": 3, "strides": 2, "padding": "same"}), sh(14, 14, 32), 18464, 0},
		{"conv2d transpose small kernel", sh(7, 7, 64), mk(t, "Conv2DTranspose", P{"filters": 1, "kernel_size": 1, "strides": 2}), sh(14, 14, 1), 65, 0},
		{"conv2d transpose output_padding same", sh(7, 7, 64), mk(t, "Conv2DTranspose", P{"filters": 32, "kernel_size": 3, "strides": 2, "padding": "same", "output_padding": 1}), sh(14, 14, 32), 18464, 0},
		{"conv2d transpose output_padding valid", sh(8, 8, 3), mk(t, "Conv2DTranspose", P{"filters": 16, "kernel_size": 4, "strides": 2, "output_padding": 1}), sh(19, 19, 16), 784, 0},
		{"conv1d transpose", sh(10, 4), mk(t, "Conv1DTranspose", P{"filters": 8, "kernel_size": 3}), sh(12, 8), 104, 0},
		{"conv3d transpose", sh(4, 4, 4, 2), mk(t, "Conv3DTranspose", P{"filters": 3, "kernel_size": 2, "strides": 2}), sh(8, 8, 8, 3), 51, 0},
		{"depthwise", sh(32, 32, 16), mk(t, "DepthwiseConv2D", P{"kernel_size": 3}), sh(30, 30, 16), 160, 0},
		{"depthwise multiplier same", sh(32, 32, 16), mk(t, "DepthwiseConv2D", P{"kernel_size": 3, "depth_multiplier": 2, "padding": "same"}), sh(32, 32, 32), 320, 0},
		{"separable2d", sh(32, 32, 16), mk(t, "SeparableConv2D", P{"filters": 32, "kernel_size": 3}), sh(30, 30, 32), 688, 0},
		{"separable2d multiplier", sh(32, 32, 16), mk(t, "SeparableConv2D", P{"filters": 32, "kernel_size": 3, "depth_multiplier": 2, "use_bias": false}), sh(30, 30, 32), 288 + 1024, 0},
		{"separable1d", sh(20, 4), mk(t, "SeparableConv1D", P{"filters": 8, "kernel_size": 3}), sh(18, 8), 52, 0},
	})
}

func TestPoolingLayers(t *testing.T) {
	runLayerCases(t, []layerCase{
		{"maxpool2d default", sh(26, 26, 32), mk(t, "MaxPooling2D", nil), sh(13, 13, 32), 0, 0},
		{"maxpool2d odd", sh(27, 27, 32), mk(t, "MaxPooling2D", P{"pool_size": 2}), sh(13, 13, 32), 0, 0},
		{"maxpool2d strides", sh(114, 114, 64), mk(t, "MaxPooling2D", P{"pool_size": 3, "strides": 2}), sh(56, 56, 64), 0, 0},
		{"avgpool2d same", sh(5, 5, 3), mk(t, "AveragePooling2D", P{"pool_size": 2, "padding": "same"}), sh(3, 3, 3), 0, 0},
		{"maxpool1d", sh(10, 4), mk(t, "MaxPooling1D", P{"pool_size": 2}), sh(5, 4), 0, 0},
		{"maxpool1d unknown", sh(none, 4), mk(t, "MaxPooling1D", nil), sh(none, 4), 0, 0},
		{"avgpool1d strides 1", sh(10, 4), mk(t, "AveragePooling1D", P{"pool_size": 3, "strides": 1}), sh(8, 4), 0, 0},
		{"maxpool3d", sh(8, 8, 8, 2), mk(t, "MaxPooling3D", nil), sh(4, 4, 4, 2), 0, 0},
		{"gap2d", sh(7, 7, 2048), mk(t, "GlobalAveragePooling2D", nil), sh(2048), 0, 0},
		{"gap2d keepdims", sh(7, 7, 2048), mk(t, "GlobalAveragePooling2D", P{"keepdims": true}), sh(1, 1, 2048), 0, 0},
		{"gmp1d unknown", sh(none, 64), mk(t, "GlobalMaxPooling1D", nil), sh(64), 0, 0},
		{"gap3d", sh(2, 3, 4, 5), mk(t, "GlobalAveragePooling3D", nil), sh(5), 0, 0},
	})
}

func TestReshapingLayers(t *testing.T) {
	runLayerCases(t, []layerCase{
		{"flatten", sh(13, 13, 32), mk(t, "Flatten", nil), sh(5408), 0, 0},
		{"flatten vector", sh(7), mk(t, "Flatten", nil), sh(7), 0, 0},
		{"reshape", sh(784), mk(t, "Reshape", P{"target_shape": []int{7, 7, 16}}), sh(7, 7, 16), 0, 0},
		{"reshape infer", sh(8, 8), mk(t, "Reshape", P{"target_shape": []int{-1, 4}}), sh(16, 4), 0, 0},
		{"reshape unknown", sh(none, 8), mk(t, "Reshape", P{"target_shape": []int{-1, 4}}), sh(none, 4), 0, 0},
		{"permute", sh(10, 64), mk(t, "Permute", P{"dims": []int{2, 1}}), sh(64, 10), 0, 0},
		{"permute 3", sh(2, 3, 4), mk(t, "Permute", P{"dims": []int{3, 1, 2}}), sh(4, 2, 3), 0, 0},
		{"repeat vector", sh(32), mk(t, "RepeatVector", P{"n": 3}), sh(3, 32), 0, 0},
		{"upsampling2d", sh(7, 7, 8), mk(t, "UpSampling2D", nil), sh(14, 14, 8), 0, 0},
		{"upsampling2d tuple", sh(7, 7, 8), mk(t, "UpSampling2D", P{"size": []int{2, 3}}), sh(14, 21, 8), 0, 0},
		{"upsampling1d", sh(5, 2), mk(t, "UpSampling1D", P{"size": 3}), sh(15, 2), 0, 0},
		{"upsampling3d", sh(2, 2, 2, 1), mk(t, "UpSampling3D", nil), sh(4, 4, 4, 1), 0, 0},
		{"zeropad2d int", sh(224, 224, 3), mk(t, "ZeroPadding2D", P{"padding": 3}), sh(230, 230, 3), 0, 0},
		{"zeropad2d per dim", sh(224, 224, 3), mk(t, "ZeroPadding2D", P{"padding": []int{1, 2}}), sh(226, 228, 3), 0, 0},
		{"zeropad2d pairs", sh(224, 224, 3), mk(t, "ZeroPadding2D", P{"padding": [][]int{{1, 0}, {2, 1}}}), sh(225, 227, 3), 0, 0},
		{"zeropad1d pair", sh(10, 4), mk(t, "ZeroPadding1D", P{"padding": []int{1, 2}}), sh(13, 4), 0, 0},
		{"zeropad1d default", sh(10, 4), mk(t, "ZeroPadding1D", nil), sh(12, 4), 0, 0},
		{"zeropad3d", sh(2, 2, 2, 1), mk(t, "ZeroPadding3D", P{"padding": 1}), sh(4, 4, 4, 1), 0, 0},
		{"cropping2d pairs", sh(28, 28, 3), mk(t, "Cropping2D", P{"cropping": [][]int{{2, 2}, {4, 4}}}), sh(24, 20, 3), 0, 0},
		{"cropping2d default", sh(28, 28, 3), mk(t, "Cropping2D", nil), sh(28, 28, 3), 0, 0},
		{"cropping1d default", sh(10, 4), mk(t, "Cropping1D", nil), sh(8, 4), 0, 0},
		{"cropping3d", sh(6, 6, 6, 1), mk(t, "Cropping3D", P{"cropping": []int{1, 2, 0}}), sh(4, 2, 6, 1), 0, 0},
	})
}

func TestNormalizationLayers(t *testing.T) {
	runLayerCases(t, []layerCase{
		{"batchnorm", sh(32, 32, 64), mk(t, "BatchNormalization", nil), sh(32, 32, 64), 128, 128},
		{"batchnorm no center", sh(64), mk(t, "BatchNormalization", P{"center": false}), sh(64), 64, 128},
		{"batchnorm axis 1", sh(10, 20), mk(t, "BatchNormalization", P{"axis": 1}), sh(10, 20), 20, 20},
		{"layernorm", sh(128, 512), mk(t, "LayerNormalization", nil), sh(128, 512), 1024, 0},
		{"groupnorm", sh(32, 32, 64), mk(t, "GroupNormalization", P{"groups": 8}), sh(32, 32, 64), 128, 0},
		{"instancenorm", sh(32, 32, 64), mk(t, "InstanceNormalization", nil), sh(32, 32, 64), 128, 0},
	})
}

func TestEmbeddingLayers(t *testing.T) {
	runLayerCases(t, []layerCase{
		{"embedding", sh(100), mk(t, "Embedding", P{"input_dim": 10000, "output_dim": 128}), sh(100, 128), 1280000, 0},
		{"embedding unknown length", sh(none), mk(t, "Embedding", P{"input_dim": 50, "output_dim": 8}), sh(none, 8), 400, 0},
		{"positional sinusoidal", sh(100, 128), mk(t, "PositionalEncoding", P{"max_len": 512}), sh(100, 128), 0, 0},
		{"positional learnable", sh(100, 128), mk(t, "PositionalEncoding", P{"max_len": 512, "encoding_type": "learnable"}), sh(100, 128), 65536, 0},
	})
}

func TestRecurrentLayers(t *testing.T) {
	runLayerCases(t, []layerCase{
		{"lstm", sh(100, 300), mk(t, "LSTM", P{"units": 128}), sh(128), 219648, 0},
		{"lstm sequences", sh(100, 300), mk(t, "LSTM", P{"units": 128, "return_sequences": true}), sh(100, 128), 219648, 0},
		{"lstm no bias", sh(5, 8), mk(t, "LSTM", P{"units": 16, "use_bias": false}), sh(16), 1536, 0},
		{"gru", sh(10, 32), mk(t, "GRU", P{"units": 64}), sh(64), 18816, 0},
		{"gru no bias", sh(10, 32), mk(t, "GRU", P{"units": 64, "use_bias": false}), sh(64), 18432, 0},
		{"simplernn unknown T", sh(none, 8), mk(t, "SimpleRNN", P{"units": 32, "return_sequences": true}), sh(none, 32), 1312, 0},
		{"bidirectional lstm", sh(100, 32), wrap(mk(t, "Bidirectional", nil), mk(t, "LSTM", P{"units": 64})), sh(128), 49664, 0},
		{"bidirectional sum", sh(100, 32), wrap(mk(t, "Bidirectional", P{"merge_mode": "sum"}), mk(t, "LSTM", P{"units": 64, "return_sequences": true})), sh(100, 64), 49664, 0},
		{"bidirectional gru", sh(20, 16), wrap(mk(t, "Bidirectional", nil), mk(t, "GRU", P{"units": 8, "return_sequences": true})), sh(20, 16), 2 * 3 * 8 * (16 + 8 + 2), 0},
		{"timedistributed dense", sh(20, 64), wrap(mk(t, "TimeDistributed", nil), mk(t, "Dense", P{"units": 10})), sh(20, 10), 650, 0},
		{"timedistributed conv", sh(5, 28, 28, 1), wrap(mk(t, "TimeDistributed", nil), mk(t, "Conv2D", P{"filters": 8, "kernel_size": 3}), mk(t, "MaxPooling2D", nil)), sh(5, 13, 13, 8), 80, 0},
		{"timedistributed embedding", sh(4, 10), wrap(mk(t, "TimeDistributed", nil), mk(t, "Embedding", P{"input_dim": 100, "output_dim": 8})), sh(4, 10, 8), 800, 0},
		{"sequential block", sh(3, 4), wrap(mk(t, "Sequential", nil), mk(t, "Dense", P{"units": 5}), mk(t, "LayerNormalization", nil)), sh(3, 5), 25 + 10, 0},
		{"sequential empty", sh(3, 4), mk(t, "Sequential", nil), sh(3, 4), 0, 0},
		{"residual block", sh(3, 4), wrap(mk(t, "ResidualConnection", nil), mk(t, "Dense", P{"units": 4}), mk(t, "Dropout", P{"rate": 0.1})), sh(3, 4), 20, 0},
		{"residual block concat", sh(3, 4), wrap(mk(t, "ResidualConnection", P{"merge": "concat"}), mk(t, "Dense", P{"units": 2})), sh(3, 6), 10, 0},
		{"timedistributed bn", sh(none, 6), wrap(mk(t, "TimeDistributed", nil), mk(t, "BatchNormalization", nil)), sh(none, 6), 12, 12},
	})
}

func TestAttentionLayers(t *testing.T) {
	runLayerCases(t, []layerCase{
		{"mha", sh(128, 512), mk(t, "MultiHeadAttention", P{"num_heads": 8, "key_dim": 64}), sh(128, 512), 1050624, 0},
		{"mha default key_dim", sh(128, 512), mk(t, "MultiHeadAttention", P{"num_heads": 8}), sh(128, 512), 1050624, 0},
		{"mha value_dim", sh(10, 64), mk(t, "MultiHeadAttention", P{"num_heads": 2, "key_dim": 16, "value_dim": 32}), sh(10, 64), 12480, 0},
		{"mha no bias", sh(128, 512), mk(t, "MultiHeadAttention", P{"num_heads": 8, "use_bias": false}), sh(128, 512), 1048576, 0},
		{"encoder", sh(128, 512), mk(t, "TransformerEncoder", P{"num_heads": 8, "ff_dim": 2048}), sh(128, 512), 3152384, 0},
		{"encoder x6", sh(none, 512), mk(t, "TransformerEncoder", P{"num_heads": 8, "ff_dim": 2048, "num_layers": 6}), sh(none, 512), 6 * 3152384, 0},
		{"decoder only", sh(128, 512), mk(t, "TransformerDecoder", P{"num_heads": 8, "ff_dim": 2048}), sh(128, 512), 3152384, 0},
	})
}

func TestCrossAttention(t *testing.T) {
	g := newGraph(t, sh(10, 64), sh(20, 32))
	mha := g.add(mk(t, "MultiHeadAttention", P{"num_heads": 4, "key_dim": 16, "mode": "cross"}), g.in(0), g.in(1))
	if d := g.check(); len(d.Items) != 0 {
		t.Fatal(errorsOf(d))
	}
	if !sameShape(mha.Shape, sh(10, 64)) || mha.Trainable != 4160+2112+2112+4160 {
		t.Errorf("cross MHA %s %d", fmtShape(mha.Shape), mha.Trainable)
	}

	// nn.TransformerDecoderLayer(512, 8, 2048) has 4,204,032 parameters.
	g = newGraph(t, sh(128, 512), sh(64, 512))
	dec := g.add(mk(t, "TransformerDecoder", P{"num_heads": 8, "ff_dim": 2048}), g.in(0), g.in(1))
	if d := g.check(); len(d.Items) != 0 {
		t.Fatal(errorsOf(d))
	}
	if !sameShape(dec.Shape, sh(128, 512)) || dec.Trainable != 4204032 {
		t.Errorf("decoder with memory %s %d", fmtShape(dec.Shape), dec.Trainable)
	}
}

func TestMergeLayers(t *testing.T) {
	cases := []struct {
		name string
		typ  string
		p    P
		ins  []ir.Shape
		out  ir.Shape
	}{
		{"add", "Add", nil, []ir.Shape{sh(4, 4, 8), sh(4, 4, 8)}, sh(4, 4, 8)},
		{"add broadcast", "Add", nil, []ir.Shape{sh(4, 4, 8), sh(1, 1, 8)}, sh(4, 4, 8)},
		{"add broadcast first", "Multiply", nil, []ir.Shape{sh(1, 8), sh(5, 8)}, sh(5, 8)},
		{"add unknown", "Add", nil, []ir.Shape{sh(none, 8), sh(10, 8)}, sh(10, 8)},
		{"multiply 3", "Multiply", nil, []ir.Shape{sh(3), sh(3), sh(3)}, sh(3)},
		{"subtract", "Subtract", nil, []ir.Shape{sh(2, 3), sh(2, 3)}, sh(2, 3)},
		{"average", "Average", nil, []ir.Shape{sh(2), sh(2)}, sh(2)},
		{"maximum", "Maximum", nil, []ir.Shape{sh(2), sh(2)}, sh(2)},
		{"minimum", "Minimum", nil, []ir.Shape{sh(2), sh(2)}, sh(2)},
		{"concat last", "Concatenate", nil, []ir.Shape{sh(10, 4), sh(10, 6)}, sh(10, 10)},
		{"concat axis 1", "Concatenate", P{"axis": 1}, []ir.Shape{sh(10, 4), sh(5, 4)}, sh(15, 4)},
		{"concat axis -2", "Concatenate", P{"axis": -2}, []ir.Shape{sh(10, 4), sh(5, 4), sh(1, 4)}, sh(16, 4)},
		{"concat unknown", "Concatenate", nil, []ir.Shape{sh(none, 4), sh(7, 6)}, sh(7, 10)},
		{"residual add", "ResidualConnection", nil, []ir.Shape{sh(8, 8), sh(8, 8)}, sh(8, 8)},
		{"residual concat", "ResidualConnection", P{"merge": "concat"}, []ir.Shape{sh(8, 8), sh(8, 8)}, sh(8, 16)},
	}
	for _, tc := range cases {
		tc := tc
		t.Run(tc.name, func(t *testing.T) {
			g := newGraph(t, tc.ins...)
			var ins []*ir.Node
			for i := range tc.ins {
				ins = append(ins, g.in(i))
			}
			m := g.add(mk(t, tc.typ, tc.p), ins...)
			if d := g.check(); len(d.Items) != 0 {
				t.Fatal(errorsOf(d))
			}
			if !sameShape(m.Shape, tc.out) || m.Trainable != 0 {
				t.Errorf("shape %s params %d, want %s", fmtShape(m.Shape), m.Trainable, fmtShape(tc.out))
			}
		})
	}
}

func TestFLOPs(t *testing.T) {
	cases := []struct {
		name  string
		in    ir.Shape
		layer *ir.Node
		flops int64
	}{
		{"dense", sh(784), mk(t, "Dense", P{"units": 10}), 2 * 784 * 10},
		{"dense relu", sh(784), mk(t, "Dense", P{"units": 10, "activation": "relu"}), 2*784*10 + 10},
		{"dense per position", sh(5, 4), mk(t, "Dense", P{"units": 3}), 5 * 2 * 4 * 3},
		{"conv2d", sh(28, 28, 1), mk(t, "Conv2D", P{"filters": 32, "kernel_size": 3}), 2 * 9 * 1 * 32 * 26 * 26},
		{"conv2d groups", sh(8, 8, 4), mk(t, "Conv2D", P{"filters": 4, "kernel_size": 1, "groups": 2}), 2 * 1 * 2 * 4 * 64},
		{"maxpool", sh(4, 4, 1), mk(t, "MaxPooling2D", nil), 4 * 4},
		{"flatten", sh(4, 4, 1), mk(t, "Flatten", nil), 0},
		{"batchnorm", sh(10), mk(t, "BatchNormalization", nil), bnFLOPs * 10},
		{"lstm", sh(10, 8), mk(t, "LSTM", P{"units": 4}), 10 * 2 * 4 * 4 * (8 + 4)},
		{"mha", sh(16, 32), mk(t, "MultiHeadAttention", P{"num_heads": 4}), 4*2*16*32*32 + 2*2*16*16*32},
		{"embedding", sh(16), mk(t, "Embedding", P{"input_dim": 10, "output_dim": 4}), 0},
	}
	for _, tc := range cases {
		net, d := seq(t, tc.in, tc.layer)
		if len(d.Items) != 0 {
			t.Fatalf("%s: %q", tc.name, errorsOf(d))
		}
		if got := net.Nodes[0].FLOPs; got != tc.flops {
			t.Errorf("%s: FLOPs %d, want %d", tc.name, got, tc.flops)
		}
	}
}
