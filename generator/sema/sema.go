// Package sema turns a parsed file into the typed IR: it binds parameters
// against the schema table, expands macros and repeats, builds the graph of
// residuals, branches and merges, and resolves the training vocabulary.
package sema

import (
	"github.com/rules-neural/rules_neural/generator/diag"
	"github.com/rules-neural/rules_neural/generator/ir"
	"github.com/rules-neural/rules_neural/generator/syntax"
)

// Build lowers f to IR, reporting problems to diags. It returns a model even
// when there are errors (networks with errors may be incomplete).
func Build(f *syntax.File, diags *diag.List) *ir.Model {
	return &ir.Model{File: f.Pos.Filename}
}
