package main

import "github.com/rules-neural/rules_neural/generator/docgen"

var docCommand = &command{
	name:    "doc",
	args:    "layers",
	summary: "print reference documentation generated from the compiler's tables",
	detail: `Doc prints Markdown generated from the compiler's schema tables, so that it
always matches what the compiler accepts. The only topic is "layers": every
layer with its parameters, then activations, losses, optimizers, learning-
rate schedules and metrics. docs/layers.md is this output:

	go run ./generator/cmd/neuralgen doc layers > docs/layers.md`,
	run: runDoc,
}

func runDoc(e *env, c *command, args []string) int {
	topics, code, done := e.parseFlags(c, newFlagSet(c), args)
	if done {
		return code
	}
	if len(topics) != 1 {
		return e.usageError(c, "expected one topic (layers)")
	}
	switch topics[0] {
	case "layers":
		if _, err := e.stdout.Write(docgen.Layers()); err != nil {
			return exitError
		}
		return exitOK
	}
	return e.usageError(c, "unknown topic %q: the only topic is layers", topics[0])
}
