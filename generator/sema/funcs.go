package sema

import (
	"strings"

	"github.com/rules-neural/rules_neural/generator/diag"
	"github.com/rules-neural/rules_neural/generator/ir"
	"github.com/rules-neural/rules_neural/generator/syntax"
)

// Losses, optimizers, learning-rate schedules and metrics (LANGUAGE.md §7):
// a name or a call bound against the FuncSpec tables of ir.

// funcValue reads a section value that names a function: "mse", mse,
// huber(delta=1.0), or `"Adam" { learning_rate: 0.001 }` where the block
// holds named arguments.
func (nb *netBuilder) funcValue(g *syntax.Generic, section, example string) (name string, args []ir.Arg, span diag.Span, ok bool) {
	v, ok := nb.eval(g.Value, rootEnv)
	if !ok {
		return "", nil, span, false
	}
	span = v.Span
	switch v.Kind {
	case ir.KString, ir.KIdent:
		name = v.Str
	case ir.KCall:
		name, args = v.Call.Name, v.Call.Args
	default:
		nb.errorf(v.Span, "`%s:` takes a name or a call such as %s, got %s", section, example, v.Describe())
		return "", nil, span, false
	}
	if g.Extra != nil {
		for _, e := range g.Extra.Entries {
			if e == nil || e.Key == nil {
				continue
			}
			ev, eok := nb.eval(e.Value, rootEnv)
			if !eok {
				ok = false
				continue
			}
			args = append(args, ir.Arg{Name: e.Key.Name, Value: ev, Span: identSpan(e.Key)})
		}
	}
	return name, args, span, ok
}

// funcNames lists names and aliases of a table, for suggestions.
func funcNames(tables ...[]*ir.FuncSpec) []string {
	var out []string
	for _, t := range tables {
		for _, f := range t {
			out = append(out, f.Name)
			out = append(out, f.Aliases...)
		}
	}
	return out
}

func (nb *netBuilder) unknownFunc(span diag.Span, kind, name string, candidates []string, all []string) {
	d := nb.errorf(span, "unknown %s `%s`", kind, name)
	if s := diag.Suggest(name, candidates); s != "" {
		d.WithHint("did you mean `%s`?", s)
	} else {
		d.WithHint("%ss: %s", kind, strings.Join(all, ", "))
	}
}

// bindFunc binds arguments to a loss, optimizer, schedule or metric:
// positional in fs.Positional order, named by name or alias; then defaults.
// The result lists every parameter that has a value, in schema order.
// explicit maps the parameters written in the source to their spans.
// With record, the HPOs in the arguments are recorded under use.
func (nb *netBuilder) bindFunc(fs *ir.FuncSpec, args []ir.Arg, callSpan diag.Span, en *env, use useCtx, record bool) ([]ir.Arg, map[string]diag.Span, bool) {
	got := map[*ir.ParamSpec]*boundArg{}
	explicit := map[string]diag.Span{}
	pos, sawNamed, ok, unknown := 0, false, true, false
	for _, a := range args {
		var p *ir.ParamSpec
		if a.Name == "" {
			if sawNamed {
				nb.errorIn(en, a.Span, "positional argument after named arguments in %s(…)", fs.Name)
				ok = false
				continue
			}
			if pos >= len(fs.Positional) {
				d := nb.errorIn(en, a.Span, "too many positional arguments for %s", fs.Name)
				if len(fs.Positional) == 0 {
					d.WithHint("%s takes no positional arguments", fs.Name)
				} else {
					d.WithHint("%s takes (%s) by position; name the others", fs.Name, strings.Join(fs.Positional, ", "))
				}
				pos++
				ok = false
				continue
			}
			p = fs.Param(fs.Positional[pos])
			pos++
		} else {
			sawNamed = true
			p = fs.Param(a.Name)
			if p == nil {
				nb.unknownParam(fs.Name, a.Name, fs.Params, false, a.Span, en)
				ok, unknown = false, true
				continue
			}
		}
		if p == nil {
			continue
		}
		if prev := got[p]; prev != nil {
			nb.errorIn(en, a.Span, "parameter `%s` of %s is given twice", p.Name, fs.Name).WithRelated(prev.span, "first given here")
			ok = false
			continue
		}
		b := &boundArg{span: a.Span}
		got[p] = b
		explicit[p.Name] = a.Span
		if record {
			b.value, b.ok = nb.bindValue(fs.Name, p, a.Value, en, use)
		} else {
			b.value, b.ok = nb.check(fs.Name, p, a.Value, en)
		}
		ok = ok && b.ok
	}
	var out []ir.Arg
	for _, p := range fs.Params {
		b := got[p]
		if b != nil && b.ok {
			out = append(out, ir.Arg{Name: p.Name, Value: b.value, Span: b.span})
			continue
		}
		if b == nil && p.Required && !unknown {
			nb.errorIn(en, callSpan, "%s needs `%s`", fs.Name, p.Name).
				WithHint("write %s(%s)", fs.Name, strings.Join(fs.Positional, ", "))
			ok = false
		}
		if v := defaultValue(p, callSpan); v.Kind != ir.KNone {
			out = append(out, ir.Arg{Name: p.Name, Value: v, Span: callSpan})
		}
	}
	return out, explicit, ok
}

// bindSchedule binds a learning-rate schedule call.
func (nb *netBuilder) bindSchedule(v ir.Value, en *env, use useCtx) (ir.Value, bool) {
	fs := ir.LookupFunc(ir.Schedules, v.Call.Name)
	if fs == nil {
		d := nb.errorIn(en, v.Span, "unknown learning-rate schedule `%s`", v.Call.Name)
		if s := diag.Suggest(v.Call.Name, funcNames(ir.Schedules)); s != "" {
			d.WithHint("did you mean `%s`?", s)
		} else {
			d.WithHint("schedules: %s", strings.Join(ir.FuncNames(ir.Schedules), ", "))
		}
		return v, false
	}
	args, _, ok := nb.bindFunc(fs, v.Call.Args, v.Span, en, use, false)
	return ir.Value{Kind: ir.KCall, Call: &ir.Call{Name: fs.Name, Args: args, Span: v.Span}, Span: v.Span}, ok
}

func (nb *netBuilder) lossSection(g *syntax.Generic) {
	name, args, span, ok := nb.funcValue(g, "loss", `"mse" or huber(delta=1.0)`)
	if !ok {
		return
	}
	fs := ir.LookupFunc(ir.Losses, name)
	if fs == nil {
		nb.unknownFunc(span, "loss", name, funcNames(ir.Losses), ir.FuncNames(ir.Losses))
		return
	}
	bound, _, _ := nb.bindFunc(fs, args, span, rootEnv, useCtx{label: "loss"}, true)
	nb.net.Loss = &ir.Loss{Name: fs.Name, Args: bound, Span: span}
}

// optimizerSection binds the optimizer and returns the span of an explicit
// learning_rate, if any.
func (nb *netBuilder) optimizerSection(g *syntax.Generic) *diag.Span {
	name, args, span, ok := nb.funcValue(g, "optimizer", "Adam(learning_rate=0.001)")
	if !ok {
		return nil
	}
	fs := ir.LookupFunc(ir.Optimizers, name)
	if fs == nil {
		nb.unknownFunc(span, "optimizer", name, funcNames(ir.Optimizers), ir.FuncNames(ir.Optimizers))
		return nil
	}
	bound, explicit, _ := nb.bindFunc(fs, args, span, rootEnv, useCtx{label: "optimizer"}, true)
	nb.net.Optimizer = &ir.Optimizer{Name: fs.Name, Args: bound, Span: span}
	if s, has := explicit["learning_rate"]; has {
		return &s
	}
	return nil
}

// setOptimizerArg replaces (or inserts, in schema order) an optimizer
// argument.
func (nb *netBuilder) setOptimizerArg(name string, v ir.Value, span diag.Span) {
	opt := nb.net.Optimizer
	for i := range opt.Args {
		if opt.Args[i].Name == name {
			opt.Args[i].Value, opt.Args[i].Span = v, span
			return
		}
	}
	opt.Args = append([]ir.Arg{{Name: name, Value: v, Span: span}}, opt.Args...)
}

func (nb *netBuilder) optimizerLR() *ir.ParamSpec {
	if fs := ir.LookupFunc(ir.Optimizers, nb.net.Optimizer.Name); fs != nil {
		if p := fs.Param("learning_rate"); p != nil {
			return p
		}
	}
	return &ir.ParamSpec{Name: "learning_rate", Type: ir.TLearningRate, Min: 0, HasMin: true, MinOpen: true}
}

// lrScheduleSection handles the old `lr_schedule: StepDecay(…)` section: the
// schedule becomes the optimizer's learning rate.
func (nb *netBuilder) lrScheduleSection(g *syntax.Generic, explicitLR *diag.Span, hasOptimizer bool) {
	if g.Extra != nil {
		nb.errorf(syntax.SpanOf(g.Extra.Pos, g.Extra.EndPos), "unexpected block after the schedule")
	}
	v, ok := nb.eval(g.Value, rootEnv)
	if !ok {
		return
	}
	if v.Kind == ir.KString || v.Kind == ir.KIdent {
		v = ir.Value{Kind: ir.KCall, Call: &ir.Call{Name: v.Str, Span: v.Span}, Span: v.Span}
	}
	if v.Kind != ir.KCall {
		nb.errorf(v.Span, "`lr_schedule:` takes a schedule such as StepDecay(0.1, 30, 0.1), got %s", v.Describe())
		return
	}
	sched, ok := nb.bindSchedule(v, rootEnv, useCtx{})
	if !ok {
		return
	}
	if nb.net.Optimizer == nil {
		if hasOptimizer {
			return // the optimizer section has its own error
		}
		nb.errorf(identSpan(g.Name), "`lr_schedule:` needs an `optimizer:` section to apply to").
			WithHint("add e.g. `optimizer: SGD(momentum=0.9)`")
		return
	}
	if explicitLR != nil {
		nb.warnf(identSpan(g.Name), "`lr_schedule:` replaces the optimizer's learning_rate").
			WithRelated(*explicitLR, "learning_rate given here").
			WithHint("write the schedule as the optimizer's learning rate: %s(learning_rate=%s(…))", nb.net.Optimizer.Name, sched.Call.Name)
	}
	nb.recordUses(sched, false, useCtx{label: "optimizer.learning_rate"})
	nb.setOptimizerArg("learning_rate", sched, v.Span)
}

func (nb *netBuilder) metricsSection(g *syntax.Generic) {
	if g.Extra != nil {
		nb.errorf(syntax.SpanOf(g.Extra.Pos, g.Extra.EndPos), "unexpected block after the metrics")
	}
	v, ok := nb.eval(g.Value, rootEnv)
	if !ok {
		return
	}
	elems := []ir.Value{v}
	if v.Kind == ir.KList || v.Kind == ir.KTuple {
		elems = v.Elems
	}
	all := append(ir.FuncNames(ir.Metrics), "any loss name")
	for _, e := range elems {
		var name string
		var args []ir.Arg
		switch e.Kind {
		case ir.KString, ir.KIdent:
			name = e.Str
		case ir.KCall:
			name, args = e.Call.Name, e.Call.Args
		default:
			nb.errorf(e.Span, "a metric is a name such as \"accuracy\" or a call such as top_k_accuracy(k=5), got %s", e.Describe())
			continue
		}
		fs := ir.LookupFunc(ir.Metrics, name)
		if fs == nil {
			fs = ir.LookupFunc(ir.Losses, name)
		}
		if fs == nil {
			nb.unknownFunc(e.Span, "metric", name, funcNames(ir.Metrics, ir.Losses), all)
			continue
		}
		bound, _, _ := nb.bindFunc(fs, args, e.Span, rootEnv, useCtx{label: "metrics." + fs.Name}, true)
		nb.net.Metrics = append(nb.net.Metrics, ir.Metric{Name: fs.Name, Args: bound, Span: e.Span})
	}
}
