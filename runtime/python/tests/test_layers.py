"""Tests of rules_neural.layers: Keras equivalence against recorded Keras 3 outputs
(data/keras_layers.npz, written by data/make_keras_layers.py) and internal consistency."""
import os
import sys

import numpy as np
import pytest

torch = pytest.importorskip("torch")

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from rules_neural import layers as L  # noqa: E402

DATA = np.load(os.path.join(os.path.dirname(__file__), "data", "keras_layers.npz"))
MASK = torch.tensor(DATA["mask"])


def t(a):
    return torch.tensor(np.ascontiguousarray(a))


def inputs(name):
    out, i = [], 0
    while "%s.in%d" % (name, i) in DATA:
        out.append(t(DATA["%s.in%d" % (name, i)]))
        i += 1
    return out


def weights(name):
    out, i = [], 0
    while "%s.w%d" % (name, i) in DATA:
        out.append(DATA["%s.w%d" % (name, i)])
        i += 1
    return out


def conv_weight(k):
    """Keras kernel (*k, in, out) → torch (out, in, *k)."""
    rank = k.ndim - 2
    return t(k.transpose((rank + 1, rank) + tuple(range(rank))))


def depthwise_weight(k):
    """Keras depthwise kernel (*k, in, multiplier) → torch (in * multiplier, 1, *k)."""
    rank = k.ndim - 2
    flat = k.reshape(k.shape[:rank] + (-1,))
    return t(flat.transpose((rank,) + tuple(range(rank))))[:, None]


def first(x):
    return x.movedim(-1, 1)


def last(x):
    return x.movedim(1, -1)


def assert_close(name, got):
    want = DATA["%s.out" % name]
    assert tuple(got.shape) == want.shape, name
    np.testing.assert_allclose(got.detach().numpy(), want, atol=2e-5, err_msg=name)


def load_conv(m, name):
    w = weights(name)
    with torch.no_grad():
        m.weight.copy_(conv_weight(w[0]))
        m.bias.copy_(t(w[1]))
    return m


CONVS = [
    ("conv2d_same_s2_k4", lambda: L.Conv2d(3, 5, (4, 4), stride=(2, 2), padding="same")),
    ("conv2d_same_s1_d2", lambda: torch.nn.Conv2d(3, 5, (4, 4), padding="same", dilation=2)),
    ("conv1d_causal_d2", lambda: L.Conv1d(3, 4, (3,), padding="causal", dilation=(2,))),
    ("conv1d_causal_s2", lambda: L.Conv1d(3, 4, (3,), stride=(2,), padding="causal")),
    ("convT_same_s2_k3", lambda: L.ConvTranspose2d(3, 4, (3, 3), stride=(2, 2), padding="same")),
    ("convT_same_s2_k4", lambda: L.ConvTranspose2d(3, 4, (4, 4), stride=(2, 2), padding="same")),
    ("convT_valid_s3_k1", lambda: L.ConvTranspose2d(3, 4, (1, 1), stride=(3, 3))),
    ("convT_valid_op", lambda: torch.nn.ConvTranspose2d(3, 4, (3, 3), stride=(2, 2),
                                                        output_padding=(1, 1))),
    ("convT_same_op", lambda: L.ConvTranspose2d(3, 4, (3, 3), stride=(2, 2), padding="same",
                                                output_padding=(1, 1))),
    ("convT1d_same_k5_s2", lambda: L.ConvTranspose1d(3, 4, (5,), stride=(2,), padding="same")),
]


@pytest.mark.parametrize("name,make", CONVS, ids=[c[0] for c in CONVS])
def test_convolutions_match_keras(name, make):
    m = load_conv(make(), name)
    with torch.no_grad():
        assert_close(name, last(m(first(inputs(name)[0]))))


POOLS = [
    ("maxpool_same", lambda: L.MaxPool2d((3, 3), (2, 2), padding="same")),
    ("avgpool_same", lambda: L.AvgPool2d((2, 2), (2, 2), padding="same")),
    ("avgpool1d_same_s1", lambda: L.AvgPool1d((3,), (1,), padding="same")),
    ("upsample_bilinear", lambda: torch.nn.Upsample(scale_factor=(2.0, 2.0), mode="bilinear",
                                                    align_corners=False)),
]


@pytest.mark.parametrize("name,make", POOLS, ids=[c[0] for c in POOLS])
def test_pooling_matches_keras(name, make):
    assert_close(name, last(make()(first(inputs(name)[0]))))


def test_depthwise_and_separable_match_keras():
    w = weights("depthwise_dm2")
    m = L.Conv2d(3, 6, (3, 3), stride=(2, 2), padding="same", groups=3)
    with torch.no_grad():
        m.weight.copy_(depthwise_weight(w[0]))
        m.bias.copy_(t(w[1]))
        assert_close("depthwise_dm2", last(m(first(inputs("depthwise_dm2")[0]))))
    for name, m in (("separable2d_dm2", L.SeparableConv2d(3, 5, (3, 3), padding="same",
                                                          depth_multiplier=2)),
                    ("separable1d_s2", L.SeparableConv1d(3, 5, (3,), stride=(2,),
                                                         padding="same"))):
        w = weights(name)
        with torch.no_grad():
            m.depthwise.weight.copy_(depthwise_weight(w[0]))
            m.pointwise.weight.copy_(conv_weight(w[1]))
            m.pointwise.bias.copy_(t(w[2]))
            assert_close(name, last(m(first(inputs(name)[0]))))


def load_recurrent(layer, w, gru=False):
    kernel, recurrent, bias = w
    if gru:  # Keras gate order z, r, h; torch r, z, n

        def reorder(a):
            z, r, h = np.split(a, 3, axis=-1)
            return np.concatenate([r, z, h], axis=-1)

        kernel, recurrent, bias = reorder(kernel), reorder(recurrent), reorder(bias)
    with torch.no_grad():
        layer.weight_ih.copy_(t(kernel.T))
        layer.weight_hh.copy_(t(recurrent.T))
        if gru:
            layer.bias_ih.copy_(t(bias[0]))
            layer.bias_hh.copy_(t(bias[1]))
        else:
            layer.bias.copy_(t(bias))
    return layer


RECURRENT = [
    ("lstm_seq", lambda: L.LSTM(4, 6, return_sequences=True), False, False),
    ("lstm_back_last", lambda: L.LSTM(4, 6, go_backwards=True), False, False),
    ("lstm_relu_hardsig", lambda: L.LSTM(4, 6, activation="relu",
                                         recurrent_activation="hard_sigmoid"), False, False),
    ("lstm_masked", lambda: L.LSTM(4, 6, return_sequences=True), False, True),
    ("gru_seq", lambda: L.GRU(4, 6, return_sequences=True), True, False),
    ("gru_masked_last", lambda: L.GRU(4, 6), True, True),
    ("rnn_relu", lambda: L.SimpleRNN(4, 6, activation="relu", return_sequences=True), False,
     False),
]


@pytest.mark.parametrize("name,make,gru,masked", RECURRENT, ids=[c[0] for c in RECURRENT])
def test_recurrent_match_keras(name, make, gru, masked):
    m = load_recurrent(make(), weights(name), gru).eval()
    with torch.no_grad():
        assert_close(name, m(inputs(name)[0], MASK if masked else None))


def test_bidirectional_matches_keras():
    for name, make, gru, masked in (
            ("bi_lstm_concat_masked", lambda: L.LSTM(4, 5, return_sequences=True), False, True),
            ("bi_gru_ave", lambda: L.GRU(4, 5), True, False)):
        merge = "ave" if gru else "concat"
        m = L.Bidirectional(make(), merge_mode=merge).eval()
        w = weights(name)
        load_recurrent(m.forward_layer, w[:3], gru)
        load_recurrent(m.backward_layer, w[3:], gru)
        with torch.no_grad():
            assert_close(name, m(inputs(name)[0], MASK if masked else None))


def load_attention(m, w):
    qk, qb, kk, kb, vk, vb, ok, ob = w
    with torch.no_grad():
        for lin, kernel, bias in ((m.query, qk, qb), (m.key, kk, kb), (m.value, vk, vb)):
            lin.weight.copy_(t(kernel.reshape(kernel.shape[0], -1).T))
            lin.bias.copy_(t(bias.reshape(-1)))
        m.output.weight.copy_(t(ok.reshape(-1, ok.shape[-1]).T))
        m.output.bias.copy_(t(ob))
    return m.eval()


def test_attention_matches_keras():
    cases = [
        ("mha_self", dict(query_dim=8, num_heads=3, key_dim=4, value_dim=5), {}),
        ("mha_cross", dict(query_dim=8, num_heads=2, key_dim=4, value_features=5), {}),
        ("mha_causal", dict(query_dim=8, num_heads=2, key_dim=4, causal=True), {}),
        ("mha_masked", dict(query_dim=8, num_heads=2, key_dim=4),
         dict(query_mask=MASK, value_mask=MASK)),
    ]
    for name, kwargs, call in cases:
        m = load_attention(L.MultiHeadAttention(**kwargs), weights(name))
        q, v = inputs(name)
        with torch.no_grad():
            assert_close(name, m(q, v, **call))


def test_masked_global_average_matches_keras():
    x = inputs("gap1d_masked")[0]
    assert_close("gap1d_masked", L.GlobalAvgPool(1)(first(x), MASK))


def test_activations_match_keras():
    x = t(DATA["activations.in0"])
    for key in DATA.files:
        if key.startswith("activations.") and key != "activations.in0":
            name = key.split(".", 1)[1]
            got = L.activation_fn(name)(x).numpy()
            np.testing.assert_allclose(got, DATA[key], atol=1e-5, err_msg=name)


@pytest.mark.parametrize("cls", [L.SimpleRNN, L.LSTM, L.GRU])
def test_fused_and_loop_paths_agree(cls):
    torch.manual_seed(0)
    m = cls(5, 7, return_sequences=True).eval()
    x = torch.randn(3, 6, 5)
    with torch.no_grad():
        fused = m(x)
        loop = m(x, torch.ones(3, 6, dtype=torch.bool))
    np.testing.assert_allclose(fused.numpy(), loop.numpy(), atol=1e-5)


def keras_transpose_size(size, k, s, padding, output_padding):
    if output_padding is None:
        return size * s if padding == "same" else size * s + max(k - s, 0)
    pad = k // 2 if padding == "same" else 0
    return (size - 1) * s + k - 2 * pad + output_padding


@pytest.mark.parametrize("padding", ["valid", "same"])
def test_transposed_sizes_follow_keras(padding):
    for k in range(1, 6):
        for s in range(1, 4):
            for op in [None] + list(range(s)):
                m = L.ConvTranspose1d(2, 3, (k,), stride=(s,), padding=padding,
                                      output_padding=None if op is None else (op,))
                for size in (1, 4, 7):
                    got = m(torch.randn(1, 2, size)).shape[-1]
                    assert got == keras_transpose_size(size, k, s, padding, op), (k, s, op, size)


def test_same_padding_output_size():
    for size in range(1, 12):
        for k in range(1, 6):
            for s in range(1, 4):
                m = L.MaxPool1d((k,), (s,), padding="same")
                assert m(torch.randn(1, 1, size)).shape[-1] == -(-size // s)


def test_seeded_dropout_repeats():
    a, b = L.Dropout(0.5, seed=3), L.Dropout(0.5, seed=3)
    x = torch.ones(4, 10)
    assert torch.equal(a(x), b(x))
    assert torch.equal(a.eval()(x), x)


def test_sinusoidal_table_is_not_saved():
    pe = L.PositionalEncoding(10, 6)
    assert list(pe.state_dict()) == []
    assert torch.allclose(pe.table[0, 1::2], torch.ones(3))
    learned = L.PositionalEncoding(10, 6, encoding_type="learnable")
    assert sum(p.numel() for p in learned.parameters()) == 60


def test_parameter_counts_follow_keras():
    def count(m):
        return sum(p.numel() for p in m.parameters())

    assert count(L.LSTM(8, 4)) == 4 * 4 * (8 + 4) + 4 * 4
    assert count(L.GRU(8, 4)) == 3 * 4 * (8 + 4) + 2 * 3 * 4
    assert count(L.SimpleRNN(8, 4, use_bias=False)) == 4 * (8 + 4)
    assert count(L.MultiHeadAttention(16, 2, 8, value_dim=4)) == (
        16 * 16 + 16 + 16 * 16 + 16 + 16 * 8 + 8 + 8 * 16 + 16)
    bn = L.BatchNormalization(5, center=False)
    assert count(bn) == 5 and bn.running_mean.numel() + bn.running_var.numel() == 10
