"""ONNX export: opset 17, named inputs, dynamic batch, checker-clean."""
import json

import onnx
import pytest
import torch

from conftest import (CNN, MLP, TokenModel, TwoInputs, cnn_spec, mlp_spec, token_spec,
                      two_input_spec)
from rules_neural import export


@pytest.mark.parametrize("model_cls,spec", [(MLP, mlp_spec()), (CNN, cnn_spec()),
                                            (TokenModel, token_spec()),
                                            (TwoInputs, two_input_spec())])
def test_export_passes_checker(tmp_path, model_cls, spec):
    path = export.export_onnx(model_cls(), spec, tmp_path / "model.onnx")
    m = onnx.load(str(path))
    onnx.checker.check_model(m)
    assert m.opset_import[0].version == 17
    names = [i.name for i in m.graph.input]
    assert names == [i["name"] for i in spec["inputs"]]
    assert [o.name for o in m.graph.output] == ["output"]
    for inp in m.graph.input:
        assert inp.type.tensor_type.shape.dim[0].dim_param == "batch"
    meta = {p.key: p.value for p in m.metadata_props}
    assert meta["rules_neural.contract"] == "1" and meta["neuralgen.network"] == spec["name"]
    assert json.loads(meta["rules_neural.inputs"])[0]["name"] == spec["inputs"][0]["name"]
    assert [p.name for p in tmp_path.iterdir()] == ["model.onnx"]


def test_export_is_predict_and_leaves_the_model_alone(tmp_path):
    model = MLP()
    model.train()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    rng = torch.get_rng_state()
    export.export_onnx(model, mlp_spec(), tmp_path / "m.onnx")
    assert model.training and torch.equal(rng, torch.get_rng_state())
    for k, v in model.state_dict().items():
        assert torch.equal(v, before[k])
    try:
        import onnxruntime as ort
    except ImportError:
        pytest.skip("onnxruntime not installed: the checker is the test")
    x = torch.randn(5, 20)
    sess = ort.InferenceSession(str(tmp_path / "m.onnx"))
    (got,) = sess.run(None, {"features": x.numpy()})
    torch.testing.assert_close(torch.from_numpy(got), model.eval().predict(x), rtol=1e-4,
                               atol=1e-5)


def test_unknown_sequence_length_is_dynamic(tmp_path):
    spec = token_spec()
    spec["inputs"][0].update(shape=[None], torch_shape=[None])
    m = onnx.load(str(export.export_onnx(TokenModel(), spec, tmp_path / "m.onnx")))
    dims = m.graph.input[0].type.tensor_type.shape.dim
    assert dims[0].dim_param == "batch" and dims[1].dim_param == "tokens_dim1"
