package summary

import (
	"fmt"
	"io"
	"strings"

	"github.com/rules-neural/rules_neural/generator/ir"
)

// HPONote is printed under the totals of a network with searched
// hyper-parameters (LANGUAGE.md §8).
const HPONote = "Shapes and parameter counts are shown for the default HPO values (the first choice; lo of a range)."

// WriteText prints one Keras-like table per network, separated by a blank
// line:
//
//	Model: "MNIST"
//	____________________________________________________
//	 Layer (type)             Output Shape        Param #
//	====================================================
//	 conv2d (Conv2D)          (None, 26, 26, 32)  320
//	 …
//	====================================================
//	Total params: 693,962
//	Trainable params: 693,962
//	Non-trainable params: 0
//	____________________________________________________
//
// Networks that are not a plain sequence (several inputs, branches, merges)
// also list their inputs and get a "Connected to" column, as Keras does for
// functional models.
func WriteText(w io.Writer, m *ir.Model) error {
	var b strings.Builder
	for i, net := range m.Networks {
		if i > 0 {
			b.WriteString("\n")
		}
		writeNetwork(&b, net)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func writeNetwork(b *strings.Builder, net *ir.Network) {
	graph := !isSequence(net)
	header := []string{"Layer (type)", "Output Shape", "Param #"}
	if graph {
		header = append(header, "Connected to")
	}
	var rows [][]string
	if graph {
		for _, in := range net.Inputs {
			rows = append(rows, []string{in.Name + " (InputLayer)", FormatShape(in.Shape), "0", ""})
		}
	}
	for _, n := range net.Nodes {
		row := []string{n.Name + " (" + n.Type + ")", FormatShape(n.Shape), FormatCount(n.Trainable + n.NonTrainable)}
		if graph {
			row = append(row, connectedTo(n))
		}
		rows = append(rows, row)
	}

	widths := make([]int, len(header))
	for _, r := range append([][]string{header}, rows...) {
		for c, cell := range r {
			if l := len([]rune(cell)); l > widths[c] {
				widths[c] = l
			}
		}
	}
	const gap = 2
	total := 1
	for _, wd := range widths {
		total += wd + gap
	}
	total -= gap

	fmt.Fprintf(b, "Model: %q\n", net.Name)
	b.WriteString(strings.Repeat("_", total) + "\n")
	writeRow(b, header, widths, gap)
	b.WriteString(strings.Repeat("=", total) + "\n")
	for _, r := range rows {
		writeRow(b, r, widths, gap)
	}
	b.WriteString(strings.Repeat("=", total) + "\n")
	trainable, nonTrainable := Totals(net)
	fmt.Fprintf(b, "Total params: %s\n", FormatCount(trainable+nonTrainable))
	fmt.Fprintf(b, "Trainable params: %s\n", FormatCount(trainable))
	fmt.Fprintf(b, "Non-trainable params: %s\n", FormatCount(nonTrainable))
	if len(net.HPOs) > 0 {
		b.WriteString(HPONote + "\n")
	}
	b.WriteString(strings.Repeat("_", total) + "\n")
}

// writeRow pads every cell but the last to its column width; lines carry no
// trailing spaces so that golden files and diffs stay clean.
func writeRow(b *strings.Builder, cells []string, widths []int, gap int) {
	var line strings.Builder
	line.WriteString(" ")
	for c, cell := range cells {
		line.WriteString(cell)
		if c < len(cells)-1 {
			line.WriteString(strings.Repeat(" ", widths[c]-len([]rune(cell))+gap))
		}
	}
	b.WriteString(strings.TrimRight(line.String(), " ") + "\n")
}

// isSequence reports whether every layer consumes exactly the previous one,
// starting from the only input: the shape of a Keras Sequential model.
func isSequence(net *ir.Network) bool {
	if len(net.Inputs) != 1 {
		return false
	}
	prev := net.Inputs[0].Node
	for _, n := range net.Nodes {
		if len(n.Inputs) != 1 || n.Inputs[0] != prev {
			return false
		}
		prev = n
	}
	return true
}

func connectedTo(n *ir.Node) string {
	names := make([]string, len(n.Inputs))
	for i, in := range n.Inputs {
		names[i] = in.Name
	}
	return strings.Join(names, ", ")
}
