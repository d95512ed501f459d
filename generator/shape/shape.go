// Package shape infers output shapes, parameter counts and FLOPs for every
// node of a network with Keras semantics, and checks every shape-relevant
// combination of HPO values.
package shape

import (
	"github.com/rules-neural/rules_neural/generator/diag"
	"github.com/rules-neural/rules_neural/generator/ir"
)

// Check infers shapes for net at the default HPO assignment (filling
// Node.Shape, Trainable, NonTrainable and FLOPs), then checks the other
// shape-relevant HPO combinations. Problems go to diags.
func Check(net *ir.Network, diags *diag.List) {}
