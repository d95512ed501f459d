"""neural_model: the usual targets for one model file."""

load(":library.bzl", "neural_library")
load(":py_library.bzl", "neural_py_library")

_BACKENDS = ["pytorch"]

def neural_model(name, src, network = "", networks = None, backends = ["pytorch"], visibility = None, tags = None, **kwargs):
    """Declares the targets of one .neural model.

    * `<name>`: the neural_library (checked sources, NeuralInfo);
    * `<name>_pytorch`: the generated PyTorch module as a Python library;
    * `<name>_train`: a py_binary; `bazel run :<name>_train -- --epochs 1`
      trains with the generated entry point (`-- --help` lists its flags).

    Args:
      name: the model's name; the prefix of every target.
      src: the .neural file.
      network: the network to generate when src declares several.
      networks: the networks src declares, checked (see neural_library).
      backends: the backends to generate; today "pytorch".
      visibility: visibility of the targets.
      tags: tags of the targets.
      **kwargs: passed to the py_binary (for example `args` or `env`).
    """
    for b in backends:
        if b not in _BACKENDS:
            fail("neural_model %s: unknown backend %r (available: %s)" % (name, b, ", ".join(_BACKENDS)))
    neural_library(
        name = name,
        srcs = [src],
        networks = networks or [],
        visibility = visibility,
        tags = tags,
    )
    if "pytorch" in backends:
        neural_py_library(
            name = name + "_pytorch",
            model = ":" + name,
            network = network,
            backend = "pytorch",
            visibility = visibility,
            tags = tags,
        )
        native.py_binary(
            name = name + "_train",
            srcs = [":%s_pytorch.py" % name],
            main = ":%s_pytorch.py" % name,
            deps = [":%s_pytorch" % name],
            python_version = "PY3",
            visibility = visibility,
            tags = tags,
            **kwargs
        )
