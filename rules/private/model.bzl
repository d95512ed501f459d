"""neural_model: the usual targets for one model file."""

load(":library.bzl", "neural_library")
load(":py_library.bzl", "neural_py_library")

_BACKENDS = ["pytorch"]

_NEURALGEN = str(Label("//rules/toolchains:current_neuralgen"))

def neural_model(name, src, network = "", networks = None, backends = ["pytorch"], search = False, visibility = None, tags = None, **kwargs):
    """Declares the targets of one .neural model.

    * `<name>`: the neural_library (checked sources, NeuralInfo);
    * `<name>_pytorch`: the generated PyTorch module as a Python library;
    * `<name>_train`: a py_binary; `bazel run :<name>_train -- --epochs 1`
      trains with the generated entry point (`-- --help` lists its flags);
    * with `search = True`, `<name>_search`: a py_binary that runs the
      network's hyper-parameter search (`bazel run :<name>_search --
      --trials 20`), compiling each trial with the toolchain's neuralgen
      and writing best.json for `neuralgen compile --hpo-values`.

    Args:
      name: the model's name; the prefix of every target.
      src: the .neural file.
      network: the network to generate when src declares several.
      networks: the networks src declares, checked (see neural_library).
      backends: the backends to generate; today "pytorch".
      search: also declare `<name>_search` (the network must have HPO values).
      visibility: visibility of the targets.
      tags: tags of the targets.
      **kwargs: passed to the `<name>_train` py_binary (for example `args`
        or `env`).
    """
    for b in backends:
        if b not in _BACKENDS:
            fail("neural_model %s: unknown backend %r (available: %s)" % (name, b, ", ".join(_BACKENDS)))
    if search and "pytorch" not in backends:
        fail("neural_model %s: search = True runs the PyTorch search driver; add \"pytorch\" to backends" % name)
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
            search = search,
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
        if search:
            native.py_binary(
                name = name + "_search",
                srcs = [":%s_pytorch_search.py" % name],
                main = ":%s_pytorch_search.py" % name,
                deps = [":%s_pytorch" % name],
                # Each trial runs neuralgen on the source; both are runfiles,
                # named relative to the runfiles tree bazel run starts in.
                data = [src, _NEURALGEN],
                args = [
                    "--source",
                    "$(rootpath %s)" % src,
                    "--neuralgen",
                    "$(rootpath %s)" % _NEURALGEN,
                ],
                python_version = "PY3",
                visibility = visibility,
                tags = tags,
            )
