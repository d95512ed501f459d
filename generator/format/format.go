// Package format prints a .neural file in one canonical style, keeping every
// comment. It is the implementation of `neuralgen fmt`.
//
// The printer walks the AST and writes tokens in order. Before each token it
// emits the comments that precede it in the source: a comment on the same
// source line as the previous token stays at the end of that line, any other
// comment gets a line of its own just before the token. Because only the
// order of tokens and comments and the "same line" relation decide where a
// comment goes, and the output keeps both, formatting is idempotent.
package format

import (
	"github.com/rules-neural/rules_neural/generator/diag"
	"github.com/rules-neural/rules_neural/generator/syntax"
)

const (
	// maxWidth is the column limit past which an argument list, tuple,
	// list or inline dict is broken one element per line.
	maxWidth = 100
	// indentUnit is one level of indentation.
	indentUnit = "  "
)

// Source formats one file. It returns the formatted text, or nil and the
// parser's diagnostics when src has syntax errors.
func Source(filename string, src []byte) ([]byte, *diag.List) {
	f, diags := syntax.Parse(filename, src)
	if f == nil || diags.HasErrors() {
		return nil, diags
	}
	return printFile(filename, src, f), diags
}

// printFile formats the parsed file f of source src.
func printFile(filename string, src []byte, f *syntax.File) []byte {
	p := newPrinter(src, syntax.Comments(filename, src), f)
	p.file(f)
	if p.out == nil {
		return []byte{} // an empty file: empty output, not "no output"
	}
	return p.out
}
