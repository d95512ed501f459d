package ir

import "fmt"

// Sema stores TIntTuple and TPadding parameters in one canonical form so
// that later stages read a single shape of value. An HPO whose choices are
// themselves tuples stays a KHPO; after Assignment.Resolve such a value may
// again be an int or a short tuple, and these helpers bring it into the same
// canonical form.

// isScalarInt reports whether v stands for one integer: a literal, an HPO
// or an expression over HPOs.
func isScalarInt(v Value) bool {
	return v.Kind == KInt || v.Kind == KHPO || v.Kind == KExpr
}

// NormalizeIntTuple returns v as a KTuple of rank integers: an int is
// repeated rank times (kernel_size=3 → (3, 3)); a tuple or list must hold
// exactly rank integers. With rank 0 any non-empty length is accepted and an
// int becomes a one-element tuple.
func NormalizeIntTuple(v Value, rank int) (Value, error) {
	switch v.Kind {
	case KInt, KHPO, KExpr:
		n := rank
		if n <= 0 {
			n = 1
		}
		out := Value{Kind: KTuple, Span: v.Span, Elems: make([]Value, n)}
		for i := range out.Elems {
			out.Elems[i] = v
		}
		return out, nil
	case KTuple, KList:
		if len(v.Elems) == 0 {
			return v, fmt.Errorf("needs at least one integer, got an empty tuple")
		}
		if rank > 0 && len(v.Elems) != rank {
			return v, fmt.Errorf("needs %d integers (one per spatial dimension), got %d", rank, len(v.Elems))
		}
		for _, e := range v.Elems {
			if !isScalarInt(e) {
				return v, fmt.Errorf("needs integers, got %s", e.Describe())
			}
		}
		out := v
		out.Kind = KTuple
		return out, nil
	}
	return v, fmt.Errorf("needs an integer or a tuple of integers, got %s", v.Describe())
}

// NormalizePadding returns v as a KTuple of rank (before, after) pairs, each
// pair a KTuple of two integers. Accepted forms: an int (the same on both
// sides of every dimension); a tuple of rank ints (symmetric per dimension);
// a tuple of rank pairs. For rank 1 a tuple of two ints is the (before,
// after) pair of the single dimension, as in Keras' ZeroPadding1D.
func NormalizePadding(v Value, rank int) (Value, error) {
	if rank <= 0 {
		rank = 1
	}
	pair := func(a, b Value) Value {
		return Value{Kind: KTuple, Span: a.Span, Elems: []Value{a, b}}
	}
	out := Value{Kind: KTuple, Span: v.Span, Elems: make([]Value, rank)}
	switch v.Kind {
	case KInt, KHPO, KExpr:
		for i := range out.Elems {
			out.Elems[i] = pair(v, v)
		}
		return out, nil
	case KTuple, KList:
		es := v.Elems
		allScalar := len(es) > 0
		for _, e := range es {
			if !isScalarInt(e) {
				allScalar = false
			}
		}
		switch {
		case allScalar && rank == 1 && len(es) == 2:
			out.Elems[0] = pair(es[0], es[1])
			return out, nil
		case allScalar && len(es) == rank:
			for i, e := range es {
				out.Elems[i] = pair(e, e)
			}
			return out, nil
		case len(es) == rank:
			for i, e := range es {
				if (e.Kind != KTuple && e.Kind != KList) || len(e.Elems) != 2 || !isScalarInt(e.Elems[0]) || !isScalarInt(e.Elems[1]) {
					return v, fmt.Errorf("needs %d (before, after) pairs of integers, got %s", rank, v.Describe())
				}
				out.Elems[i] = pair(e.Elems[0], e.Elems[1])
			}
			return out, nil
		}
		if rank == 1 {
			return v, fmt.Errorf("needs an integer or a (before, after) pair, got %s", v.Describe())
		}
		return v, fmt.Errorf("needs an integer, %d integers or %d (before, after) pairs, got %s", rank, rank, v.Describe())
	}
	return v, fmt.Errorf("needs an integer or a tuple of integers, got %s", v.Describe())
}
