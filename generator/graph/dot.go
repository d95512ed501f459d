package graph

import (
	"strings"

	"github.com/rules-neural/rules_neural/generator/ir"
)

// RenderDOT draws m as one Graphviz digraph. A single network is the whole
// graph; several networks each get a cluster subgraph.
func RenderDOT(m *ir.Model) []byte {
	ls := layouts(m)
	var b strings.Builder
	name := "model"
	if len(ls) == 1 {
		name = ls[0].name
	}
	b.WriteString("digraph " + dotQuote(name) + " {\n")
	b.WriteString("  rankdir=TB;\n")
	b.WriteString("  node [shape=box, style=rounded, fontname=\"Helvetica\"];\n")
	b.WriteString("  edge [fontname=\"Helvetica\"];\n")
	for i, l := range ls {
		indent := "  "
		if len(ls) > 1 {
			if i > 0 {
				b.WriteString("\n")
			}
			b.WriteString("  subgraph " + dotQuote("cluster_"+l.name) + " {\n")
			b.WriteString("    label=" + dotQuote(l.name) + ";\n")
			indent = "    "
		}
		for _, v := range l.vertices {
			b.WriteString(indent + v.id + " [label=" + dotLabel(v.lines))
			if v.input {
				b.WriteString(", shape=ellipse")
			}
			if v.output {
				b.WriteString(", peripheries=2")
			}
			b.WriteString("];\n")
		}
		for _, e := range l.edges {
			b.WriteString(indent + e.from + " -> " + e.to + ";\n")
		}
		if len(ls) > 1 {
			b.WriteString("  }\n")
		}
	}
	b.WriteString("}\n")
	return []byte(b.String())
}

var dotEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)

func dotQuote(s string) string { return `"` + dotEscaper.Replace(s) + `"` }

// dotLabel joins label lines with DOT's centred line break.
func dotLabel(lines []string) string {
	esc := make([]string, len(lines))
	for i, l := range lines {
		esc[i] = dotEscaper.Replace(l)
	}
	return `"` + strings.Join(esc, `\n`) + `"`
}
