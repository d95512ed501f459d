package rules_test

import "flag"

// This package has no golden files. It accepts -update so that
// go test ./... -update, which rewrites the golden files of the packages
// that have them, also runs here (generator/internal/golden, which owns the
// flag elsewhere, is not importable from rules/).
var _ = flag.Bool("update", false, "no effect: this package has no golden files")
