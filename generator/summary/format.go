// Package summary describes checked networks the way Keras' model.summary()
// does: a table of layers with output shapes and parameter counts, and the
// same facts as JSON for tools.
package summary

import (
	"strconv"
	"strings"

	"github.com/rules-neural/rules_neural/generator/ir"
)

// UnknownShape is printed for a node whose shape was not inferred (shape
// inference stopped at an error before it).
const UnknownShape = "?"

// FormatShape prints s with the batch dimension first, as Keras does:
// (None, 26, 26, 32). Dimensions of unknown size print as None too.
func FormatShape(s ir.Shape) string {
	if s == nil {
		return UnknownShape
	}
	var b strings.Builder
	b.WriteString("(None")
	for _, d := range s {
		b.WriteString(", ")
		if d == ir.Unknown {
			b.WriteString("None")
		} else {
			b.WriteString(strconv.Itoa(d))
		}
	}
	b.WriteString(")")
	return b.String()
}

// FormatCount prints n with thousands separators: 692,352.
func FormatCount(n int64) string {
	s := strconv.FormatInt(n, 10)
	sign := ""
	if n < 0 {
		sign, s = "-", s[1:]
	}
	if len(s) <= 3 {
		return sign + s
	}
	var b strings.Builder
	b.WriteString(sign)
	head := len(s) % 3
	if head > 0 {
		b.WriteString(s[:head])
	}
	for i := head; i < len(s); i += 3 {
		if b.Len() > len(sign) {
			b.WriteByte(',')
		}
		b.WriteString(s[i : i+3])
	}
	return b.String()
}

// Totals sums the parameter counts of a network's layers. Wrapped (Inner)
// layers are not added again: their wrapper's counts include them.
func Totals(net *ir.Network) (trainable, nonTrainable int64) {
	for _, n := range net.Nodes {
		trainable += n.Trainable
		nonTrainable += n.NonTrainable
	}
	return trainable, nonTrainable
}
