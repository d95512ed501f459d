package format

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/rules-neural/rules_neural/generator/diag"
	"github.com/rules-neural/rules_neural/generator/internal/golden"
	"github.com/rules-neural/rules_neural/generator/ir"
	"github.com/rules-neural/rules_neural/generator/syntax"
)

// anywhereAll extends TestCommentsAnywhere from the golden inputs to the
// whole corpus (minutes rather than seconds).
var anywhereAll = flag.Bool("anywhere.all", false, "put comments everywhere in every corpus file, not only the golden inputs")

// peerExamples is the shared conformance corpus, absent in some checkouts.
const peerExamples = "../../../shared/conformance/peer-examples"

// corpus lists every model source the properties are checked on: the
// repository's testdata and models (walked as they are, since other
// packages add files there), the peer examples and the golden inputs.
func corpus(t testing.TB) []string {
	var files []string
	for _, root := range []string{"../../testdata", "../../models", peerExamples, "testdata"} {
		_ = filepath.Walk(root, func(path string, info os.FileInfo, err error) error {
			if err != nil {
				return nil // a missing root is fine
			}
			if !info.IsDir() && (strings.HasSuffix(path, ".neural") || strings.HasSuffix(path, ".ndsl")) {
				files = append(files, path)
			}
			return nil
		})
	}
	sort.Strings(files)
	if len(files) == 0 {
		t.Fatal("no .neural files found")
	}
	return files
}

func render(ds *diag.List, name string, src []byte) string {
	var b strings.Builder
	diag.Render(&b, ds, diag.Sources{name: src})
	return b.String()
}

func TestGolden(t *testing.T) {
	ins, err := filepath.Glob("testdata/*.in.neural")
	if err != nil || len(ins) == 0 {
		t.Fatalf("no golden inputs: %v", err)
	}
	for _, in := range ins {
		in := in
		t.Run(filepath.Base(in), func(t *testing.T) {
			src, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			got, ds := Source(in, src)
			if got == nil {
				t.Fatalf("does not parse:\n%s", render(ds, in, src))
			}
			golden.Check(t, strings.TrimSuffix(in, ".in.neural")+".out.neural", got)
		})
	}
}

// TestProperties checks, for every file of the corpus that parses: the
// output parses again, means the same (equal AST dumps), keeps every
// comment, and formatting it again changes nothing.
func TestProperties(t *testing.T) {
	for _, path := range corpus(t) {
		path := path
		t.Run(path, func(t *testing.T) {
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if f, _ := syntax.Parse(path, src); f == nil {
				t.Skip("has syntax errors")
			}
			checkProperties(t, path, src)
		})
	}
}

func checkProperties(t *testing.T, path string, src []byte) {
	t.Helper()
	if msg := properties(path, src); msg != "" {
		t.Error(msg)
	}
}

// properties checks the formatter's properties on src, which must parse,
// and describes the first violation ("" if none).
func properties(path string, src []byte) string {
	f1, ds := syntax.Parse(path, src)
	if f1 == nil {
		return "input does not parse:\n" + render(ds, path, src)
	}
	return parsedProperties(path, src, f1)
}

// parsedProperties is properties for a source already parsed into f1.
func parsedProperties(path string, src []byte, f1 *syntax.File) string {
	out := printFile(path, src, f1)
	f2, ds := syntax.Parse(path, out)
	if f2 == nil {
		return fmt.Sprintf("output does not parse:\n%s\n--- output ---\n%s", render(ds, path, out), out)
	}
	if a, b := dump(f1), dump(f2); a != b {
		return "output means something else:\n" + golden.Diff([]byte(a), []byte(b))
	}
	if a, b := commentTexts(path, src), commentTexts(path, out); a != b {
		return "comments changed:\n" + golden.Diff([]byte(a), []byte(b))
	}
	if again := printFile(path, out, f2); !bytes.Equal(again, out) {
		return "not idempotent:\n" + golden.Diff(out, again)
	}
	return ""
}

// commentTexts lists the comments of a file, sorted, one per line.
func commentTexts(path string, src []byte) string {
	var texts []string
	for _, c := range syntax.Comments(path, src) {
		texts = append(texts, strings.TrimRight(c.Text, " \t\r\f\v"))
	}
	sort.Strings(texts)
	return strings.Join(texts, "\n")
}

// --- AST dump ---------------------------------------------------------------
//
// dump prints what a file means, ignoring positions and the spellings the
// formatter is allowed to change: layer and activation case, boolean case,
// quote style, `name: value` vs `name=value`, optional colons and commas,
// and the bracketed vs plain `layers:` forms.

type dumper struct {
	b      strings.Builder
	macros map[string]bool
}

func dump(f *syntax.File) string {
	d := &dumper{macros: map[string]bool{}}
	for _, it := range f.Items {
		if it.Define != nil {
			d.macros[strings.ToLower(it.Define.Name.Name)] = true
		}
	}
	for _, it := range f.Items {
		switch {
		case it.Define != nil:
			fmt.Fprintf(&d.b, "define %s params=%v(", it.Define.Name.Name, it.Define.HasParams)
			for _, p := range it.Define.Params {
				d.b.WriteString(p.Name + " ")
			}
			d.b.WriteString(")\n")
			d.stmts(it.Define.Body, 1)
		case it.Network != nil:
			fmt.Fprintf(&d.b, "network %s\n", it.Network.Name.Name)
			for _, s := range it.Network.Sections {
				if s.Layers != nil {
					d.line(1, "layers")
					stmts := s.Layers.Stmts
					if s.Layers.Bracketed {
						stmts = s.Layers.Listed
					}
					d.stmts(stmts, 2)
					continue
				}
				g := s.Generic
				v := d.expr(g.Value, false, false)
				if g.Name.Name == "loss" || g.Name.Name == "optimizer" {
					// fmt canonicalises these names' case (LANGUAGE.md §1).
					if name := sectionFuncName(g); name != "" {
						v = strings.Replace(v, name, strings.ToLower(name), 1)
					}
				}
				d.line(1, "section "+g.Name.Name+" = "+v)
				if g.Extra != nil {
					d.line(2, "extra "+d.dict(g.Extra))
				}
			}
		case it.Research != nil:
			d.line(0, "research "+it.Research.Name.Name+" "+d.dict(it.Research.Body))
		}
	}
	return d.b.String()
}

func (d *dumper) line(depth int, s string) {
	d.b.WriteString(strings.Repeat("  ", depth) + s + "\n")
}

func (d *dumper) layerSpec(name string) (string, *ir.LayerSpec) {
	if d.macros[strings.ToLower(name)] {
		return "macro " + name, nil
	}
	if spec := ir.LookupLayer(name); spec != nil {
		return spec.Name, spec
	}
	return "unknown " + name, nil
}

func (d *dumper) stmts(stmts []*syntax.Stmt, depth int) {
	for _, s := range stmts {
		if s.Branch != nil {
			d.line(depth, "branch "+s.Branch.Name.Name)
			d.stmts(s.Branch.Body, depth+1)
			continue
		}
		l := s.Layer
		name, spec := d.layerSpec(l.Name.Name)
		line := name
		if l.HasArgs {
			line += d.args(l.Args, spec)
		}
		if l.Device != nil {
			line += " @" + d.expr(l.Device, false, false)
		}
		if l.Repeat != nil {
			line += " *" + d.expr(l.Repeat, false, false)
		}
		d.line(depth, line)
		if l.HasBlock {
			d.line(depth+1, "block")
			d.stmts(l.Block, depth+2)
		}
	}
}

func (d *dumper) args(args []*syntax.Arg, spec *ir.LayerSpec) string {
	var parts []string
	positional := 0
	for _, a := range args {
		act := false
		prefix := ""
		if a.Name != nil {
			prefix = a.Name.Name + "="
			act = a.Name.Name == "activation"
		} else {
			if spec != nil {
				act = (positional < len(spec.Positional) && spec.Positional[positional] == "activation") ||
					(spec.TakesActivation && positional == len(spec.Positional))
			}
			positional++
		}
		parts = append(parts, prefix+d.expr(a.Value, spec != nil && act, spec != nil))
	}
	return "(" + strings.Join(parts, "; ") + ")"
}

func (d *dumper) expr(e *syntax.Expr, activation, inLayer bool) string {
	direct := len(e.Rest) == 0 && len(e.Left.Rest) == 0 && !e.Left.Left.Neg
	s := d.term(e.Left, direct && activation, direct && inLayer)
	for _, op := range e.Rest {
		s = "[" + s + " " + op.Op + " " + d.term(op.Term, false, false) + "]"
	}
	return s
}

func (d *dumper) term(t *syntax.Term, activation, inLayer bool) string {
	s := d.unary(t.Left, activation, inLayer)
	for _, op := range t.Rest {
		s = "[" + s + " " + op.Op + " " + d.unary(op.Unary, false, false) + "]"
	}
	return s
}

func (d *dumper) unary(u *syntax.Unary, activation, inLayer bool) string {
	s := d.primary(u.Primary, activation, inLayer)
	if u.Neg {
		return "neg(" + s + ")"
	}
	return s
}

func (d *dumper) primary(p *syntax.Primary, activation, inLayer bool) string {
	switch {
	case p.Float != nil:
		return "float " + *p.Float
	case p.Int != nil:
		return "int " + *p.Int
	case p.String != nil:
		s := syntax.Unquote(*p.String)
		if activation {
			if a, ok := ir.LookupActivation(s); ok {
				s = a
			}
		}
		return fmt.Sprintf("str %q", s)
	case p.Var != nil:
		return "var " + *p.Var
	case p.Ident != nil:
		if l := strings.ToLower(*p.Ident); l == "true" || l == "false" {
			return "bool " + l
		}
		return "ident " + *p.Ident
	case p.Call != nil:
		if inLayer {
			name, spec := d.layerSpec(p.Call.Name.Name)
			return "call " + name + d.args(p.Call.Args, spec)
		}
		return "call " + p.Call.Name.Name + d.args(p.Call.Args, nil)
	case p.Paren != nil:
		kind := "tuple"
		if len(p.Paren.Elems) == 1 && !p.Paren.TrailingComma {
			kind = "group"
		}
		return kind + d.list(p.Paren.Elems)
	case p.List != nil:
		return "list" + d.list(p.List.Elems)
	case p.Dict != nil:
		return d.dict(p.Dict)
	}
	return "?"
}

func (d *dumper) list(es []*syntax.Expr) string {
	var parts []string
	for _, e := range es {
		parts = append(parts, d.expr(e, false, false))
	}
	return "(" + strings.Join(parts, "; ") + ")"
}

func (d *dumper) dict(x *syntax.Dict) string {
	var parts []string
	for _, e := range x.Entries {
		parts = append(parts, e.Key.Name+": "+d.expr(e.Value, false, false))
	}
	return "{" + strings.Join(parts, "; ") + "}"
}

// TestCommentsAnywhere puts a comment at every place between two tokens of
// the golden inputs, in each of its forms, and checks the properties on
// every variant that parses.
func TestCommentsAnywhere(t *testing.T) {
	ins, _ := filepath.Glob("testdata/*.in.neural")
	if *anywhereAll {
		ins = corpus(t)
	}
	forms := []string{" # c\n", "\n# own line\n", "/*b*/", " /* two\nlines */ ", "// x\n\n"}
	if testing.Short() {
		forms = forms[:2]
	}
	for _, in := range ins {
		src, err := os.ReadFile(in)
		if err != nil {
			t.Fatal(err)
		}
		if f, _ := syntax.Parse(in, src); f == nil || (*anywhereAll && len(src) > 4000) {
			continue
		}
		for i := 0; i <= len(src); i++ {
			if i > 0 && i < len(src) && (isWordByte(src[i-1]) && isWordByte(src[i]) || isBlank(src[i-1]) && isBlank(src[i])) {
				continue // inside a name or number, or a run of blanks
			}
			for k, form := range forms {
				if *anywhereAll && (i+k)%len(forms) != 0 {
					continue // one form per place keeps the long run bearable
				}
				variant := []byte(string(src[:i]) + form + string(src[i:]))
				f, _ := syntax.Parse(in, variant)
				if f == nil {
					continue
				}
				if msg := parsedProperties(in, variant, f); msg != "" {
					t.Fatalf("%s with %q inserted at offset %d: %s\n--- input ---\n%s", in, form, i, msg, variant)
				}
			}
		}
	}
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' }

func isWordByte(c byte) bool {
	return c == '_' || c == '$' || c == '.' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// sectionFuncName is the loss or optimizer name a section value spells.
func sectionFuncName(g *syntax.Generic) string {
	pr := direct(g.Value)
	switch {
	case pr == nil:
		return ""
	case pr.String != nil:
		return syntax.Unquote(*pr.String)
	case pr.Ident != nil:
		return *pr.Ident
	case pr.Call != nil:
		return pr.Call.Name.Name
	}
	return ""
}
