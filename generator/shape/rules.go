package shape

import (
	"fmt"

	"github.com/rules-neural/rules_neural/generator/ir"
)

// result is what a rule infers for one node.
type result struct {
	shape        ir.Shape
	trainable    int64
	nonTrainable int64
	flops        int64
}

// rule infers one layer type: from the node's parameters (read through c,
// which resolves HPO values) and its input shapes to the output shape,
// parameter counts and FLOPs. Rules must not panic, must not mutate in,
// and allocate output shapes with c.alloc.
type rule func(c *ctx, n *ir.Node, in []ir.Shape) (result, error)

// entry is one row of the rule table.
type entry struct {
	rule rule
	// tokens: the layer passes integer token indices through unchanged, so
	// an Embedding may still follow it.
	tokens bool
}

// table maps every canonical layer name of the schema to its rule. It is
// filled in init because the wrapper rules look layers up in it.
var table map[string]*entry

func init() {
	table = map[string]*entry{
		"Dense":                 {rule: ruleDense},
		"Output":                {rule: ruleDense},
		"Activation":            {rule: ruleActivation},
		"Dropout":               {rule: ruleSame},
		"GaussianNoise":         {rule: ruleSame},
		"GaussianDropout":       {rule: ruleSame},
		"AlphaDropout":          {rule: ruleSame},
		"Identity":              {rule: ruleSame, tokens: true},
		"Sequential":            {rule: ruleSequential},
		"Flatten":               {rule: ruleFlatten, tokens: true},
		"Reshape":               {rule: ruleReshape, tokens: true},
		"Permute":               {rule: rulePermute, tokens: true},
		"RepeatVector":          {rule: ruleRepeatVector, tokens: true},
		"BatchNormalization":    {rule: ruleBatchNorm},
		"LayerNormalization":    {rule: ruleLayerNorm},
		"GroupNormalization":    {rule: ruleGroupNorm},
		"InstanceNormalization": {rule: ruleInstanceNorm},
		"Embedding":             {rule: ruleEmbedding},
		"PositionalEncoding":    {rule: rulePositionalEncoding},
		"SimpleRNN":             {rule: ruleRecurrent},
		"LSTM":                  {rule: ruleRecurrent},
		"GRU":                   {rule: ruleRecurrent},
		"Bidirectional":         {rule: ruleBidirectional},
		"TimeDistributed":       {rule: ruleTimeDistributed},
		"MultiHeadAttention":    {rule: ruleMultiHeadAttention},
		"TransformerEncoder":    {rule: ruleTransformer},
		"TransformerDecoder":    {rule: ruleTransformer},
		"Add":                   {rule: ruleElementwise},
		"Subtract":              {rule: ruleElementwise},
		"Multiply":              {rule: ruleElementwise},
		"Average":               {rule: ruleElementwise},
		"Maximum":               {rule: ruleElementwise},
		"Minimum":               {rule: ruleElementwise},
		"Concatenate":           {rule: ruleConcatenate, tokens: true},
		"ResidualConnection":    {rule: ruleResidual},
		"DepthwiseConv2D":       {rule: ruleDepthwiseConv},
	}
	for r := 1; r <= 3; r++ {
		table[fmt.Sprintf("Conv%dD", r)] = &entry{rule: convRule(r)}
		table[fmt.Sprintf("Conv%dDTranspose", r)] = &entry{rule: convTransposeRule(r)}
		table[fmt.Sprintf("MaxPooling%dD", r)] = &entry{rule: poolRule(r)}
		table[fmt.Sprintf("AveragePooling%dD", r)] = &entry{rule: poolRule(r)}
		table[fmt.Sprintf("GlobalMaxPooling%dD", r)] = &entry{rule: globalPoolRule(r)}
		table[fmt.Sprintf("GlobalAveragePooling%dD", r)] = &entry{rule: globalPoolRule(r)}
		table[fmt.Sprintf("UpSampling%dD", r)] = &entry{rule: upSamplingRule(r)}
		table[fmt.Sprintf("ZeroPadding%dD", r)] = &entry{rule: paddingRule(r, false)}
		table[fmt.Sprintf("Cropping%dD", r)] = &entry{rule: paddingRule(r, true)}
		table[fmt.Sprintf("SpatialDropout%dD", r)] = &entry{rule: spatialDropoutRule(r)}
		if r <= 2 {
			table[fmt.Sprintf("SeparableConv%dD", r)] = &entry{rule: separableConvRule(r)}
		}
	}
}

// lookupRule finds the rule of a layer type, accepting any spelling the
// schema accepts.
func lookupRule(typ string) *entry {
	if e, ok := table[typ]; ok {
		return e
	}
	if spec := ir.LookupLayer(typ); spec != nil {
		return table[spec.Name]
	}
	return nil
}

// single returns the input of a layer that takes exactly one.
func single(n *ir.Node, in []ir.Shape) (ir.Shape, error) {
	if len(in) != 1 {
		return nil, fail("%s takes one input but receives %d", n.Type, len(in))
	}
	return in[0], nil
}

// lastKnown returns the last dimension of x, which must be known because
// weights are sized by it.
func lastKnown(n *ir.Node, x ir.Shape, what string) (int64, error) {
	if len(x) == 0 {
		return 0, fail("%s needs at least one dimension but receives %s", n.Type, fmtShape(x))
	}
	d := x[len(x)-1]
	if d == ir.Unknown {
		return 0, fail("%s needs a known number of %s (the last dimension) but receives %s", n.Type, what, fmtShape(x))
	}
	return int64(d), nil
}
