// Command neuralgen compiles .neural model sources: it checks them, prints
// summaries and graphs, formats them and (later) generates backend code.
// This package only parses flags and wires the compiler's packages together;
// DESIGN.md §3 is the contract for every command.
package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/rules-neural/rules_neural/generator/diag"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// Exit statuses (DESIGN.md §3).
const (
	exitOK    = 0 // no errors
	exitError = 1 // the input has errors, or a file could not be read or written
	exitUsage = 2 // the command line is wrong
)

// env is what a command may touch: tests run commands in-process with
// buffers instead of the process's streams.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
}

// command is one subcommand.
type command struct {
	name    string
	args    string // synopsis after the name: "[--json] FILE..."
	summary string // one line for `neuralgen help`
	detail  string // the paragraph(s) for `neuralgen help NAME`
	run     func(e *env, c *command, args []string) int
}

// commands lists the subcommands in the order `neuralgen help` shows them.
// It is a function rather than a variable because `help` refers back to it.
func commands() []*command {
	return []*command{
		checkCommand,
		summaryCommand,
		graphCommand,
		fmtCommand,
		docCommand,
		versionCommand,
		compileCommand,
		bazelCommand,
		{name: "help", args: "[COMMAND]", summary: "show help for neuralgen or for one command", run: runHelp},
	}
}

// synopsis is the command line the command expects.
func (c *command) synopsis() string {
	return strings.TrimSpace("neuralgen " + c.name + " " + c.args)
}

func lookupCommand(name string) *command {
	for _, c := range commands() {
		if c.name == name {
			return c
		}
	}
	return nil
}

// run executes the command line args (without the program name) and returns
// the exit status.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) == 0 {
		writeMainUsage(stderr)
		return exitUsage
	}
	switch args[0] {
	case "-h", "-help", "--help":
		writeMainUsage(stdout)
		return exitOK
	}
	c := lookupCommand(args[0])
	if c == nil {
		fmt.Fprintf(stderr, "neuralgen: unknown command %q", args[0])
		var names []string
		for _, c := range commands() {
			names = append(names, c.name)
		}
		if s := diag.Suggest(args[0], names); s != "" {
			fmt.Fprintf(stderr, "; did you mean %q?", s)
		}
		fmt.Fprintf(stderr, "\nRun 'neuralgen help' for usage.\n")
		return exitUsage
	}
	return c.run(e, c, args[1:])
}

func writeMainUsage(w io.Writer) {
	var b strings.Builder
	b.WriteString("neuralgen compiles .neural model sources.\n\n")
	b.WriteString("Usage:\n\n\tneuralgen <command> [arguments]\n\nCommands:\n\n")
	for _, c := range commands() {
		fmt.Fprintf(&b, "\t%-8s  %s\n", c.name, c.summary)
	}
	b.WriteString("\nA FILE of \"-\" reads standard input.\n")
	b.WriteString("Run 'neuralgen help <command>' for more about a command.\n")
	io.WriteString(w, b.String())
}

func runHelp(e *env, c *command, args []string) int {
	switch len(args) {
	case 0:
		writeMainUsage(e.stdout)
		return exitOK
	case 1:
	default:
		return e.usageError(c, "expected at most one command name")
	}
	target := lookupCommand(args[0])
	if target == nil {
		return e.usageError(c, "unknown command %q", args[0])
	}
	if target.name == c.name {
		writeCommandUsage(e.stdout, target, nil)
		return exitOK
	}
	// Each command declares its own flags; asking it for -h prints its
	// usage with them, so help never goes out of date.
	return target.run(e, target, []string{"-h"})
}
