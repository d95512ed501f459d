package main

import (
	"github.com/rules-neural/rules_neural/generator/diag"
	"github.com/rules-neural/rules_neural/generator/driver"
	"github.com/rules-neural/rules_neural/generator/ir"
)

var checkCommand = &command{
	name:    "check",
	args:    "[--json] FILE...",
	summary: "parse and check files, reporting every error and warning",
	detail: `Check parses each FILE, resolves it against the layer schema and infers
every shape. Diagnostics go to standard error as

	path:line:col: error: message

followed by the source line, a caret under the offending text and, where
it helps, a hint. With --json they are printed on standard output as one
JSON object instead.

Exit status: 0 when no file has errors (warnings allowed), 1 when any file
has errors or cannot be read, 2 for a wrong command line.`,
	run: runCheck,
}

func runCheck(e *env, c *command, args []string) int {
	fs := newFlagSet(c)
	asJSON := fs.Bool("json", false, "print the diagnostics of all files as one JSON object on standard output")
	files, code, done := e.parseFlags(c, fs, args)
	if done {
		return code
	}
	if len(files) == 0 {
		return e.usageError(c, "no files given")
	}
	all := &diag.List{}
	failed := false
	for _, path := range files {
		_, diags, sources := e.checkFile(path)
		if diags.HasErrors() {
			failed = true
		}
		if *asJSON {
			all.Append(diags)
		} else {
			diag.Render(e.stderr, diags, sources)
		}
	}
	if *asJSON {
		if err := diag.RenderJSON(e.stdout, all); err != nil {
			return exitError
		}
	}
	if failed {
		return exitError
	}
	return exitOK
}

// checkFile reads and checks one file. The model is nil when the file could
// not be read or parsed.
func (e *env) checkFile(path string) (*ir.Model, *diag.List, diag.Sources) {
	return e.checkFilePinned(path, nil)
}

// checkFilePinned checks path with some hyper-parameters fixed (compile
// --hpo-values); nil pins is a plain check.
func (e *env) checkFilePinned(path string, pins driver.Pins) (*ir.Model, *diag.List, diag.Sources) {
	readDiags := &diag.List{}
	src := e.load(path, readDiags)
	if src == nil {
		return nil, readDiags, nil
	}
	model, diags := driver.CheckPinned(src.Name, src.Text, pins)
	return model, diags, src.Sources()
}

// checkOne is the front half of the commands that show one file's model
// (summary, graph): it prints the file's diagnostics and returns the model,
// or nil when there were errors and the command must exit 1.
func (e *env) checkOne(path string) *ir.Model {
	model, diags, sources := e.checkFile(path)
	diag.Render(e.stderr, diags, sources)
	if diags.HasErrors() || model == nil {
		return nil
	}
	return model
}
