package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/rules-neural/rules_neural/generator/backend"
	"github.com/rules-neural/rules_neural/generator/diag"
	"github.com/rules-neural/rules_neural/generator/driver"
	"github.com/rules-neural/rules_neural/generator/ir"
)

var compileCommand = &command{
	name:    "compile",
	args:    "--backend B [-o DIR | --output FILE [--search-output FILE]] [--network N] [--check] FILE",
	summary: "generate a backend's code from FILE (today: PyTorch)",
	detail: `Compile checks FILE and, when it has no errors, generates the backend's
files for each network (or only the networks named with --network, which
may be repeated) into DIR, by default the directory of FILE. Files are
replaced atomically: a reader sees the old or the new file, never a part.

The generated files name FILE as the path given on the command line (made
relative to the current directory when it is absolute), so the same
command gives the same bytes on every machine.

With --output, the one network selected (the file's only network, or the
one named with --network) is written to that path instead of DIR/<name>:
build systems name outputs before the compiler runs (Bazel declares them
from the target's name). The HPO search driver of that network, which -o
writes beside the module, is written to --search-output instead; it imports
the module under the name --output gives it, and a network with nothing to
search is an error then.

With --check nothing is written: compile compares the files on disk with
what it would generate, lists the missing or stale ones on standard error
and exits 1 if there are any (for go:generate or CI freshness checks).

Diagnostics are printed as by 'neuralgen check'. Exit status: 0 on
success, 1 when FILE has errors, a backend cannot express it or files are
stale, 2 for a wrong command line (an unknown backend lists the known ones).`,
	run: runCompile,
}

// stringsFlag is a flag that may be given several times.
type stringsFlag []string

func (s *stringsFlag) String() string { return strings.Join(*s, ",") }

func (s *stringsFlag) Set(v string) error {
	*s = append(*s, v)
	return nil
}

func runCompile(e *env, c *command, args []string) int {
	fs := newFlagSet(c)
	backendName := fs.String("backend", "", "the backend: "+strings.Join(driver.Backends().Names(), ", "))
	outDir := fs.String("o", "", "output directory (default: the directory of FILE)")
	var networks stringsFlag
	fs.Var(&networks, "network", "generate only this network (repeatable)")
	output := fs.String("output", "", "write the selected network's module to this file (exactly one network)")
	searchOutput := fs.String("search-output", "", "with --output: write the network's HPO search driver to this file")
	check := fs.Bool("check", false, "write nothing; exit 1 if the files on disk are missing or stale")
	hpoValues := fs.String("hpo-values", "", "JSON file of chosen hyper-parameters (the search driver's best.json) to pin")
	files, code, done := e.parseFlags(c, fs, args)
	if done {
		return code
	}
	if len(files) != 1 {
		return e.usageError(c, "expected exactly one FILE, got %d", len(files))
	}
	if *output != "" && (*outDir != "" || *check) {
		return e.usageError(c, "--output cannot be combined with -o or --check")
	}
	if *searchOutput != "" && *output == "" {
		return e.usageError(c, "--search-output needs --output")
	}
	registry := driver.Backends()
	if *backendName == "" {
		return e.usageError(c, "--backend is required (one of: %s)", strings.Join(registry.Names(), ", "))
	}
	b, ok := registry.Lookup(*backendName)
	if !ok {
		return e.usageError(c, "unknown backend %q (available: %s)", *backendName, strings.Join(registry.Names(), ", "))
	}
	var pins driver.Pins
	if *hpoValues != "" {
		data, err := os.ReadFile(*hpoValues)
		if err == nil {
			pins, err = driver.ParsePins(data)
		}
		if err != nil {
			fmt.Fprintf(e.stderr, "neuralgen compile: --hpo-values: %v\n", err)
			return exitError
		}
	}
	path := files[0]
	model, diags, sources := e.checkFilePinned(path, pins)
	if diags.HasErrors() || model == nil {
		diag.Render(e.stderr, diags, sources)
		return exitError
	}
	req := &backend.Request{Model: model, Source: sourceName(path), Networks: networks}
	if *output != "" {
		req.Module = strings.TrimSuffix(filepath.Base(*output), ".py")
	}
	out, bdiags := b.Generate(req)
	diags.Append(bdiags)
	diags.Normalize()
	diag.Render(e.stderr, diags, sources)
	if diags.HasErrors() {
		return exitError
	}
	if *output != "" {
		return e.writeOutput(c, *output, *searchOutput, model, req, out)
	}
	dir := *outDir
	if dir == "" {
		dir = "."
		if path != driver.StdinPath {
			dir = filepath.Dir(path)
		}
	}
	if *check {
		return e.checkFresh(c, dir, out)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		fmt.Fprintf(e.stderr, "neuralgen %s: %v\n", c.name, err)
		return exitError
	}
	for _, f := range out {
		if err := driver.WriteFileAtomic(filepath.Join(dir, filepath.FromSlash(f.Name)), f.Content, 0o644); err != nil {
			fmt.Fprintf(e.stderr, "neuralgen %s: %v\n", c.name, err)
			return exitError
		}
	}
	return exitOK
}

// writeOutput writes the module of the one selected network to path and,
// when searchPath is set, its search driver there.
func (e *env) writeOutput(c *command, path, searchPath string, model *ir.Model, req *backend.Request, out []backend.File) int {
	nets, err := req.Selected()
	if err == nil && len(nets) != 1 {
		err = fmt.Errorf("--output writes one network, but %s declares %d (%s): choose one with --network",
			req.Source, len(nets), strings.Join(model.NetworkNames(), ", "))
	}
	var files []backend.File
	if err == nil {
		module, ok := fileOf(out, backend.Module)
		if !ok {
			err = fmt.Errorf("no module was generated for %s", req.Source)
		}
		files = append(files, backend.File{Name: path, Content: module})
	}
	if err == nil && searchPath != "" {
		search, ok := fileOf(out, backend.SearchDriver)
		if !ok {
			err = fmt.Errorf("--search-output: network %s has no hyper-parameters to search (no HPO values, or all pinned), so there is no search driver", nets[0].Name)
		}
		files = append(files, backend.File{Name: searchPath, Content: search})
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "neuralgen %s: %v\n", c.name, err)
		return exitError
	}
	for _, f := range files {
		if err := os.MkdirAll(filepath.Dir(f.Name), 0o755); err != nil {
			fmt.Fprintf(e.stderr, "neuralgen %s: %v\n", c.name, err)
			return exitError
		}
		if err := driver.WriteFileAtomic(f.Name, f.Content, 0o644); err != nil {
			fmt.Fprintf(e.stderr, "neuralgen %s: %v\n", c.name, err)
			return exitError
		}
	}
	return exitOK
}

// fileOf returns the content of the generated file with the given role (of
// the one network generated).
func fileOf(out []backend.File, role backend.Role) ([]byte, bool) {
	for _, f := range out {
		if f.Role == role {
			return f.Content, true
		}
	}
	return nil, false
}

// checkFresh compares the generated files with the ones in dir.
func (e *env) checkFresh(c *command, dir string, out []backend.File) int {
	stale := 0
	for _, f := range out {
		p := filepath.Join(dir, filepath.FromSlash(f.Name))
		have, err := os.ReadFile(p)
		switch {
		case os.IsNotExist(err):
			fmt.Fprintf(e.stderr, "neuralgen %s: %s is missing\n", c.name, p)
			stale++
		case err != nil:
			fmt.Fprintf(e.stderr, "neuralgen %s: %v\n", c.name, err)
			stale++
		case !bytes.Equal(have, f.Content):
			fmt.Fprintf(e.stderr, "neuralgen %s: %s is stale\n", c.name, p)
			stale++
		}
	}
	if stale > 0 {
		fmt.Fprintf(e.stderr, "neuralgen %s: %d of %d generated files need regenerating: run the same command without --check\n",
			c.name, stale, len(out))
		return exitError
	}
	return exitOK
}

// sourceName is the path written into generated headers: as given, with
// forward slashes, and relative to the current directory when it is
// absolute and below it, so that output does not depend on the machine.
func sourceName(path string) string {
	if path == driver.StdinPath {
		return driver.StdinName
	}
	if filepath.IsAbs(path) {
		if wd, err := os.Getwd(); err == nil {
			if rel, err := filepath.Rel(wd, path); err == nil && !strings.HasPrefix(rel, "..") {
				path = rel
			}
		}
	}
	return filepath.ToSlash(filepath.Clean(path))
}

var _ flag.Value = (*stringsFlag)(nil)
