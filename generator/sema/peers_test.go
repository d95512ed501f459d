package sema

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rules-neural/rules_neural/generator/diag"
	"github.com/rules-neural/rules_neural/generator/syntax"
)

const peerDir = "../../../shared/conformance/peer-examples"

// TestPeerExamples lowers every real user file: none may panic, and their
// diagnostics are logged for review.
func TestPeerExamples(t *testing.T) {
	if _, err := os.Stat(peerDir); err != nil {
		t.Skipf("peer examples not found: %v", err)
	}
	var files []string
	filepath.Walk(peerDir, func(path string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() && (strings.HasSuffix(path, ".neural") || strings.HasSuffix(path, ".ndsl")) {
			files = append(files, path)
		}
		return nil
	})
	if len(files) == 0 {
		t.Skip("no peer examples")
	}
	for _, path := range files {
		path := path
		rel, _ := filepath.Rel(peerDir, path)
		t.Run(rel, func(t *testing.T) {
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			f, pd := syntax.Parse(rel, src)
			if f == nil {
				t.Fatalf("does not parse: %v", pd.Error())
			}
			diags := &diag.List{}
			m := Build(f, diags)
			diags.Normalize()
			for _, d := range diags.Items {
				if strings.Contains(d.Message, "internal error") {
					t.Errorf("%s", d.Error())
				}
			}
			var b strings.Builder
			diag.Render(&b, diags, diag.Sources{rel: src})
			t.Logf("%d networks, %d errors, %d diagnostics\n%s", len(m.Networks), diags.ErrorCount(), diags.Len(), b.String())
		})
	}
}
