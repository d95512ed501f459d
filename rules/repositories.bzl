"""WORKSPACE set-up for rules_neural (Bazel 4.2.3, offline).

    load("@rules_neural//rules:repositories.bzl", "rules_neural_dependencies", "rules_neural_register_toolchains")
    rules_neural_dependencies()
    load("@io_bazel_rules_go//go:deps.bzl", "go_local_sdk", "go_rules_dependencies")
    go_rules_dependencies()
    go_local_sdk(name = "go_sdk", path = "/usr/lib/go-1.19")
    rules_neural_register_toolchains()

Every repository comes from this machine or the Go module proxy: rules_go as
a Go module, Debian's bazel-skylib and bazel-rules-java, and small shims
written in place. A repository the WORKSPACE already declares is kept.
"""

load("//rules/private:repositories.bzl", "files_repository", "go_module_archive")

RULES_GO_VERSION = "v0.34.0"

# The last rules_go release that works with Bazel 4.2.3; it needs Go <= 1.19.
RULES_GO_SUM = "h1:cmObMtgIOaEU944SqXtJ9DnlS8IPGGa7pdRnsrpQzXM="

def _maybe(rule, name, **kwargs):
    if name not in native.existing_rules():
        rule(name = name, **kwargs)

_RULES_CC_SHIM = {
    "WORKSPACE": "workspace(name = \"rules_cc\")\n",
    "BUILD.bazel": "",
    "cc/BUILD.bazel": "",
    "cc/defs.bzl": "\n".join([
        "\"\"\"The native C++ rules under rules_cc's names (Bazel 4 has them built in).\"\"\"",
        "",
        "cc_binary = native.cc_binary",
        "cc_import = native.cc_import",
        "cc_library = native.cc_library",
        "cc_proto_library = native.cc_proto_library",
        "cc_test = native.cc_test",
        "cc_toolchain = native.cc_toolchain",
        "cc_toolchain_suite = native.cc_toolchain_suite",
        "fdo_prefetch_hints = native.fdo_prefetch_hints",
        "fdo_profile = native.fdo_profile",
        "objc_library = native.objc_library",
        "",
    ]),
}

_COVERAGE_STUB = {
    "WORKSPACE": "workspace(name = \"remote_coverage_tools\")\n",
    "BUILD.bazel": "\n".join(
        ["# Coverage is not collected offline; tests only need these labels to exist."] +
        ["filegroup(name = \"%s\", srcs = [], visibility = [\"//visibility:public\"])" % n for n in [
            "coverage_output_generator",
            "coverage_report_generator",
            "lcov_merger",
        ]] + [""],
    ),
}

def rules_neural_dependencies(
        skylib_path = "/usr/share/bazel/tools/skylib",
        rules_java_path = "/usr/share/bazel/rules/java"):
    """Declares the repositories rules_neural needs, all available offline.

    Args:
      skylib_path: where Debian's bazel-skylib is installed.
      rules_java_path: where Debian's bazel-rules-java is installed.
    """
    _maybe(native.local_repository, "bazel_skylib", path = skylib_path)
    _maybe(native.local_repository, "rules_java", path = rules_java_path)
    _maybe(
        go_module_archive,
        "io_bazel_rules_go",
        module = "github.com/bazelbuild/rules_go",
        version = RULES_GO_VERSION,
        sum = RULES_GO_SUM,
    )
    _maybe(files_repository, "rules_cc", files = _RULES_CC_SHIM)
    _maybe(files_repository, "remote_coverage_tools", files = _COVERAGE_STUB)

def rules_neural_register_toolchains(python = True):
    """Registers neuralgen's toolchain (built from source with rules_go).

    Args:
      python: also register the Python toolchain for Debian's /usr/bin/python3,
        which has torch, numpy and onnx (tools/setup.sh installs them).
    """
    native.register_toolchains(str(Label("//rules/toolchains:neuralgen_toolchain")))
    if python:
        native.register_toolchains(str(Label("//rules/toolchains:python_toolchain")))
