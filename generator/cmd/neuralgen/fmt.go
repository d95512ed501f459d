package main

import (
	"bytes"
	"fmt"
	"os"

	"github.com/rules-neural/rules_neural/generator/diag"
	"github.com/rules-neural/rules_neural/generator/driver"
	"github.com/rules-neural/rules_neural/generator/format"
	"github.com/rules-neural/rules_neural/generator/textdiff"
)

var fmtCommand = &command{
	name:    "fmt",
	args:    "[-w] [-d] FILE...",
	summary: "format files in the canonical style",
	detail: `Fmt prints each FILE in the canonical style: canonical spelling of layer,
activation, loss and optimizer names, one layer per line, comments kept.
Formatting is idempotent.

With -w a file whose formatting changes is replaced atomically (never left
half written); files already formatted are not touched. With -d a unified
diff of the changes is printed instead of the formatted text. A file with
syntax errors is left alone, its errors are reported and the exit status
is 1.`,
	run: runFmt,
}

func runFmt(e *env, c *command, args []string) int {
	fs := newFlagSet(c)
	write := fs.Bool("w", false, "write the result back to the file when it changes, instead of printing it")
	showDiff := fs.Bool("d", false, "print a unified diff of the changes instead of the formatted text")
	files, code, done := e.parseFlags(c, fs, args)
	if done {
		return code
	}
	if len(files) == 0 {
		return e.usageError(c, "no files given")
	}
	if *write {
		for _, f := range files {
			if f == driver.StdinPath {
				return e.usageError(c, "cannot use -w with standard input")
			}
		}
	}
	status := exitOK
	for _, path := range files {
		if !e.formatFile(path, *write, *showDiff) {
			status = exitError
		}
	}
	return status
}

// formatFile formats one file and reports whether that succeeded.
func (e *env) formatFile(path string, write, showDiff bool) bool {
	diags := &diag.List{}
	src := e.load(path, diags)
	if src == nil {
		diag.Render(e.stderr, diags, nil)
		return false
	}
	out, fdiags := format.Source(src.Name, src.Text)
	if fdiags != nil {
		diag.Render(e.stderr, fdiags, src.Sources())
		if fdiags.HasErrors() {
			return false
		}
	}
	// Comments are kept, so only a blank file formats to nothing; anything
	// else is a formatter bug that -w must not turn into an emptied file.
	if len(bytes.TrimSpace(out)) == 0 && len(bytes.TrimSpace(src.Text)) > 0 {
		fmt.Fprintf(e.stderr, "neuralgen fmt: %s: the formatter returned no text; file left unchanged\n", src.Name)
		return false
	}
	changed := !bytes.Equal(src.Text, out)
	if showDiff && changed {
		e.stdout.Write(textdiff.Unified(src.Name+".orig", src.Name, src.Text, out))
	}
	if write && changed {
		perm := os.FileMode(0o644)
		if info, err := os.Stat(path); err == nil {
			perm = info.Mode().Perm()
		}
		if err := driver.WriteFileAtomic(path, out, perm); err != nil {
			fmt.Fprintf(e.stderr, "neuralgen fmt: %v\n", err)
			return false
		}
	}
	if !write && !showDiff {
		e.stdout.Write(out)
	}
	return true
}
