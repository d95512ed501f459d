// Package bazelgen keeps a directory's BUILD file in step with its .neural
// files, the way Gazelle does for Go: one neural_model target per network
// (`neuralgen bazel`), with `search = True` where the network has
// hyper-parameters to search. Hand edits survive: targets are matched by their
// source file and network, not by name, so renamed targets and extra
// attributes stay; a rule, or an attribute, with a `# keep` comment is
// never changed or removed (nor is a rule whose src or network carries
// one). Targets whose source file or network is gone
// are removed. Output is formatted like buildifier.
package bazelgen

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/bazelbuild/buildtools/build"

	"github.com/rules-neural/rules_neural/generator/diag"
	"github.com/rules-neural/rules_neural/generator/driver"
	"github.com/rules-neural/rules_neural/generator/ir"
	"github.com/rules-neural/rules_neural/generator/syntax"
)

// Kind is the rule (macro) the generator manages.
const Kind = "neural_model"

// DefaultLoad is the file neural_model is loaded from when the BUILD file
// does not load it yet.
const DefaultLoad = "@rules_neural//rules:defs.bzl"

// Extensions are the suffixes of model files.
var Extensions = []string{".neural", ".ndsl"}

// BuildFileNames are the BUILD file names Bazel reads, in its order of
// preference; a new file is called BUILD.bazel.
var BuildFileNames = []string{"BUILD.bazel", "BUILD"}

// Source is one model file of the directory: its base name and the
// networks it declares, in order.
type Source struct {
	File     string
	Networks []string
	// Search names the networks with hyper-parameters to search (they get
	// `search = True`). Nil when unknown: the file does not check clean,
	// and `search` attributes are left as they are.
	Search map[string]bool
}

// Options configure Update.
type Options struct {
	// Load is the .bzl label to load neural_model from when the file
	// has no such load; DefaultLoad when empty.
	Load string
}

// Result is the BUILD file of a directory before and after the update.
type Result struct {
	Path     string
	Old, New []byte
	Exists   bool
}

// Changed reports whether the update changes the file.
func (r *Result) Changed() bool { return !r.Exists || string(r.Old) != string(r.New) }

// Sync reads dir's model files and BUILD file and returns the updated BUILD
// file. It writes nothing. Model files with syntax errors are reported as
// diagnostics, with the texts of those files for diag.Render, and no result
// is returned: their networks are unknown, and guessing could remove
// targets.
func Sync(dir string, opts Options) (*Result, *diag.List, diag.Sources, error) {
	sources, diags, texts, err := ReadSources(dir)
	if err != nil || diags.HasErrors() {
		return nil, diags, texts, err
	}
	res := &Result{Path: filepath.Join(dir, BuildFileNames[0])}
	for _, name := range BuildFileNames {
		path := filepath.Join(dir, name)
		data, err := os.ReadFile(path)
		if err == nil {
			res.Path, res.Old, res.Exists = path, data, true
			break
		}
		if !os.IsNotExist(err) {
			return nil, diags, texts, err
		}
	}
	res.New, err = Update(res.Path, res.Old, sources, opts)
	if err != nil {
		return nil, diags, texts, err
	}
	return res, diags, texts, nil
}

// ReadSources parses the model files of dir (not its subdirectories), in
// name order, for the networks they declare. The texts returned are those
// of the files with diagnostics.
func ReadSources(dir string) ([]Source, *diag.List, diag.Sources, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, nil, nil, err
	}
	diags := &diag.List{}
	texts := diag.Sources{}
	var sources []Source
	for _, e := range entries {
		if e.IsDir() || !isModel(e.Name()) {
			continue
		}
		src, err := driver.Read(filepath.Join(dir, e.Name()), nil)
		if err != nil {
			return nil, diags, texts, err
		}
		file, d := syntax.Parse(src.Name, src.Text)
		diags.Append(d)
		if len(d.Items) > 0 {
			texts[src.Name] = src.Text
		}
		if d.HasErrors() || file == nil {
			continue
		}
		s := Source{File: e.Name()}
		for _, item := range file.Items {
			if item.Network != nil && item.Network.Name != nil {
				s.Networks = append(s.Networks, item.Network.Name.Name)
			}
		}
		// Whether a network has HPO values is known only after macro
		// expansion. A file with other errors is the build's to report
		// (its check fails); here it only leaves `search` unknown.
		cd := &diag.List{}
		if model := driver.CheckParsed(src.Name, file, cd, nil); !cd.HasErrors() && model != nil {
			s.Search = map[string]bool{}
			for _, n := range model.Networks {
				s.Search[n.Name] = n.Searchable()
			}
		}
		sources = append(sources, s)
	}
	return sources, diags, texts, nil
}

func isModel(name string) bool {
	for _, ext := range Extensions {
		if strings.HasSuffix(name, ext) && len(name) > len(ext) {
			return true
		}
	}
	return false
}

// target is one neural_model the sources call for.
type target struct {
	name, src, network  string
	single              bool // src declares one network: `network` is left out
	search, knownSearch bool // the network has HPO values to search, if known
	done                bool
}

// Targets lists the neural_model targets for sources: for a file with one
// network, a target named after the file; for several, one per network,
// named <file>_<snake_case(network)>. Files are taken in name order.
func targets(sources []Source) []*target {
	sorted := append([]Source(nil), sources...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].File < sorted[j].File })
	var out []*target
	for _, s := range sorted {
		stem := targetName(strings.TrimSuffix(s.File, filepath.Ext(s.File)))
		for _, n := range s.Networks {
			t := &target{name: stem + "_" + ir.SnakeCase(n), src: s.File, network: n}
			if len(s.Networks) == 1 {
				t.name, t.single = stem, true
			}
			t.search, t.knownSearch = s.Search[n], s.Search != nil
			out = append(out, t)
		}
	}
	return out
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9_.+=,@~-]+`)

func targetName(stem string) string { return unsafeName.ReplaceAllString(stem, "_") }

// Update returns the BUILD file content (path names it in errors) with
// neural_model targets for sources, formatted like buildifier.
func Update(path string, content []byte, sources []Source, opts Options) ([]byte, error) {
	f, err := build.ParseBuild(path, content)
	if err != nil {
		return nil, err
	}
	for _, s := range sources {
		if !isLocalFile(s.File) {
			return nil, fmt.Errorf("%q is not a model file name a BUILD file can refer to (a .neural or .ndsl file without ':', '/' or '@')", s.File)
		}
	}
	want := targets(sources)
	// Existing targets: keep those that still have a source, drop the rest.
	var drop []*build.Rule
	for _, r := range f.Rules(Kind) {
		if keep(r.Call.Comments) || keepAttr(r, "src") || keepAttr(r, "network") {
			// Kept by hand: never changed or removed.
			markDone(want, r)
			continue
		}
		t := match(want, r)
		if t == nil {
			// A file of this package that is gone, or no longer
			// declares the network. Labels of other packages and
			// computed values are not the generator's to remove.
			if isLocalFile(r.AttrString("src")) {
				drop = append(drop, r)
			}
			continue
		}
		t.done = true
		setAttrs(r, t)
	}
	for _, r := range drop {
		deleteStmt(f, r.Call)
	}

	// New targets, appended in file order.
	names := map[string]string{}
	for _, r := range f.Rules("") {
		if n := r.Name(); n != "" {
			names[n] = r.Kind()
		}
	}
	for _, t := range want {
		if t.done {
			continue
		}
		if kind, taken := names[t.name]; taken {
			return nil, fmt.Errorf("%s: a %s target is already named %q; rename it, or add a neural_model for %s by hand", path, kind, t.name, t.src)
		}
		names[t.name] = Kind
		call := &build.CallExpr{X: &build.Ident{Name: Kind}, ForceMultiLine: true}
		r := build.NewRule(call)
		r.SetAttr("name", &build.StringExpr{Value: t.name})
		r.SetAttr("src", &build.StringExpr{Value: t.src})
		setAttrs(r, t)
		f.Stmt = append(f.Stmt, call)
	}
	fixLoad(f, opts)
	return build.Format(f), nil
}

// setAttrs brings the attributes the generator manages, besides name and
// src, in line with t: `network` (for a file with several) and `search`.
func setAttrs(r *build.Rule, t *target) {
	if !t.single && r.AttrString("network") != t.network {
		r.SetAttr("network", &build.StringExpr{Value: t.network})
	}
	setSearch(r, t)
}

// setSearch gives r `search = True` when its network has hyper-parameters
// to search, and takes it away when it has none (the build would fail),
// unless the attribute is kept by hand or the file's networks are unknown.
func setSearch(r *build.Rule, t *target) {
	if !t.knownSearch || keepAttr(r, "search") {
		return
	}
	if t.search {
		if id, ok := r.Attr("search").(*build.Ident); !ok || id.Name != "True" {
			r.SetAttr("search", &build.Ident{Name: "True"})
		}
		return
	}
	if r.Attr("search") != nil {
		r.DelAttr("search")
	}
}

// match finds the wanted target r stands for: same source file, and the
// same network (a rule without `network` stands for a one-network file).
func match(want []*target, r *build.Rule) *target {
	src, network := srcFile(r), r.AttrString("network")
	for _, t := range want {
		if t.done || t.src != src {
			continue
		}
		if network == t.network || (network == "" && t.single) {
			return t
		}
	}
	return nil
}

func markDone(want []*target, r *build.Rule) {
	if t := match(want, r); t != nil {
		t.done = true
	}
}

// srcFile is the file name of a `src` that names a file of this package:
// "mnist.neural" or ":mnist.neural".
func srcFile(r *build.Rule) string {
	return strings.TrimPrefix(r.AttrString("src"), ":")
}

func isLocalFile(src string) bool {
	src = strings.TrimPrefix(src, ":")
	return src != "" && !strings.ContainsAny(src, "/:@") && isModel(src)
}

func keep(c build.Comments) bool {
	for _, list := range [][]build.Comment{c.Before, c.Suffix} {
		for _, com := range list {
			if strings.TrimSpace(strings.TrimPrefix(com.Token, "#")) == "keep" {
				return true
			}
		}
	}
	return false
}

func keepAttr(r *build.Rule, key string) bool {
	a := r.AttrDefn(key)
	return a != nil && (keep(a.Comments) || keep(*a.RHS.Comment()))
}

// fixLoad makes the file load neural_model exactly when it uses it.
func fixLoad(f *build.File, opts Options) {
	used := len(f.Rules(Kind)) > 0
	var loads []*build.LoadStmt
	for _, s := range f.Stmt {
		if l, ok := s.(*build.LoadStmt); ok {
			loads = append(loads, l)
		}
	}
	for _, l := range loads {
		for i, to := range l.To {
			if to.Name != Kind {
				continue
			}
			if !used && !keep(l.Comments) {
				l.To = append(l.To[:i], l.To[i+1:]...)
				l.From = append(l.From[:i], l.From[i+1:]...)
				if len(l.To) == 0 {
					deleteStmt(f, l)
				}
			}
			return
		}
	}
	if !used {
		return
	}
	label := opts.Load
	if label == "" {
		label = DefaultLoad
	}
	for _, l := range loads {
		if l.Module.Value == label {
			l.To = append(l.To, &build.Ident{Name: Kind})
			l.From = append(l.From, &build.Ident{Name: Kind})
			return
		}
	}
	load := &build.LoadStmt{
		Module:       &build.StringExpr{Value: label},
		From:         []*build.Ident{{Name: Kind}},
		To:           []*build.Ident{{Name: Kind}},
		ForceCompact: true,
	}
	// After the existing loads; before everything else.
	at := 0
	for i, s := range f.Stmt {
		if _, ok := s.(*build.LoadStmt); ok {
			at = i + 1
		}
	}
	if at == 0 && len(f.Stmt) > 0 {
		// A comment block at the top of the file stays at the top.
		first := f.Stmt[0].Comment()
		load.Comments.Before, first.Before = first.Before, nil
	}
	f.Stmt = append(f.Stmt[:at], append([]build.Expr{load}, f.Stmt[at:]...)...)
}

func deleteStmt(f *build.File, x build.Expr) {
	out := f.Stmt[:0]
	for _, s := range f.Stmt {
		if s != x {
			out = append(out, s)
		}
	}
	f.Stmt = out
}
