package sema

import (
	"strings"

	"github.com/rules-neural/rules_neural/generator/diag"
	"github.com/rules-neural/rules_neural/generator/ir"
	"github.com/rules-neural/rules_neural/generator/syntax"
)

// deviceKinds are the device names of LANGUAGE.md §4; all but cpu, mps and
// auto take an optional `:N` index. "auto" (let the backend choose) is
// written in users' files.
var deviceKinds = []string{"cpu", "cuda", "gpu", "tpu", "xla", "mps", "auto"}

// canonicalDevice validates a device string and returns it in lower case.
func canonicalDevice(s string) (string, bool) {
	d := strings.ToLower(strings.TrimSpace(s))
	kind, index := d, ""
	if i := strings.IndexByte(d, ':'); i >= 0 {
		kind, index = d[:i], d[i+1:]
		if index == "" || len(index) > 6 {
			return "", false
		}
		for _, c := range index {
			if c < '0' || c > '9' {
				return "", false
			}
		}
		switch kind {
		case "cuda", "gpu", "tpu", "xla":
			return d, true
		}
		return "", false
	}
	return d, contains(deviceKinds, kind)
}

// device evaluates and validates a placement `@ "cuda:0"`.
func (nb *netBuilder) device(e *syntax.Expr, en *env) (string, bool) {
	v, ok := nb.eval(e, en)
	if !ok {
		return "", false
	}
	return nb.deviceValue(v, en)
}

func (nb *netBuilder) deviceValue(v ir.Value, en *env) (string, bool) {
	if v.Kind != ir.KString && v.Kind != ir.KIdent {
		nb.errorIn(en, v.Span, "a device must be a string such as \"cuda:0\", got %s", v.Describe())
		return "", false
	}
	if d, ok := canonicalDevice(v.Str); ok {
		return d, true
	}
	d := nb.errorIn(en, v.Span, "invalid device %q", v.Str)
	base, rest := strings.ToLower(strings.TrimSpace(v.Str)), ""
	if i := strings.IndexAny(base, ":0123456789"); i > 0 {
		base, rest = base[:i], strings.TrimLeft(base[i:], ":")
	}
	sug := diag.Suggest(base, deviceKinds)
	if sug != "" && rest != "" && strings.Trim(rest, "0123456789") == "" {
		sug += ":" + rest
	}
	if sug != "" && sug != strings.ToLower(v.Str) {
		d.WithHint("did you mean %q? devices: cpu, cuda[:N], gpu[:N], tpu[:N], xla[:N], mps, auto", sug)
	} else {
		d.WithHint("devices: cpu, cuda[:N], gpu[:N], tpu[:N], xla[:N], mps, auto")
	}
	return "", false
}
