"""Repository rules for the offline WORKSPACE set-up (Bazel 4.2.3).

Nothing here reaches a download site: Go modules come through the Go module
proxy (the `go` command and its module cache), and the shims are written
in place. rules/repositories.bzl is the public entry point.
"""

def _go_command(rctx):
    for candidate in [rctx.os.environ.get("RULES_NEURAL_GO", ""), "/usr/lib/go-1.19/bin/go"]:
        if candidate and rctx.path(candidate).exists:
            return rctx.path(candidate)
    found = rctx.which("go")
    if not found:
        fail("rules_neural: no `go` command; install golang-1.19-go (tools/setup.sh) or set RULES_NEURAL_GO")
    return found

def _go_module_archive_impl(rctx):
    """Fetches a Go module with `go mod download` and unpacks its zip."""
    go = _go_command(rctx)
    spec = "%s@%s" % (rctx.attr.module, rctx.attr.version)
    env = {"GOTOOLCHAIN": "local", "GOFLAGS": "-mod=mod"}
    res = rctx.execute([go, "mod", "download", "-json", spec], environment = env, timeout = 600)
    if res.return_code != 0:
        fail("rules_neural: `go mod download %s` failed:\n%s%s" % (spec, res.stdout, res.stderr))
    info = json.decode(res.stdout)
    if info.get("Error"):
        fail("rules_neural: `go mod download %s`: %s" % (spec, info["Error"]))
    if rctx.attr.sum and info.get("Sum") != rctx.attr.sum:
        fail("rules_neural: %s has checksum %s, expected %s" % (spec, info.get("Sum"), rctx.attr.sum))
    rctx.extract(info["Zip"], stripPrefix = spec)

go_module_archive = repository_rule(
    implementation = _go_module_archive_impl,
    attrs = {
        "module": attr.string(mandatory = True, doc = "module path, e.g. github.com/bazelbuild/rules_go"),
        "version": attr.string(mandatory = True),
        "sum": attr.string(doc = "the go.sum hash (h1:…) the zip must have"),
    },
    environ = ["RULES_NEURAL_GO", "GOPROXY", "GOMODCACHE", "GOPATH", "HOME"],
    doc = "A Bazel repository holding one Go module, fetched through the Go module proxy.",
)

def _files_repository_impl(rctx):
    for path, content in rctx.attr.files.items():
        rctx.file(path, content, executable = False)

files_repository = repository_rule(
    implementation = _files_repository_impl,
    attrs = {"files": attr.string_dict(mandatory = True)},
    doc = "A repository made of the given files (shims and stubs).",
)
