package main

import (
	"fmt"

	"github.com/rules-neural/rules_neural/generator/bazelgen"
	"github.com/rules-neural/rules_neural/generator/diag"
	"github.com/rules-neural/rules_neural/generator/driver"
	"github.com/rules-neural/rules_neural/generator/textdiff"
)

var bazelCommand = &command{
	name:    "bazel",
	args:    "[--mode fix|diff|print] [--load LABEL] DIR",
	summary: "create or update BUILD.bazel targets for the .neural files in DIR",
	detail: `Bazel keeps the BUILD file of DIR (BUILD.bazel, or BUILD if that is the
one there) in step with the .neural files of DIR, like Gazelle: one
neural_model target per network. A file with one network gets a target
named after the file (mnist.neural → mnist); a file with several gets one
per network, named <file>_<network in snake_case> and with network = "…".
A network with hyper-parameters to search gets search = True (its
<target>_search runs the search), and loses it when it has none.

Existing neural_model targets are matched by src and network, not by name:
renamed targets and attributes added by hand are kept. A target whose
source file is gone, or no longer declares its network, is removed. A rule
with a "# keep" comment, or whose src or network carries one, is never
changed or removed. neural_model is loaded from LABEL (default
@rules_neural//rules:defs.bzl) unless the file already loads it; the
load goes when no target uses it. The result is formatted like buildifier.

Modes: fix (default) writes the file, atomically, when it changes; diff
prints a unified diff and exits 1 when the file is not up to date (for CI);
print writes the new file to standard output. Model files with syntax
errors are reported and nothing is written.`,
	run: runBazel,
}

func runBazel(e *env, c *command, args []string) int {
	fs := newFlagSet(c)
	mode := fs.String("mode", "fix", "fix, diff or print")
	load := fs.String("load", bazelgen.DefaultLoad, "the .bzl file to load neural_model from")
	dirs, code, done := e.parseFlags(c, fs, args)
	if done {
		return code
	}
	if len(dirs) != 1 {
		return e.usageError(c, "expected exactly one DIR, got %d", len(dirs))
	}
	switch *mode {
	case "fix", "diff", "print":
	default:
		return e.usageError(c, "unknown --mode %q (fix, diff or print)", *mode)
	}
	res, diags, texts, err := bazelgen.Sync(dirs[0], bazelgen.Options{Load: *load})
	if diags != nil {
		diag.Render(e.stderr, diags, texts)
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "neuralgen %s: %v\n", c.name, err)
		return exitError
	}
	if res == nil {
		return exitError
	}
	switch *mode {
	case "print":
		if _, err := e.stdout.Write(res.New); err != nil {
			return exitError
		}
	case "diff":
		if res.Changed() {
			e.stdout.Write(textdiff.Unified(res.Path, res.Path, res.Old, res.New))
			return exitError
		}
	case "fix":
		if res.Changed() {
			if err := driver.WriteFileAtomic(res.Path, res.New, 0o644); err != nil {
				fmt.Fprintf(e.stderr, "neuralgen %s: %v\n", c.name, err)
				return exitError
			}
		}
	}
	return exitOK
}
