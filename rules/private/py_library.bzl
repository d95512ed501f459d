"""neural_py_library: the generated Python module of one network."""

load("//rules:providers.bzl", "NeuralInfo")
load(":toolchain.bzl", "TOOLCHAIN_TYPE", "neural_toolchain_info")

def _source(ctx):
    info = ctx.attr.model[NeuralInfo]
    if len(info.srcs) != 1:
        fail("model %s has %d sources; neural_py_library compiles a neural_library with exactly one" % (ctx.attr.model.label, len(info.srcs)))
    return info.srcs[0]

def _import_root(ctx):
    """The runfiles-relative directory the generated module is imported from."""
    repo = ctx.label.workspace_name or ctx.workspace_name
    return "/".join([p for p in [repo, ctx.label.package] if p])

def _outputs(search):
    outs = {"module": "%{name}.py"}
    if search:
        outs["search"] = "%{name}_search.py"
    return outs

def _neural_py_library_impl(ctx):
    toolchain = neural_toolchain_info(ctx)
    src = _source(ctx)
    out = ctx.outputs.module
    args = ctx.actions.args()
    args.add("compile")
    args.add("--backend", ctx.attr.backend)
    if ctx.attr.network:
        args.add("--network", ctx.attr.network)
    args.add("--output", out)
    outs = [out]
    if ctx.attr.search:
        args.add("--search-output", ctx.outputs.search)
        outs.append(ctx.outputs.search)
    args.add(src)
    ctx.actions.run(
        executable = toolchain.neuralgen,
        arguments = [args],
        # The model's check (its summary) is an input, so that code is only
        # generated from a model that passed it, `networks` included, even
        # where validation actions are off (Bazel 4 without
        # --experimental_run_validations).
        inputs = [src] + ctx.attr.model[NeuralInfo].summaries,
        outputs = outs,
        mnemonic = "NeuralCompile",
        progress_message = "Generating %s model %s from %s" % (ctx.attr.backend, out.short_path, src.short_path),
    )
    runtime = toolchain.python_runtime
    runtime_py = runtime[PyInfo]
    return [
        DefaultInfo(
            files = depset(outs),
            runfiles = ctx.runfiles(files = outs).merge(runtime[DefaultInfo].default_runfiles),
        ),
        PyInfo(
            transitive_sources = depset(outs, transitive = [runtime_py.transitive_sources]),
            imports = depset([_import_root(ctx)], transitive = [runtime_py.imports]),
            has_py3_only_sources = True,
        ),
        OutputGroupInfo(neural_generated_srcs = depset(outs)),
    ]

neural_py_library = rule(
    implementation = _neural_py_library_impl,
    attrs = {
        "model": attr.label(
            mandatory = True,
            providers = [NeuralInfo],
            doc = "The neural_library to compile (one source file).",
        ),
        "backend": attr.string(
            default = "pytorch",
            values = ["pytorch"],
            doc = "The Python backend. `tensorflow` joins when its backend exists.",
        ),
        "network": attr.string(
            doc = "The network to generate; may be empty when the file declares exactly one.",
        ),
        "search": attr.bool(
            default = False,
            doc = "Also generate the HPO search driver `<name>_search.py` (the network must have HPO values).",
        ),
    },
    # Predeclared outputs, so that `:<name>.py` (and `:<name>_search.py`) are
    # labels (py_binary main).
    outputs = _outputs,
    toolchains = [TOOLCHAIN_TYPE],
    doc = """The generated Python module `<name>.py` of one network, as a Python library.

Importable as `<name>` (its package directory is on the import path) and
depending on the rules_neural runtime of the toolchain. With `search = True`
also `<name>_search.py`, the network's HPO search driver (it imports
`<name>`).""",
)
