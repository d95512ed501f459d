package graph

import (
	"fmt"
	"strings"

	"github.com/rules-neural/rules_neural/generator/ir"
)

// RenderMermaid draws m as one Mermaid flowchart, with a subgraph per
// network when there are several. Inputs are stadium shapes and the output
// layer a double-bordered box.
func RenderMermaid(m *ir.Model) []byte {
	ls := layouts(m)
	var b strings.Builder
	b.WriteString("flowchart TB\n")
	for i, l := range ls {
		indent := "  "
		if len(ls) > 1 {
			fmt.Fprintf(&b, "  subgraph net%d[%s]\n", i, mermaidLabel([]string{l.name}))
			indent = "    "
		} else {
			b.WriteString("  %% network " + l.name + "\n")
		}
		for _, v := range l.vertices {
			open, close := "[", "]"
			switch {
			case v.input:
				open, close = "([", "])"
			case v.output:
				open, close = "[[", "]]"
			}
			b.WriteString(indent + v.id + open + mermaidLabel(v.lines) + close + "\n")
		}
		for _, e := range l.edges {
			b.WriteString(indent + e.from + " --> " + e.to + "\n")
		}
		if len(ls) > 1 {
			b.WriteString("  end\n")
		}
	}
	return []byte(b.String())
}

// Mermaid labels are HTML: entity codes keep quotes and angle brackets
// literal, and <br/> breaks lines.
var mermaidEscaper = strings.NewReplacer(`#`, `#35;`, `"`, `#quot;`, `<`, `#lt;`, `>`, `#gt;`, `&`, `#amp;`)

func mermaidLabel(lines []string) string {
	esc := make([]string, len(lines))
	for i, l := range lines {
		esc[i] = mermaidEscaper.Replace(l)
	}
	return `"` + strings.Join(esc, "<br/>") + `"`
}
