"""Providers of rules_neural."""

NeuralInfo = provider(
    doc = "A checked set of .neural model sources (from neural_library).",
    fields = {
        "srcs": "list of File: the .neural files of this target",
        "transitive_srcs": "depset of File: these and the deps' .neural files",
        "summaries": "list of File: `neuralgen summary --json` of each source (networks, inputs, shapes, parameters), in srcs order",
        "networks": "list of string: the network names the target declares with `networks` (checked by the validation action); empty when not declared",
    },
)
