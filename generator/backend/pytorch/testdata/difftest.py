"""Differential test driver for the PyTorch backend (run by difftest_test.go).

Reads a JSON manifest (argv[1]) listing generated modules and what the compiler predicts
for each network, imports every module in this one process, and prints one JSON object:
{"results": [{"id", "trainable", "non_trainable", "output_shape", "predict_shape", "forward",
"export", "train_step", "error", "seconds"}]}. Small models are also exported to ONNX
(opset 17, as the runtime does) and run one training step.

Counting convention (docs/backends/pytorch.md): trainable = parameters with
requires_grad; non-trainable = frozen parameters plus persistent floating-point buffers
(BatchNorm's moving mean and variance). BatchNorm's integer num_batches_tracked counter
and the fixed sinusoidal position table (a non-persistent buffer) are not Keras weights.
"""
import importlib.util
import io
import json
import sys
import time
import traceback
import warnings


def count(model):
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    frozen = sum(p.numel() for p in model.parameters() if not p.requires_grad)
    params = {id(p) for p in model.parameters()}
    buffers = 0
    for value in model.state_dict(keep_vars=True).values():
        if id(value) in params or not value.is_floating_point():
            continue
        buffers += value.numel()
    return trainable, frozen + buffers


def make_inputs(torch, case):
    args = []
    for spec in case["inputs"]:
        shape = [case["batch"]] + spec["shape"]
        if spec["dtype"] == "int64":
            args.append(torch.randint(0, spec["vocab"], shape, dtype=torch.int64))
        else:
            args.append(torch.randn(shape))
    return args


def run_case(torch, case):
    started = time.time()
    result = {"id": case["id"], "forward": False, "train_step": False, "export": False}
    try:
        spec = importlib.util.spec_from_file_location(case["module"], case["path"])
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        torch.manual_seed(0)
        model = getattr(module, case["class"])()
        result["trainable"], result["non_trainable"] = count(model)
        if case["forward"]:
            inputs = make_inputs(torch, case)
            model.eval()
            with torch.no_grad():
                out = model(*inputs)
                module_out = model.predict(*inputs)
            result["output_shape"] = list(out.shape)[1:]
            result["predict_shape"] = list(module_out.shape)[1:]
            result["forward"] = True
            if case["export"]:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    torch.onnx.export(model, tuple(inputs), io.BytesIO(), opset_version=17)
                result["export"] = True
            if case["train_step"]:
                model.train()
                out = model(*inputs)
                loss = out.float().square().mean() + model.regularization_loss()
                loss.backward()
                result["train_step"] = bool(torch.isfinite(loss).item())
        del model
    except Exception:  # reported to the Go test, which fails with it
        result["error"] = traceback.format_exc(limit=8)
    result["seconds"] = round(time.time() - started, 3)
    return result


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        manifest = json.load(f)
    sys.path[:0] = manifest["pythonpath"]
    import torch

    torch.set_num_threads(manifest.get("threads", 1))
    import rules_neural

    if not hasattr(rules_neural, "require_contract"):
        # The runtime package is developed alongside; only layers.py is needed here.
        rules_neural.require_contract = lambda *args, **kwargs: None
    results = [run_case(torch, case) for case in manifest["cases"]]
    json.dump({"results": results}, sys.stdout)


if __name__ == "__main__":
    main()
