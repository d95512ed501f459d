package main

import (
	"fmt"

	"github.com/rules-neural/rules_neural/generator/version"
)

var versionCommand = &command{
	name:    "version",
	args:    "",
	summary: "print the compiler version and the runtime contract version",
	detail: `Version prints the neuralgen version and the version of the runtime
contract: the interface between generated code and the runtime libraries
(runtime/go, runtime/python) that generated code checks when it loads.`,
	run: runVersion,
}

func runVersion(e *env, c *command, args []string) int {
	rest, code, done := e.parseFlags(c, newFlagSet(c), args)
	if done {
		return code
	}
	if len(rest) != 0 {
		return e.usageError(c, "takes no arguments")
	}
	fmt.Fprintf(e.stdout, "neuralgen %s (runtime contract %d)\n", version.Version, version.RuntimeContract)
	return exitOK
}
