package conformance

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/rules-neural/rules_neural/generator/diag"
	"github.com/rules-neural/rules_neural/generator/driver"
	"github.com/rules-neural/rules_neural/generator/internal/golden"
	"github.com/rules-neural/rules_neural/generator/ir"
)

// repoRoot is where testdata/ and models/ live, relative to this package.
const repoRoot = "../.."

// peerDir holds the users' files of the tool this project replaces; it is
// provided beside the repository (../shared), not inside it.
var peerDir = filepath.Join(repoRoot, "..", "shared", "conformance", "peer-examples")

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// relName is the name diagnostics use: the path relative to the repository,
// so golden files do not depend on where the checkout lives.
func relName(path string) string {
	if r, err := filepath.Rel(repoRoot, path); err == nil {
		return filepath.ToSlash(r)
	}
	return filepath.ToSlash(path)
}

func check(t testing.TB, path string) (*ir.Model, *diag.List, []byte) {
	t.Helper()
	src := readFile(t, path)
	m, ds := driver.Check(relName(path), src)
	return m, ds, src
}

func render(ds *diag.List, name string, src []byte) string {
	var b bytes.Buffer
	diag.Render(&b, ds, diag.Sources{name: src})
	return b.String()
}

// dump renders the checked IR compactly: every node with its type, inputs,
// output shape and parameter counts, then totals and the training set-up.
// It is the golden form of a valid model.
func dump(m *ir.Model) string {
	var b strings.Builder
	for _, n := range m.Networks {
		fmt.Fprintf(&b, "network %s\n", n.Name)
		for _, in := range n.Inputs {
			fmt.Fprintf(&b, "  input %s %s tokens=%v\n", in.Name, shapeString(in.Shape), in.Tokens)
		}
		var train, frozen int64
		for _, node := range n.Nodes {
			var ins []string
			for _, x := range node.Inputs {
				ins = append(ins, x.Name)
			}
			fmt.Fprintf(&b, "  %-28s %-22s %-22s %d+%d <- %s", node.Name, node.Type, shapeString(node.Shape),
				node.Trainable, node.NonTrainable, strings.Join(ins, ","))
			if node.Role != "" {
				fmt.Fprintf(&b, " [%s]", node.Role)
			}
			if node.Device != "" {
				fmt.Fprintf(&b, " @%s", node.Device)
			}
			b.WriteString("\n")
			for _, inner := range node.Inner {
				fmt.Fprintf(&b, "    inner %s %s %d+%d\n", inner.Name, inner.Type, inner.Trainable, inner.NonTrainable)
			}
			var ps []string
			for _, p := range node.Params {
				if p.Explicit {
					ps = append(ps, p.Spec.Name+"="+p.Value.String())
				}
			}
			if len(ps) > 0 {
				fmt.Fprintf(&b, "    %s\n", strings.Join(ps, " "))
			}
			train += node.Trainable
			frozen += node.NonTrainable
		}
		if n.Output != nil {
			fmt.Fprintf(&b, "  output %s\n", n.Output.Name)
		}
		fmt.Fprintf(&b, "  params total=%d trainable=%d non_trainable=%d\n", train+frozen, train, frozen)
		if n.Loss != nil {
			fmt.Fprintf(&b, "  loss %s\n", n.Loss.Name)
		}
		if n.Optimizer != nil {
			var as []string
			for _, a := range n.Optimizer.Args {
				as = append(as, a.Name+"="+a.Value.String())
			}
			fmt.Fprintf(&b, "  optimizer %s(%s)\n", n.Optimizer.Name, strings.Join(as, ", "))
		}
		for _, mt := range n.Metrics {
			fmt.Fprintf(&b, "  metric %s\n", mt.Name)
		}
		for _, h := range n.HPOs {
			fmt.Fprintf(&b, "  hpo %s %s shape=%v\n", h.Name, ir.Value{Kind: ir.KHPO, HPO: h}.String(), h.Shape)
		}
	}
	for _, r := range m.Research {
		fmt.Fprintf(&b, "research %s (%d entries)\n", r.Name, len(r.Entries))
	}
	return b.String()
}

func shapeString(s ir.Shape) string {
	parts := []string{"None"}
	for _, d := range s {
		if d == ir.Unknown {
			parts = append(parts, "None")
		} else {
			parts = append(parts, fmt.Sprint(d))
		}
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

func corpusFiles(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(repoRoot, "testdata", "corpus", dir, "*.neural"))
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	return files
}

// TestValidCorpus checks every valid case: no errors, and the IR dump plus
// any warnings equal the golden file beside it.
func TestValidCorpus(t *testing.T) {
	files := corpusFiles(t, "valid")
	if len(files) < 60 {
		t.Errorf("valid corpus has %d cases; the project keeps at least 60", len(files))
	}
	for _, path := range files {
		path := path
		t.Run(filepath.Base(path), func(t *testing.T) {
			m, ds, src := check(t, path)
			if ds.HasErrors() {
				t.Fatalf("valid case has errors:\n%s", render(ds, relName(path), src))
			}
			got := dump(m)
			if ds.Len() > 0 {
				got += "-- diagnostics --\n" + render(ds, relName(path), src)
			}
			golden.Check(t, strings.TrimSuffix(path, ".neural")+".golden", []byte(got))
		})
	}
}

var errorAnnotation = regexp.MustCompile(`#\s*ERROR\s+"((?:[^"\\]|\\.)*)"`)

// TestInvalidCorpus runs the Go-compiler-style check: every error is on a
// line annotated `# ERROR "rx"` with a matching message, and every
// annotation gets an error. The rendered diagnostics are golden too.
func TestInvalidCorpus(t *testing.T) {
	files := corpusFiles(t, "invalid")
	if len(files) < 40 {
		t.Errorf("invalid corpus has %d cases; the project keeps at least 40", len(files))
	}
	for _, path := range files {
		path := path
		t.Run(filepath.Base(path), func(t *testing.T) {
			_, ds, src := check(t, path)
			want := map[int][]*regexp.Regexp{}
			for i, line := range strings.Split(string(src), "\n") {
				for _, m := range errorAnnotation.FindAllStringSubmatch(line, -1) {
					rx, err := regexp.Compile(strings.ReplaceAll(m[1], `\"`, `"`))
					if err != nil {
						t.Fatalf("line %d: bad ERROR regexp: %v", i+1, err)
					}
					want[i+1] = append(want[i+1], rx)
				}
			}
			if len(want) == 0 {
				t.Fatal("invalid case has no # ERROR annotation")
			}
			if !ds.HasErrors() {
				t.Fatalf("expected errors, got none")
			}
			matched := map[*regexp.Regexp]bool{}
			for _, d := range ds.Items {
				if d.Severity != diag.Error {
					continue
				}
				line := d.Span.Start.Line
				ok := false
				for _, rx := range want[line] {
					if rx.MatchString(d.Message) || rx.MatchString(d.Hint) {
						matched[rx], ok = true, true
					}
				}
				if !ok {
					t.Errorf("unexpected error at line %d: %s", line, d.Message)
				}
			}
			for line, rxs := range want {
				for _, rx := range rxs {
					if !matched[rx] {
						t.Errorf("line %d: no error matching %q", line, rx)
					}
				}
			}
			golden.Check(t, strings.TrimSuffix(path, ".neural")+".stderr", []byte(render(ds, relName(path), src)))
		})
	}
}

func checkNamed(name string, src []byte) (*ir.Model, *diag.List) {
	return driver.Check(name, src)
}

func firstError(ds *diag.List) string {
	for _, d := range ds.Items {
		if d.Severity == diag.Error {
			return fmt.Sprintf("line %d: %s", d.Span.Start.Line, d.Message)
		}
	}
	return ""
}

func firstMessage(ds *diag.List) string {
	if ds.Len() == 0 {
		return ""
	}
	d := ds.Items[0]
	return fmt.Sprintf("line %d: %s", d.Span.Start.Line, d.Message)
}
