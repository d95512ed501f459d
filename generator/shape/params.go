package shape

import (
	"math"

	"github.com/rules-neural/rules_neural/generator/ir"
)

// Parameter readers. Each resolves HPO values and expressions under the
// context's assignment and checks the value's kind, so rules see plain
// integers, booleans and strings. Sema has already validated the written
// values against the schema; these checks guard values that only an HPO
// assignment or a folded expression produces.

// required marks an integer parameter without a default.
const required = math.MinInt64

// value returns the named parameter resolved under the assignment, or a
// KNone value when the node does not have it.
func (c *ctx) value(n *ir.Node, name string) (ir.Value, error) {
	i := paramIndex(n, name)
	if i < 0 {
		return ir.Value{}, nil
	}
	v := n.Params[i].Value
	switch v.Kind {
	case ir.KHPO, ir.KExpr, ir.KTuple, ir.KList:
		if !wellFormed(v) {
			return v, fail("`%s` has a malformed value", name)
		}
		r, err := v.Resolve(c.a)
		if err != nil {
			return v, fail("`%s`: %v", name, err)
		}
		return r, nil
	}
	return v, nil
}

// paramIndex finds the named parameter. Params are in schema order, so the
// position in the (small, shared, cache-resident) schema gives the index
// directly and inference touches one Param per lookup instead of scanning
// a node's large Param array; the scan is the fallback for nodes built in
// another order.
func paramIndex(n *ir.Node, name string) int {
	if n.Spec != nil {
		for i, ps := range n.Spec.Params {
			if ps.Name == name {
				if i < len(n.Params) && n.Params[i].Spec == ps {
					return i
				}
				break
			}
		}
	}
	for i := range n.Params {
		if p := &n.Params[i]; p.Spec != nil && p.Spec.Name == name {
			return i
		}
	}
	return -1
}

// wellFormed reports whether v's HPO and expression pointers are set, so
// that resolving it cannot fail on a nil.
func wellFormed(v ir.Value) bool {
	switch v.Kind {
	case ir.KHPO:
		return v.HPO != nil && (v.HPO.Kind != ir.Choice || len(v.HPO.Choices) > 0)
	case ir.KExpr:
		return v.Expr != nil && wellFormed(v.Expr.L) && (v.Expr.Op == "neg" || wellFormed(v.Expr.R))
	case ir.KTuple, ir.KList:
		for _, e := range v.Elems {
			if !wellFormed(e) {
				return false
			}
		}
	}
	return true
}

// toInt converts an integer value (or a whole float from an expression).
func toInt(name string, v ir.Value) (int64, error) {
	switch v.Kind {
	case ir.KInt:
		return v.Int, nil
	case ir.KFloat:
		if v.Float == math.Trunc(v.Float) && math.Abs(v.Float) < maxCount {
			return int64(v.Float), nil
		}
		return 0, fail("`%s` must be a whole number, got %s", name, ir.FormatFloat(v.Float))
	}
	return 0, fail("`%s` must be an integer, got %s", name, v.Describe())
}

// intParam reads an integer; def is used when the parameter is absent
// (required: an error).
func (c *ctx) intParam(n *ir.Node, name string, def int64) (int64, error) {
	v, err := c.value(n, name)
	if err != nil {
		return 0, err
	}
	if v.Kind == ir.KNone {
		if def == required {
			return 0, consequence("%s needs `%s`", n.Type, name)
		}
		return def, nil
	}
	return toInt(name, v)
}

// posInt reads an integer that must be at least 1.
func (c *ctx) posInt(n *ir.Node, name string, def int64) (int64, error) {
	i, err := c.intParam(n, name, def)
	if err != nil {
		return 0, err
	}
	if i < 1 {
		return 0, fail("`%s` must be at least 1, got %d", name, i)
	}
	if i > maxDim {
		return 0, fail("dimension overflows: `%s` = %d", name, i)
	}
	return i, nil
}

// optInt reads an optional integer; ok is false when it is absent.
func (c *ctx) optInt(n *ir.Node, name string) (i int64, ok bool, err error) {
	v, err := c.value(n, name)
	if err != nil || v.Kind == ir.KNone {
		return 0, false, err
	}
	i, err = toInt(name, v)
	return i, err == nil, err
}

// boolParam reads a boolean.
func (c *ctx) boolParam(n *ir.Node, name string, def bool) (bool, error) {
	v, err := c.value(n, name)
	if err != nil {
		return false, err
	}
	switch v.Kind {
	case ir.KNone:
		return def, nil
	case ir.KBool:
		return v.Bool, nil
	}
	return false, fail("`%s` must be true or false, got %s", name, v.Describe())
}

// strParam reads a string (or a bare name).
func (c *ctx) strParam(n *ir.Node, name, def string) (string, error) {
	v, err := c.value(n, name)
	if err != nil {
		return "", err
	}
	switch v.Kind {
	case ir.KNone:
		return def, nil
	case ir.KString, ir.KIdent:
		return v.Str, nil
	}
	return "", fail("`%s` must be a string, got %s", name, v.Describe())
}

// tupleParam reads an int-or-tuple parameter of rank r into dst: an int or
// a 1-tuple applies to every axis, an r-tuple gives one value per axis.
// Absent, it fills def (required: an error; 0: leaves dst zero and reports
// present=false). Every value must be at least `least`.
func (c *ctx) tupleParam(n *ir.Node, name string, r int, def, least int64, dst *[3]int64) (present bool, err error) {
	v, err := c.value(n, name)
	if err != nil {
		return false, err
	}
	switch v.Kind {
	case ir.KNone:
		if def == required {
			return false, consequence("%s needs `%s`", n.Type, name)
		}
		for i := 0; i < r; i++ {
			dst[i] = def
		}
		return false, nil
	case ir.KTuple, ir.KList:
		if len(v.Elems) != 1 && len(v.Elems) != r {
			return false, fail("`%s` of %s needs 1 or %d integers, got %s", name, n.Type, r, v.String())
		}
		for i := 0; i < r; i++ {
			e := v.Elems[0]
			if len(v.Elems) == r {
				e = v.Elems[i]
			}
			x, err := toInt(name, e)
			if err != nil {
				return false, err
			}
			dst[i] = x
		}
	default:
		x, err := toInt(name, v)
		if err != nil {
			return false, err
		}
		for i := 0; i < r; i++ {
			dst[i] = x
		}
	}
	for i := 0; i < r; i++ {
		if dst[i] < least {
			return false, fail("`%s` must be at least %d, got %s", name, least, v.String())
		}
		if dst[i] > maxDim {
			return false, fail("dimension overflows: `%s` = %d", name, dst[i])
		}
	}
	return true, nil
}

// padParam reads a ZeroPadding/Cropping amount for r spatial axes into
// dst[axis] = (before, after). Forms (as Keras): an int for every side; one
// int per axis, symmetric; (before, after) pairs per axis. For one axis a
// 2-tuple of ints is the (before, after) pair, as in Keras ZeroPadding1D.
func (c *ctx) padParam(n *ir.Node, name string, r int, dst *[3][2]int64) error {
	v, err := c.value(n, name)
	if err != nil {
		return err
	}
	bad := func() error {
		return fail("`%s` of %s must be an integer, %d integers or %d (before, after) pairs, got %s", name, n.Type, r, r, v.String())
	}
	set := func(axis int, e ir.Value) error {
		switch e.Kind {
		case ir.KTuple, ir.KList:
			if len(e.Elems) != 2 {
				return bad()
			}
			a, err := toInt(name, e.Elems[0])
			if err != nil {
				return err
			}
			b, err := toInt(name, e.Elems[1])
			if err != nil {
				return err
			}
			dst[axis] = [2]int64{a, b}
		default:
			a, err := toInt(name, e)
			if err != nil {
				return err
			}
			dst[axis] = [2]int64{a, a}
		}
		return nil
	}
	switch v.Kind {
	case ir.KNone:
		*dst = [3][2]int64{}
	case ir.KTuple, ir.KList:
		allInts := true
		for _, e := range v.Elems {
			if e.Kind == ir.KTuple || e.Kind == ir.KList {
				allInts = false
			}
		}
		switch {
		case r == 1 && allInts && len(v.Elems) == 2:
			if err := set(0, v); err != nil {
				return err
			}
		case len(v.Elems) == 1:
			for i := 0; i < r; i++ {
				if err := set(i, v.Elems[0]); err != nil {
					return err
				}
			}
		case len(v.Elems) == r:
			for i := 0; i < r; i++ {
				if err := set(i, v.Elems[i]); err != nil {
					return err
				}
			}
		default:
			return bad()
		}
	default:
		for i := 0; i < r; i++ {
			if err := set(i, v); err != nil {
				return err
			}
		}
	}
	for i := 0; i < r; i++ {
		for j := 0; j < 2; j++ {
			if dst[i][j] < 0 {
				return fail("`%s` must not be negative, got %s", name, v.String())
			}
			if dst[i][j] > maxDim {
				return fail("dimension overflows: `%s` = %d", name, dst[i][j])
			}
		}
	}
	return nil
}
