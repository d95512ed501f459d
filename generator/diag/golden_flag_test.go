package diag

// This package has no golden files; the import registers the -update flag
// so that go test ./... -update, which rewrites the golden files of the
// packages that have them, also runs here.
import _ "github.com/rules-neural/rules_neural/generator/internal/golden"
