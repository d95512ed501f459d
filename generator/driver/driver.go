// Package driver runs the compiler pipeline (syntax → sema → shape) on one
// file and does the file I/O around it: reading sources (standard input for
// "-") and writing outputs atomically. The CLI, tests and benchmarks all enter
// the compiler here so that they see exactly the same diagnostics.
package driver

import (
	"github.com/rules-neural/rules_neural/generator/diag"
	"github.com/rules-neural/rules_neural/generator/ir"
)

// Check parses, lowers and shape-checks one file. filename is used verbatim
// in diagnostics, so callers pass the path as the user wrote it.
//
// The model is nil when the file has syntax errors (there is no AST to lower).
// Otherwise it is returned even when sema or shape reported errors, because
// every network is shape-checked so that all errors of a file show in one
// run. The diagnostics are normalized: in source order, deduplicated and
// capped (diag.Normalize).
func Check(filename string, src []byte) (*ir.Model, *diag.List) {
	return CheckPinned(filename, src, nil)
}
