package syntax

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rules-neural/rules_neural/generator/diag"
)

func TestParsePeerExamples(t *testing.T) {
	root := "../../../shared/conformance/peer-examples"
	if _, err := os.Stat(root); err != nil {
		t.Skip("shared/ not present")
	}
	_ = filepath.Walk(root, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		src, _ := os.ReadFile(p)
		_, ds := Parse(p, src)
		if ds.HasErrors() {
			var b strings.Builder
			diag.Render(&b, ds, diag.Sources{p: src})
			t.Errorf("%s", b.String())
		}
		return nil
	})
}
