package driver

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/rules-neural/rules_neural/generator/diag"
	"github.com/rules-neural/rules_neural/generator/ir"
	"github.com/rules-neural/rules_neural/generator/sema"
	"github.com/rules-neural/rules_neural/generator/shape"
	"github.com/rules-neural/rules_neural/generator/syntax"
)

// Pins are hyper-parameter values chosen by a search (`--hpo-values
// best.json`), by HPO name.
type Pins map[string]ir.Value

// ParsePins reads a JSON object {"dense.units": 256, "optimizer.learning_rate":
// 0.001, …}, as the search driver writes it.
func ParsePins(data []byte) (Pins, error) {
	var raw map[string]interface{}
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("HPO values must be a JSON object of name → value: %v", err)
	}
	pins := Pins{}
	for name, v := range raw {
		val, err := jsonValue(v)
		if err != nil {
			return nil, fmt.Errorf("HPO value %q: %v", name, err)
		}
		pins[name] = val
	}
	return pins, nil
}

func jsonValue(v interface{}) (ir.Value, error) {
	switch x := v.(type) {
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return ir.Value{Kind: ir.KInt, Int: i}, nil
		}
		f, err := x.Float64()
		if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			return ir.Value{}, fmt.Errorf("not a finite number: %s", x)
		}
		return ir.Value{Kind: ir.KFloat, Float: f}, nil
	case string:
		return ir.Value{Kind: ir.KString, Str: x}, nil
	case bool:
		return ir.Value{Kind: ir.KBool, Bool: x}, nil
	case []interface{}:
		t := ir.Value{Kind: ir.KTuple}
		for _, e := range x {
			ev, err := jsonValue(e)
			if err != nil {
				return ir.Value{}, err
			}
			t.Elems = append(t.Elems, ev)
		}
		return t, nil
	}
	return ir.Value{}, fmt.Errorf("unsupported JSON value %v", v)
}

// CheckPinned is Check with some hyper-parameters fixed: each pinned HPO is
// narrowed to its one value before shape inference, so shapes, parameter
// counts and generated code are those of the chosen configuration. A pin
// must name an HPO of the file and lie in its search space.
func CheckPinned(filename string, src []byte, pins Pins) (*ir.Model, *diag.List) {
	file, diags := syntax.Parse(filename, src)
	if file == nil {
		diags.Normalize()
		return nil, diags
	}
	return CheckParsed(filename, file, diags, pins), diags
}

// CheckParsed runs the rest of CheckPinned (sema, pins, shapes) on a file
// the caller already parsed without errors, adding to diags and normalizing
// them; for callers that need the syntax tree too.
func CheckParsed(filename string, file *syntax.File, diags *diag.List, pins Pins) *ir.Model {
	model := sema.Build(file, diags)
	if model != nil {
		used := map[string]bool{}
		for _, net := range model.Networks {
			if net == nil {
				continue
			}
			for _, h := range net.HPOs {
				if v, ok := pins[h.Name]; ok {
					used[h.Name] = true
					pin(h, v, diags)
				}
			}
			shape.Check(net, diags)
		}
		var unknown []string
		for name := range pins {
			if !used[name] {
				unknown = append(unknown, name)
			}
		}
		sort.Strings(unknown)
		for _, name := range unknown {
			d := diags.Errorf(diag.At(diag.Pos{File: filename}), "--hpo-values names `%s`, which is not a hyper-parameter of %s", name, filename)
			if s := diag.Suggest(name, hpoNames(model)); s != "" {
				d.WithHint("did you mean `%s`?", s)
			}
		}
	}
	diags.Normalize()
	return model
}

func hpoNames(m *ir.Model) []string {
	var out []string
	for _, n := range m.Networks {
		for _, h := range n.HPOs {
			out = append(out, h.Name)
		}
	}
	return out
}

// pin narrows h to the single value v, reporting at h's position when v is
// outside its search space.
func pin(h *ir.HPO, v ir.Value, diags *diag.List) {
	v.Span = h.Span
	inSpace := false
	switch h.Kind {
	case ir.Choice:
		for _, c := range h.Choices {
			if sameValue(c, v) {
				v, inSpace = c, true
				break
			}
		}
	default:
		if v.IsNumber() {
			lo, hi := h.Lo.Number(), h.Hi.Number()
			inSpace = v.Number() >= lo && v.Number() <= hi
			if h.Lo.Kind == ir.KInt && h.Hi.Kind == ir.KInt && (h.Step.Kind == ir.KInt || h.Step.Kind == ir.KNone) {
				inSpace = inSpace && v.Kind == ir.KInt
			}
		}
	}
	if !inSpace {
		diags.Errorf(h.Span, "--hpo-values sets `%s` to %s, outside its search space %s",
			h.Name, v.String(), ir.Value{Kind: ir.KHPO, HPO: h}.String())
		return
	}
	h.Kind, h.Choices = ir.Choice, []ir.Value{v}
	h.Lo, h.Hi, h.Step = ir.Value{}, ir.Value{}, ir.Value{}
}

// sameValue compares a pinned JSON value with a choice: numbers by value
// (JSON writes 128 for 128 and 0.5 for 0.5), the rest by their text.
func sameValue(choice, v ir.Value) bool {
	if choice.IsNumber() && v.IsNumber() {
		return choice.Number() == v.Number()
	}
	return choice.String() == v.String()
}
