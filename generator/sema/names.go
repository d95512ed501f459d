package sema

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/rules-neural/rules_neural/generator/ir"
)

// pythonKeywords cannot be attribute names in generated Python; a layer
// named like one gets a trailing underscore.
var pythonKeywords = map[string]bool{
	"False": true, "None": true, "True": true, "and": true, "as": true, "assert": true, "async": true,
	"await": true, "break": true, "class": true, "continue": true, "def": true, "del": true, "elif": true,
	"else": true, "except": true, "finally": true, "for": true, "from": true, "global": true, "if": true,
	"import": true, "in": true, "is": true, "lambda": true, "nonlocal": true, "not": true, "or": true,
	"pass": true, "raise": true, "return": true, "try": true, "while": true, "with": true, "yield": true,
}

// sanitizeName turns a user's name= into an identifier: characters outside
// [A-Za-z0-9_] become `_`, a leading digit gets a `_` prefix, a Python
// keyword a `_` suffix. "" stays "" (an error for the caller).
func sanitizeName(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r < unicode.MaxASCII && (r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r)) {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	out := b.String()
	if out != "" && out[0] >= '0' && out[0] <= '9' {
		out = "_" + out
	}
	if pythonKeywords[out] {
		out += "_"
	}
	return out
}

// claimName gives node the user's name= and reports duplicates. Nodes
// without one are named by assignNames at the end.
func (nb *netBuilder) claimName(node *ir.Node, uni universals, en *env) {
	if !uni.hasName {
		return
	}
	if prev, dup := nb.named[uni.name]; dup {
		d := nb.errorIn(en, uni.nameSpan, "duplicate layer name `%s`", uni.name).
			WithRelated(prev.span, "first used here")
		if len(en.chain) > 0 {
			d.WithHint("a layer in a macro called more than once, or repeated with `* N`, cannot have a fixed name")
		} else {
			d.WithHint("layer names must be unique within a network; a layer repeated with `* N` cannot have a fixed name")
		}
		return
	}
	node.Name = uni.name
	entry := namedNode{span: uni.nameSpan}
	if node.ID >= 0 {
		entry.node = node // wrapped layers are not tensors of the graph
	}
	nb.named[uni.name] = entry
}

// assignNames names every node that has no name= like Keras does: the
// first Dense is `dense`, the next `dense_1`, skipping names already taken
// by name= or inputs. Wrapped layers are named before their wrapper, as
// Keras constructs them first.
func (nb *netBuilder) assignNames() {
	taken := map[string]bool{}
	for k := range nb.named {
		taken[k] = true
	}
	counters := map[string]int{}
	var name func(n *ir.Node)
	name = func(n *ir.Node) {
		for _, in := range n.Inner {
			name(in)
		}
		if n.Name != "" {
			return
		}
		base := ir.KerasLayerName(n.Type)
		for {
			c := counters[base]
			counters[base] = c + 1
			cand := base
			if c > 0 {
				cand = fmt.Sprintf("%s_%d", base, c)
			}
			if !taken[cand] {
				n.Name = cand
				taken[cand] = true
				return
			}
		}
	}
	for _, n := range nb.net.Nodes {
		name(n)
	}
}

// nameHPOs names each HPO after its first use ("dense_1.units",
// "optimizer.learning_rate", "train.batch_size"), keeping names unique.
func (nb *netBuilder) nameHPOs() {
	taken := map[string]bool{}
	give := func(h *ir.HPO, name string) {
		cand := name
		for i := 1; taken[cand]; i++ {
			cand = fmt.Sprintf("%s_%d", name, i)
		}
		h.Name = cand
		taken[cand] = true
	}
	for _, u := range nb.hpoUses {
		if u.hpo.Name != "" {
			continue
		}
		name := u.label
		if u.node != nil {
			owner := u.node.Name
			if owner == "" {
				owner = ir.KerasLayerName(u.node.Type)
			}
			name = owner + "." + u.label
		}
		give(u.hpo, name)
	}
	for _, h := range nb.net.HPOs {
		if h.Name == "" {
			give(h, fmt.Sprintf("hpo_%d", h.ID))
		}
	}
}
