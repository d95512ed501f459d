"""neural_library: .neural sources, checked by neuralgen."""

load("//rules:providers.bzl", "NeuralInfo")
load(":toolchain.bzl", "TOOLCHAIN_TYPE", "neural_toolchain_info")

def _check(ctx, neuralgen, src):
    """One NeuralCheck action: `neuralgen summary --json`, which fails the
    build with the positioned diagnostics of `neuralgen check`."""
    out = ctx.actions.declare_file("%s_neural/%s.summary.json" % (ctx.label.name, src.basename))
    args = ctx.actions.args()
    args.add("summary")
    args.add("--json")
    args.add("--output", out)
    for n in ctx.attr.networks:
        args.add("--expect-network", n)
    args.add(src)
    ctx.actions.run(
        executable = neuralgen,
        arguments = [args],
        inputs = [src],
        outputs = [out],
        mnemonic = "NeuralCheck",
        progress_message = "Checking %s" % src.short_path,
    )
    return out

def _neural_library_impl(ctx):
    if ctx.attr.networks and len(ctx.files.srcs) != 1:
        # The names describe what one file declares (neural_py_library and
        # neural_model compile one file); which of several files declares
        # which network is unknown before neuralgen runs.
        fail("networks names the networks of a single source, but %s has %d; give each source its own neural_library" % (ctx.label, len(ctx.files.srcs)))
    toolchain = neural_toolchain_info(ctx)
    summaries = [_check(ctx, toolchain.neuralgen, src) for src in ctx.files.srcs]
    transitive = depset(ctx.files.srcs, transitive = [d[NeuralInfo].transitive_srcs for d in ctx.attr.deps])
    return [
        DefaultInfo(files = depset(ctx.files.srcs)),
        NeuralInfo(
            srcs = ctx.files.srcs,
            transitive_srcs = transitive,
            summaries = summaries,
            networks = list(ctx.attr.networks),
        ),
        # Checking runs as a validation action: `bazel build` of anything
        # that depends on this library fails on a model with errors.
        OutputGroupInfo(
            _validation = depset(summaries),
            neural_summaries = depset(summaries),
        ),
    ]

neural_library = rule(
    implementation = _neural_library_impl,
    attrs = {
        "srcs": attr.label_list(
            allow_files = [".neural", ".ndsl"],
            mandatory = True,
            doc = "The .neural files.",
        ),
        "deps": attr.label_list(
            providers = [NeuralInfo],
            doc = "Other neural_library targets these sources build on.",
        ),
        "networks": attr.string_list(
            doc = "The networks the source declares, in order. Optional, and only with exactly one source; when given, checking fails unless the source declares exactly these, and NeuralInfo.networks carries them at analysis time.",
        ),
    },
    toolchains = [TOOLCHAIN_TYPE],
    doc = "A set of .neural model sources, checked by `neuralgen check` (positioned diagnostics) as a validation action.",
)
