// Package sema turns a parsed file into the typed IR: it binds parameters
// against the schema table, expands macros and repeats, builds the graph of
// residuals, branches and merges, and resolves the training vocabulary.
package sema

import (
	"fmt"

	"github.com/rules-neural/rules_neural/generator/diag"
	"github.com/rules-neural/rules_neural/generator/ir"
	"github.com/rules-neural/rules_neural/generator/syntax"
)

// Limits that keep hostile input from exhausting time or memory.
const (
	// MaxLayers is the most layers a network may have after macro expansion
	// and repeats.
	MaxLayers = 1000000
	// MaxMacroDepth bounds nested macro calls.
	MaxMacroDepth = 64
	// MaxRepeat is the largest `* N`.
	MaxRepeat = 10000
	// maxSteps bounds the statements visited during expansion, so that
	// repeats of empty macros cannot spin without creating layers.
	maxSteps = 4 * MaxLayers
	// maxDiagnostics bounds what sema records; the renderer shows at most
	// diag.MaxErrors errors anyway.
	maxDiagnostics = 5000
)

// Build lowers f to IR, reporting problems to diags. It returns a model even
// when there are errors (networks with errors may be incomplete).
func Build(f *syntax.File, diags *diag.List) (m *ir.Model) {
	m = &ir.Model{}
	if diags == nil {
		diags = &diag.List{}
	}
	if f == nil {
		return m
	}
	m.File = f.Pos.Filename
	b := newBuilder(m.File, diags)
	defer func() {
		// A panic here is a compiler bug; report it as a diagnostic rather
		// than crash the tool that embeds the compiler.
		if r := recover(); r != nil {
			diags.Errorf(diag.At(diag.Pos{File: m.File, Line: 1, Col: 1}),
				"internal error in sema: %v", r).WithHint("this is a compiler bug; please report it with the input file")
		}
	}()
	b.collect(f)
	for _, it := range f.Items {
		if it == nil {
			continue
		}
		switch {
		case it.Network != nil:
			if net := b.network(it.Network); net != nil {
				m.Networks = append(m.Networks, net)
			}
		case it.Research != nil:
			m.Research = append(m.Research, b.research(it.Research))
		}
	}
	b.finish()
	return m
}

// builder holds the file-level state shared by every network.
type builder struct {
	file   string
	diags  *diag.List
	seen   map[diagKey]bool
	count  int
	chains map[*diag.Diagnostic][]diag.Related

	macros    map[string]*macro
	macroList []*macro
	networks  map[string]*syntax.Ident
}

type diagKey struct {
	file     string
	offset   int
	severity diag.Severity
	message  string
}

func newBuilder(file string, diags *diag.List) *builder {
	return &builder{
		file:     file,
		diags:    diags,
		seen:     make(map[diagKey]bool),
		chains:   make(map[*diag.Diagnostic][]diag.Related),
		macros:   make(map[string]*macro),
		networks: make(map[string]*syntax.Ident),
	}
}

// report records a diagnostic once per place and message. The expansion
// chain is attached by finish, after any notes the caller adds, so the
// macro backtrace always comes last (outermost call last).
func (b *builder) report(sev diag.Severity, span diag.Span, chain []diag.Related, format string, args ...interface{}) *diag.Diagnostic {
	d := &diag.Diagnostic{Severity: sev, Span: span, Message: fmt.Sprintf(format, args...)}
	key := diagKey{span.Start.File, span.Start.Offset, sev, d.Message}
	if b.seen[key] || b.count >= maxDiagnostics {
		return d // detached: hints and notes added by the caller go nowhere
	}
	b.seen[key] = true
	b.count++
	b.diags.Add(d)
	if len(chain) > 0 {
		b.chains[d] = chain
	}
	return d
}

func (b *builder) errorf(span diag.Span, format string, args ...interface{}) *diag.Diagnostic {
	return b.report(diag.Error, span, nil, format, args...)
}

func (b *builder) warnf(span diag.Span, format string, args ...interface{}) *diag.Diagnostic {
	return b.report(diag.Warning, span, nil, format, args...)
}

// finish appends the macro backtraces.
func (b *builder) finish() {
	for _, d := range b.diags.Items {
		if ch, ok := b.chains[d]; ok {
			d.Related = append(d.Related, ch...)
		}
	}
}

// collect registers macros and network names, reporting duplicates, and
// finds recursive macros before anything is expanded.
func (b *builder) collect(f *syntax.File) {
	for _, it := range f.Items {
		if it == nil {
			continue
		}
		switch {
		case it.Define != nil && it.Define.Name != nil:
			b.addMacro(it.Define)
		case it.Network != nil && it.Network.Name != nil:
			id := it.Network.Name
			if first, dup := b.networks[id.Name]; dup {
				b.errorf(identSpan(id), "duplicate network `%s`", id.Name).
					WithRelated(identSpan(first), "first defined here").
					WithHint("network names must be unique within a file")
				continue
			}
			b.networks[id.Name] = id
		}
	}
	b.findRecursion()
}

// research keeps a research block as metadata.
func (b *builder) research(r *syntax.Research) *ir.Research {
	out := &ir.Research{Span: syntax.SpanOf(r.Pos, r.EndPos)}
	if r.Name != nil {
		out.Name = r.Name.Name
		out.Span = identSpan(r.Name)
	}
	if r.Body == nil {
		return out
	}
	nb := newNetBuilder(b, nil)
	nb.plain = true
	for _, e := range r.Body.Entries {
		if e == nil || e.Key == nil {
			continue
		}
		v, _ := nb.eval(e.Value, rootEnv)
		out.Entries = append(out.Entries, ir.Entry{Key: e.Key.Name, Value: v, Span: identSpan(e.Key)})
	}
	return out
}
