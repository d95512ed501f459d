"""Public API of rules_neural: .neural model files as Bazel sources.

    load("@rules_neural//rules:defs.bzl", "neural_model")

    neural_model(name = "mnist", src = "mnist.neural")

docs/bazel.md describes every rule, attribute, provider and output.
"""

load("//rules:providers.bzl", _NeuralInfo = "NeuralInfo")
load("//rules/private:library.bzl", _neural_library = "neural_library")
load("//rules/private:model.bzl", _neural_model = "neural_model")
load("//rules/private:py_library.bzl", _neural_py_library = "neural_py_library")
load("//rules/private:toolchain.bzl", _NeuralToolchainInfo = "NeuralToolchainInfo", _neural_toolchain = "neural_toolchain")

NeuralInfo = _NeuralInfo
NeuralToolchainInfo = _NeuralToolchainInfo
neural_library = _neural_library
neural_model = _neural_model
neural_py_library = _neural_py_library
neural_toolchain = _neural_toolchain
