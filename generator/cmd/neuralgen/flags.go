package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/rules-neural/rules_neural/generator/diag"
	"github.com/rules-neural/rules_neural/generator/driver"
)

// newFlagSet returns an empty flag set for c that reports nothing itself:
// parseFlags decides where help and errors go.
func newFlagSet(c *command) *flag.FlagSet {
	fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// parseFlags parses args, allowing flags after the file names
// (`neuralgen summary model.neural --json`); "--" ends the flags. When done
// is true the command must return code at once: -h printed the usage
// (exit 0) or the flags were wrong (exit 2).
func (e *env) parseFlags(c *command, fs *flag.FlagSet, args []string) (positional []string, code int, done bool) {
	for {
		err := fs.Parse(args)
		if errors.Is(err, flag.ErrHelp) {
			writeCommandUsage(e.stdout, c, fs)
			return nil, exitOK, true
		}
		if err != nil {
			return nil, e.usageError(c, "%v", err), true
		}
		consumed := len(args) - fs.NArg()
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, 0, false
		}
		if consumed > 0 && args[consumed-1] == "--" {
			return append(positional, rest...), 0, false
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// usageError reports a wrong command line and returns exitUsage.
func (e *env) usageError(c *command, format string, args ...interface{}) int {
	fmt.Fprintf(e.stderr, "neuralgen %s: %s\n", c.name, fmt.Sprintf(format, args...))
	fmt.Fprintf(e.stderr, "usage: %s\nRun 'neuralgen help %s' for details.\n", c.synopsis(), c.name)
	return exitUsage
}

// writeCommandUsage prints the synopsis, the description and the flags.
func writeCommandUsage(w io.Writer, c *command, fs *flag.FlagSet) {
	var b strings.Builder
	fmt.Fprintf(&b, "usage: %s\n\n", c.synopsis())
	detail := c.detail
	if detail == "" {
		detail = strings.ToUpper(c.summary[:1]) + c.summary[1:] + "."
	}
	b.WriteString(detail + "\n")
	if fs != nil {
		hasFlags := false
		fs.VisitAll(func(*flag.Flag) { hasFlags = true })
		if hasFlags {
			b.WriteString("\nFlags:\n")
			fs.SetOutput(&b)
			fs.PrintDefaults()
			fs.SetOutput(io.Discard)
		}
	}
	io.WriteString(w, b.String())
}

// load reads one input file. A file that cannot be read is reported like
// any other error in it (`path: error: …`), so --json output covers it too.
func (e *env) load(path string, diags *diag.List) *driver.Source {
	src, err := driver.Read(path, e.stdin)
	if err != nil {
		name, msg := path, err.Error()
		var pe *os.PathError
		if errors.As(err, &pe) {
			name, msg = pe.Path, pe.Err.Error()
		}
		diags.Errorf(diag.At(diag.Pos{File: name}), "cannot read file: %s", msg)
		return nil
	}
	return src
}
