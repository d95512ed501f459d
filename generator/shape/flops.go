package shape

// FLOPs convention (Node.FLOPs, per example, inference):
//
//   - A multiply-add counts as 2 FLOPs. Dense: 2·in·units per position;
//     convolutions: 2·k·(Cin/groups)·Cout per output position (transposed:
//     per input position); recurrent layers: the gate matrix products per
//     time step; attention: the Q/K/V/output projections plus 2·Tq·Tk·d for
//     the scores and 2·Tq·Tk·d for the weighted sum.
//   - Bias additions are not counted; a fused activation other than linear,
//     an Activation layer and each extra input of an element-wise merge cost
//     1 FLOP per output element.
//   - Normalizations are element-wise: BatchNormalization at inference is a
//     folded scale and shift (bnFLOPs per element); Layer/Group/Instance
//     normalization compute statistics, normalize and apply the affine
//     transform (normFLOPs per element).
//   - Pooling costs one operation per window element per output; global
//     pooling one per input element. Reshapes, padding, cropping, dropout,
//     embeddings (a lookup) and nearest upsampling cost 0.
//   - An unknown dimension (None) counts as 1, so FLOPs of a model with an
//     unknown sequence length are per unit of that length.
const (
	bnFLOPs   = 2
	normFLOPs = 5
)
