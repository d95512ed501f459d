package sema

import (
	"fmt"
	"sort"
	"strings"

	"github.com/rules-neural/rules_neural/generator/diag"
	"github.com/rules-neural/rules_neural/generator/ir"
	"github.com/rules-neural/rules_neural/generator/syntax"
)

// macro is a `define Name(params) { body }`.
type macro struct {
	name      string
	def       *syntax.Define
	params    []string
	recursive bool // part of a call cycle (reported once, never expanded)
}

func (b *builder) addMacro(d *syntax.Define) {
	name := d.Name.Name
	if first, dup := b.macros[name]; dup {
		b.errorf(identSpan(d.Name), "duplicate macro `%s`", name).
			WithRelated(identSpan(first.def.Name), "first defined here").
			WithHint("macro names must be unique within a file")
		return
	}
	m := &macro{name: name, def: d}
	seen := map[string]*syntax.Ident{}
	for _, p := range d.Params {
		if p == nil {
			continue
		}
		if prev, dup := seen[p.Name]; dup {
			b.errorf(identSpan(p), "duplicate parameter `%s` in macro `%s`", p.Name, name).
				WithRelated(identSpan(prev), "first declared here")
			continue
		}
		seen[p.Name] = p
		m.params = append(m.params, p.Name)
	}
	b.macros[name] = m
	b.macroList = append(b.macroList, m)
}

func (b *builder) macroNames() []string {
	out := make([]string, len(b.macroList))
	for i, m := range b.macroList {
		out[i] = m.name
	}
	return out
}

// macroCall is a call of a macro found in a macro body.
type macroCall struct {
	callee *macro
	at     *syntax.Ident
}

// calls lists the macro calls in a body, in source order, including those
// in nested blocks, branches and wrapped layers (TimeDistributed(M)).
func (b *builder) calls(stmts []*syntax.Stmt, out []macroCall) []macroCall {
	for _, st := range stmts {
		if st == nil {
			continue
		}
		if st.Branch != nil {
			out = b.calls(st.Branch.Body, out)
			continue
		}
		l := st.Layer
		if l == nil || l.Name == nil {
			continue
		}
		if m := b.macros[l.Name.Name]; m != nil {
			out = append(out, macroCall{m, l.Name})
		} else if spec := ir.LookupLayer(l.Name.Name); spec != nil && (spec.Name == "TimeDistributed" || spec.Name == "Bidirectional") {
			for _, a := range l.Args {
				if a == nil {
					continue
				}
				if wl := layerOfArg(a); wl != nil && wl.Name != nil {
					if m := b.macros[wl.Name.Name]; m != nil {
						out = append(out, macroCall{m, wl.Name})
					}
				}
			}
		}
		out = b.calls(l.Block, out)
	}
	return out
}

// findRecursion reports every cycle of macro calls once, at the call that
// closes it, and marks the macros on it so they are never expanded.
func (b *builder) findRecursion() {
	const (
		white = iota
		grey
		black
	)
	color := map[*macro]int{}
	var stack []*macro
	var visit func(m *macro)
	visit = func(m *macro) {
		color[m] = grey
		stack = append(stack, m)
		for _, c := range b.calls(m.def.Body, nil) {
			switch color[c.callee] {
			case white:
				visit(c.callee)
			case grey:
				// stack[i:] is the cycle, from the callee back to m.
				i := len(stack) - 1
				for i > 0 && stack[i] != c.callee {
					i--
				}
				names := make([]string, 0, len(stack)-i+1)
				for _, s := range stack[i:] {
					names = append(names, s.name)
					s.recursive = true
				}
				names = append(names, c.callee.name)
				d := b.errorf(identSpan(c.at), "recursive macro: %s", strings.Join(names, " → "))
				if ir.LookupLayer(c.callee.name) != nil && len(names) == 2 {
					d.WithHint("the macro `%s` shadows the built-in layer of the same name, so inside its body `%s` is the macro again; rename the macro", c.callee.name, c.callee.name)
				} else {
					d.WithHint("a macro cannot call itself, directly or through other macros")
				}
			}
		}
		stack = stack[:len(stack)-1]
		color[m] = black
	}
	for _, m := range b.macroList {
		if color[m] == white {
			visit(m)
		}
	}
}

// expandMacro expands one call of m: arguments are evaluated in the
// caller's environment (an HPO argument is one HPO, shared by every use in
// the body), then the body is lowered as its own block.
func (nb *netBuilder) expandMacro(m *macro, l *syntax.Layer, cur *ir.Node, blk *block, en *env) *ir.Node {
	callSpan := identSpan(l.Name)
	if m.recursive {
		return cur // reported once by findRecursion
	}
	for _, s := range en.stack {
		if s == m {
			nb.errorIn(en, callSpan, "recursive macro `%s`", m.name)
			return cur
		}
	}
	if en.depth >= MaxMacroDepth {
		nb.errorIn(en, callSpan, "macro calls are nested deeper than %d levels", MaxMacroDepth).
			WithHint("flatten the macros")
		nb.stopped = true
		return cur
	}
	child := &env{
		macro:  m,
		params: make(map[string]ir.Value, len(m.params)),
		bad:    map[string]bool{},
		depth:  en.depth + 1,
		device: en.device,
	}
	var uni universals
	given := map[string]diag.Span{}
	pos, sawNamed, unknown := 0, false, false
	for _, a := range l.Args {
		if a == nil || a.Value == nil {
			continue
		}
		span := argSpan(a)
		var pname string
		if a.Name == nil {
			if sawNamed {
				nb.errorIn(en, span, "positional argument after named arguments in call of macro `%s`", m.name)
				continue
			}
			if pos >= len(m.params) {
				d := nb.errorIn(en, span, "too many arguments for macro `%s`", m.name)
				if len(m.params) == 0 {
					d.WithHint("`%s` takes no arguments", m.name)
				} else {
					d.WithHint("`%s` takes (%s)", m.name, strings.Join(m.params, ", "))
				}
				pos++
				continue
			}
			pname = m.params[pos]
			pos++
		} else {
			sawNamed = true
			pname = a.Name.Name
			if !contains(m.params, pname) {
				if pname == "inputs" {
					nb.bindUniversal(&uni, a, m.name, en)
					continue
				}
				unknown = true
				d := nb.errorIn(en, span, "macro `%s` has no parameter `%s`", m.name, pname)
				if s := diag.Suggest(pname, m.params); s != "" {
					d.WithHint("did you mean `%s`? `%s` takes (%s)", s, m.name, strings.Join(m.params, ", "))
				} else if len(m.params) > 0 {
					d.WithHint("`%s` takes (%s)", m.name, strings.Join(m.params, ", "))
				} else {
					d.WithHint("`%s` takes no arguments", m.name)
				}
				if pname == "name" {
					d.WithHint("a macro call expands to several layers and cannot be named; name the layers in its body")
				}
				continue
			}
		}
		if prev, dup := given[pname]; dup {
			nb.errorIn(en, span, "argument `%s` of macro `%s` is given twice", pname, m.name).WithRelated(prev, "first given here")
			continue
		}
		given[pname] = span
		v, ok := nb.eval(a.Value, en)
		if !ok {
			child.bad[pname] = true
			continue
		}
		child.params[pname] = v
	}
	var missing []string
	for _, p := range m.params {
		if _, ok := given[p]; !ok {
			missing = append(missing, p)
			child.bad[p] = true
		}
	}
	if len(missing) > 0 && !unknown { // after a misspelt name it would repeat the error
		word := "argument"
		if len(missing) > 1 {
			word = "arguments"
		}
		nb.errorIn(en, callSpan, "missing %s %s in call of macro `%s`", word, backquote(missing), m.name).
			WithRelated(identSpan(m.def.Name), "`%s` is defined here with parameters (%s)", m.name, strings.Join(m.params, ", "))
	}
	if l.HasBlock {
		nb.errorIn(en, callSpan, "macro `%s` does not take a block", m.name).
			WithHint("put the layers in the macro's body, or after the call")
	}
	if l.Device != nil {
		if dev, ok := nb.device(l.Device, en); ok {
			child.device = dev
		}
	}
	note := diag.Related{Span: callSpan, Message: fmt.Sprintf("in expansion of %s at %s", m.name, callSpan.Start)}
	child.chain = make([]diag.Related, 0, len(en.chain)+1)
	child.chain = append(child.chain, note)
	child.chain = append(child.chain, en.chain...)
	child.stack = make([]*macro, 0, len(en.stack)+1)
	child.stack = append(child.stack, en.stack...)
	child.stack = append(child.stack, m)

	start := cur
	if uni.hasInputs {
		if blk.inner != nil {
			nb.errorIn(en, uni.inputsSpan, "inputs= is not allowed inside %s", blk.wrapper)
		} else if len(uni.inputs) != 1 {
			nb.errorIn(en, uni.inputsSpan, "a macro call takes one input, got %d in inputs=", len(uni.inputs))
		}
		if len(uni.inputs) > 0 {
			start = uni.inputs[0]
		}
	}
	sub := blk.child(start)
	if !uni.hasInputs {
		// Branches just run can be merged by the first layer of the body.
		sub.pending, blk.pending = blk.pending, nil
	}
	out := nb.stmts(m.def.Body, start, sub, child)
	// An HPO argument the body never used is still a searched value: name
	// it after the macro parameter.
	names := make([]string, 0, len(child.params))
	for k := range child.params {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		nb.recordUses(child.params[k], false, useCtx{label: m.name + "." + k})
	}
	return out
}

func backquote(names []string) string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = "`" + n + "`"
	}
	return strings.Join(out, ", ")
}
