package shape

import "github.com/rules-neural/rules_neural/generator/ir"

// Sizes are computed in int64 with saturating arithmetic so that no model,
// however absurd its numbers, can overflow silently or panic. A dimension
// above maxDim or a parameter count at maxCount is reported as an overflow
// by the driver.
const (
	maxDim   = 1 << 40
	maxCount = 1 << 61 // twice maxCount still fits in int64, so satAdd is safe
)

// satMul multiplies non-negative a and b, saturating at maxCount.
func satMul(a, b int64) int64 {
	if a <= 0 || b <= 0 {
		return 0
	}
	if a > maxCount/b {
		return maxCount
	}
	return a * b
}

// satAdd adds non-negative a and b, saturating at maxCount.
func satAdd(a, b int64) int64 {
	if a < 0 {
		a = 0
	}
	if b < 0 {
		b = 0
	}
	if a > maxCount {
		a = maxCount
	}
	if b > maxCount {
		b = maxCount
	}
	s := a + b
	if s > maxCount {
		return maxCount
	}
	return s
}

// prod multiplies factors, saturating.
func prod(xs ...int64) int64 {
	p := int64(1)
	for _, x := range xs {
		p = satMul(p, x)
	}
	return p
}

// known is d for a known dimension and 1 for an unknown one: FLOPs of a
// tensor with an unknown dimension are counted per unit of that dimension.
func known(d int) int64 {
	if d == ir.Unknown || d < 0 {
		return 1
	}
	return int64(d)
}

// elems is the number of elements of s, counting unknown dims as 1.
func elems(s ir.Shape) int64 {
	p := int64(1)
	for _, d := range s {
		p = satMul(p, known(d))
	}
	return p
}

// positions is the number of elements of s without its last axis (the
// number of places a per-vector operation such as Dense is applied).
func positions(s ir.Shape) int64 {
	if len(s) == 0 {
		return 1
	}
	return elems(s[:len(s)-1])
}

func max64(a, b int64) int64 {
	if a > b {
		return a
	}
	return b
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}
