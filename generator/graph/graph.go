// Package graph draws the architecture of checked networks as Graphviz DOT
// or Mermaid flowcharts. The output is a deterministic function of the IR:
// node identifiers come from positions in the network, never from maps or
// pointers, so the same model always gives the same bytes.
package graph

import (
	"fmt"
	"io"
	"strings"

	"github.com/rules-neural/rules_neural/generator/ir"
	"github.com/rules-neural/rules_neural/generator/summary"
)

// Format is an output notation.
type Format string

const (
	DOT     Format = "dot"
	Mermaid Format = "mermaid"
)

// Formats lists the supported formats, default first.
var Formats = []Format{DOT, Mermaid}

// ParseFormat returns the format named s.
func ParseFormat(s string) (Format, bool) {
	for _, f := range Formats {
		if string(f) == s {
			return f, true
		}
	}
	return "", false
}

// Write renders every network of m in format f.
func Write(w io.Writer, m *ir.Model, f Format) error {
	var out []byte
	switch f {
	case DOT:
		out = RenderDOT(m)
	case Mermaid:
		out = RenderMermaid(m)
	default:
		return fmt.Errorf("unknown graph format %q", f)
	}
	_, err := w.Write(out)
	return err
}

// vertex is one drawn node of a network: an input or a layer.
type vertex struct {
	id     string
	lines  []string // label lines, unescaped
	input  bool
	output bool
}

type edge struct{ from, to string }

// layout is a network reduced to what both notations draw.
type layout struct {
	name     string
	vertices []vertex
	edges    []edge
}

func layoutOf(netIndex int, net *ir.Network) layout {
	l := layout{name: net.Name}
	ids := make(map[*ir.Node]string, len(net.Inputs)+len(net.Nodes))
	for i, in := range net.Inputs {
		id := fmt.Sprintf("n%d_in%d", netIndex, i)
		if in.Node != nil {
			ids[in.Node] = id
		}
		l.vertices = append(l.vertices, vertex{
			id:    id,
			lines: []string{in.Name + ": Input", summary.FormatShape(in.Shape)},
			input: true,
		})
	}
	for i, n := range net.Nodes {
		id := fmt.Sprintf("n%d_%d", netIndex, i)
		ids[n] = id
		lines := []string{n.Name + ": " + n.Type}
		lines = appendInner(lines, n.Inner, 1)
		lines = append(lines, summary.FormatShape(n.Shape))
		l.vertices = append(l.vertices, vertex{id: id, lines: lines, output: n == net.Output})
		for _, from := range n.Inputs {
			// Every input of a node is an earlier node or a network input
			// (Nodes are in topological order); anything else would be a
			// sema bug, and drawing an edge to nowhere would hide it less
			// well than leaving it out.
			if fromID, ok := ids[from]; ok {
				l.edges = append(l.edges, edge{from: fromID, to: id})
			}
		}
	}
	return l
}

// appendInner lists the layers a wrapper (TimeDistributed, Bidirectional)
// applies, indented by nesting depth.
func appendInner(lines []string, inner []*ir.Node, depth int) []string {
	for _, n := range inner {
		lines = append(lines, strings.Repeat("  ", depth-1)+"↳ "+n.Name+": "+n.Type)
		lines = appendInner(lines, n.Inner, depth+1)
	}
	return lines
}

func layouts(m *ir.Model) []layout {
	out := make([]layout, len(m.Networks))
	for i, net := range m.Networks {
		out[i] = layoutOf(i, net)
	}
	return out
}
