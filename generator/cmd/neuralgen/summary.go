package main

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/rules-neural/rules_neural/generator/driver"
	"github.com/rules-neural/rules_neural/generator/summary"
)

var summaryCommand = &command{
	name:    "summary",
	args:    "[--json] [--output FILE] [--expect-network N]... FILE",
	summary: "print each network's layers, output shapes and parameter counts",
	detail: `Summary checks FILE and prints, for each network, a table in the style of
Keras' model.summary(): every layer with its type, output shape (batch
dimension first, as None) and parameter count, then the total, trainable
and non-trainable parameter counts. For a network with HPO values the
shapes and counts are those of the default values (the first choice; lo of
a range).

With --json the same facts are printed as
{"networks":[{"name", "inputs":[{"name","shape"}], "output_shape",
"layers":[{"name","type","output_shape","params"}], "trainable_params",
"non_trainable_params", "total_params"}]}, shapes being lists whose
null entries are the batch and unknown dimensions: [null, 26, 26, 32].

--output writes the summary to FILE (atomically) instead of standard
output. --expect-network, repeated, names the networks FILE must declare,
in order; any difference is an error (build systems that name networks
before the compiler runs use it to keep the two in step).

Diagnostics go to standard error; with errors nothing is printed on
standard output and the exit status is 1.`,
	run: runSummary,
}

func runSummary(e *env, c *command, args []string) int {
	fs := newFlagSet(c)
	asJSON := fs.Bool("json", false, "print the summary as JSON")
	output := fs.String("output", "", "write the summary to this file instead of standard output")
	var expect stringsFlag
	fs.Var(&expect, "expect-network", "a network FILE must declare, in order (repeatable)")
	files, code, done := e.parseFlags(c, fs, args)
	if done {
		return code
	}
	if len(files) != 1 {
		return e.usageError(c, "expected exactly one FILE, got %d", len(files))
	}
	model := e.checkOne(files[0])
	if model == nil {
		return exitError
	}
	if len(expect) > 0 {
		got := model.NetworkNames()
		if strings.Join(got, ",") != strings.Join(expect, ",") {
			fmt.Fprintf(e.stderr, "%s: error: declares the networks [%s], expected [%s]\n",
				files[0], strings.Join(got, ", "), strings.Join(expect, ", "))
			return exitError
		}
	}
	var buf bytes.Buffer
	var err error
	if *asJSON {
		err = summary.WriteJSON(&buf, model)
	} else {
		if len(model.Networks) == 0 {
			fmt.Fprintf(e.stderr, "neuralgen summary: %s declares no network\n", files[0])
		}
		err = summary.WriteText(&buf, model)
	}
	if err == nil {
		if *output != "" {
			err = driver.WriteFileAtomic(*output, buf.Bytes(), 0o644)
		} else {
			_, err = e.stdout.Write(buf.Bytes())
		}
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "neuralgen summary: %v\n", err)
		return exitError
	}
	return exitOK
}
