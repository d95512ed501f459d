"""The neuralgen toolchain: the compiler and the runtime libraries it targets."""

NeuralToolchainInfo = provider(
    doc = "What a rules_neural toolchain provides.",
    fields = {
        "neuralgen": "FilesToRunProvider of the neuralgen compiler (exec configuration)",
        "python_runtime": "Target: the py_library the generated Python code imports (rules_neural runtime)",
    },
)

TOOLCHAIN_TYPE = str(Label("//rules/toolchains:toolchain_type"))

def _neural_toolchain_impl(ctx):
    return [platform_common.ToolchainInfo(
        neural = NeuralToolchainInfo(
            neuralgen = ctx.attr.neuralgen[DefaultInfo].files_to_run,
            python_runtime = ctx.attr.python_runtime,
        ),
    )]

neural_toolchain = rule(
    implementation = _neural_toolchain_impl,
    attrs = {
        "neuralgen": attr.label(
            mandatory = True,
            executable = True,
            allow_files = True,
            cfg = "exec",
            doc = "The neuralgen binary: built from source by default, or a prebuilt one.",
        ),
        "python_runtime": attr.label(
            mandatory = True,
            providers = [PyInfo],
            doc = "The Python package generated modules import (runtime/python).",
        ),
    },
    doc = "Declares a neuralgen compiler and its runtimes; register it with `toolchain()`.",
)

def _current_neuralgen_impl(ctx):
    tool = neural_toolchain_info(ctx).neuralgen
    return [DefaultInfo(
        files = depset([tool.executable]),
        runfiles = ctx.runfiles(files = [tool.executable]),
    )]

current_neuralgen = rule(
    implementation = _current_neuralgen_impl,
    toolchains = [TOOLCHAIN_TYPE],
    doc = """The neuralgen binary of the resolved toolchain, as a file.

For programs that run neuralgen themselves (the HPO search driver compiles
each trial): put it in `data` and pass `$(rootpath …)`.""",
)

def neural_toolchain_info(ctx):
    """Returns the NeuralToolchainInfo resolved for ctx."""
    return ctx.toolchains[TOOLCHAIN_TYPE].neural
