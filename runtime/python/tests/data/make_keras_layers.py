"""Writes keras_layers.npz: inputs, weights and outputs of Keras layers that
test_layers.py compares rules_neural.layers against.

Needs TensorFlow/Keras 3 (not needed to run the tests):
    python3 -m venv /tmp/tf && /tmp/tf/bin/pip install tensorflow-cpu
    /tmp/tf/bin/python runtime/python/tests/data/make_keras_layers.py
Written with tensorflow-cpu 2.21 and keras 3.15.
"""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402
from keras import layers as K  # noqa: E402
from keras.src import backend  # noqa: E402

rng = np.random.default_rng(0)
arrays = {}
MASK = np.array([[True] * 7, [True] * 4 + [False] * 3])


def r(*shape):
    return rng.standard_normal(shape).astype("float32")


def case(name, layer, *inputs, mask=None, query_mask=False, **kwargs):
    tensors = [keras.ops.convert_to_tensor(x) for x in inputs]
    if mask is not None:
        kwargs["mask"] = keras.ops.convert_to_tensor(mask)
    if query_mask:
        layer(*tensors)  # build
        backend.set_keras_mask(tensors[0], keras.ops.convert_to_tensor(MASK))
        kwargs["value_mask"] = keras.ops.convert_to_tensor(MASK)
    out = layer(*tensors, **kwargs)
    for i, x in enumerate(inputs):
        arrays["%s.in%d" % (name, i)] = x
    for i, w in enumerate(layer.weights):
        arrays["%s.w%d" % (name, i)] = np.asarray(w)
    arrays["%s.out" % name] = np.asarray(out)


case("conv2d_same_s2_k4", K.Conv2D(5, 4, strides=2, padding="same"), r(2, 9, 9, 3))
case("conv2d_same_s1_d2", K.Conv2D(5, 4, padding="same", dilation_rate=2), r(2, 11, 12, 3))
case("conv1d_causal_d2", K.Conv1D(4, 3, padding="causal", dilation_rate=2), r(2, 15, 3))
case("conv1d_causal_s2", K.Conv1D(4, 3, padding="causal", strides=2), r(2, 15, 3))
case("maxpool_same", K.MaxPooling2D(3, strides=2, padding="same"), r(2, 10, 11, 3))
case("avgpool_same", K.AveragePooling2D(2, padding="same"), r(2, 9, 9, 3))
case("avgpool1d_same_s1", K.AveragePooling1D(3, strides=1, padding="same"), r(2, 7, 3))
case("convT_same_s2_k3", K.Conv2DTranspose(4, 3, strides=2, padding="same"), r(2, 5, 6, 3))
case("convT_same_s2_k4", K.Conv2DTranspose(4, 4, strides=2, padding="same"), r(2, 5, 6, 3))
case("convT_valid_s3_k1", K.Conv2DTranspose(4, 1, strides=3), r(2, 5, 6, 3))
case("convT_valid_op", K.Conv2DTranspose(4, 3, strides=2, output_padding=1), r(2, 5, 6, 3))
case("convT_same_op", K.Conv2DTranspose(4, 3, strides=2, padding="same", output_padding=1),
     r(2, 5, 6, 3))
case("convT1d_same_k5_s2", K.Conv1DTranspose(4, 5, strides=2, padding="same"), r(2, 7, 3))
case("depthwise_dm2", K.DepthwiseConv2D(3, strides=2, padding="same", depth_multiplier=2),
     r(2, 9, 9, 3))
case("separable2d_dm2", K.SeparableConv2D(5, 3, padding="same", depth_multiplier=2),
     r(2, 8, 8, 3))
case("separable1d_s2", K.SeparableConv1D(5, 3, strides=2, padding="same"), r(2, 9, 3))
case("upsample_bilinear", K.UpSampling2D(2, interpolation="bilinear"), r(2, 4, 5, 3))
case("lstm_seq", K.LSTM(6, return_sequences=True), r(2, 7, 4))
case("lstm_back_last", K.LSTM(6, go_backwards=True), r(2, 7, 4))
case("lstm_relu_hardsig", K.LSTM(6, activation="relu", recurrent_activation="hard_sigmoid"),
     r(2, 7, 4))
case("lstm_masked", K.LSTM(6, return_sequences=True), r(2, 7, 4), mask=MASK)
case("gru_seq", K.GRU(6, return_sequences=True), r(2, 7, 4))
case("gru_masked_last", K.GRU(6), r(2, 7, 4), mask=MASK)
case("rnn_relu", K.SimpleRNN(6, activation="relu", return_sequences=True), r(2, 7, 4))
case("bi_lstm_concat_masked", K.Bidirectional(K.LSTM(5, return_sequences=True)), r(2, 7, 4),
     mask=MASK)
case("bi_gru_ave", K.Bidirectional(K.GRU(5), merge_mode="ave"), r(2, 7, 4))
case("mha_self", K.MultiHeadAttention(num_heads=3, key_dim=4, value_dim=5), r(2, 6, 8),
     r(2, 6, 8))
case("mha_cross", K.MultiHeadAttention(num_heads=2, key_dim=4), r(2, 6, 8), r(2, 9, 5))
case("mha_causal", K.MultiHeadAttention(num_heads=2, key_dim=4), r(2, 6, 8), r(2, 6, 8),
     use_causal_mask=True)
case("mha_masked", K.MultiHeadAttention(num_heads=2, key_dim=4), r(2, 7, 8), r(2, 7, 8),
     query_mask=True)
case("gap1d_masked", K.GlobalAveragePooling1D(), r(2, 7, 3), mask=MASK)
x = np.linspace(-4, 4, 17).astype("float32")[None]
arrays["activations.in0"] = x
for name in ["relu", "relu6", "leaky_relu", "elu", "selu", "gelu", "sigmoid", "hard_sigmoid",
             "tanh", "softplus", "softsign", "swish", "mish", "exponential", "softmax",
             "log_softmax"]:
    arrays["activations.%s" % name] = np.asarray(keras.activations.get(name)(x))
arrays["mask"] = MASK
np.savez_compressed(os.path.join(os.path.dirname(__file__), "keras_layers.npz"), **arrays)
print("wrote", len(arrays), "arrays")
