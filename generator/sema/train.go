package sema

import (
	"strings"

	"github.com/rules-neural/rules_neural/generator/diag"
	"github.com/rules-neural/rules_neural/generator/ir"
	"github.com/rules-neural/rules_neural/generator/syntax"
)

// The `train { … }` and `execution { … }` sections (LANGUAGE.md §3).

// trainParams are the typed `train` keys; structural ones cannot be HPO.
var trainParams = map[string]*ir.ParamSpec{
	"epochs":                      {Name: "epochs", Type: ir.TInt, Min: 1, HasMin: true},
	"batch_size":                  {Name: "batch_size", Type: ir.TInt, Min: 1, HasMin: true},
	"validation_split":            {Name: "validation_split", Type: ir.TFloat, Min: 0, HasMin: true, MinOpen: true, Max: 1, HasMax: true, MaxOpen: true},
	"shuffle":                     {Name: "shuffle", Type: ir.TBool},
	"seed":                        {Name: "seed", Type: ir.TInt, Min: 0, HasMin: true},
	"gradient_clip":               {Name: "gradient_clip", Type: ir.TFloat, Min: 0, HasMin: true, MinOpen: true},
	"gradient_accumulation_steps": {Name: "gradient_accumulation_steps", Type: ir.TInt, Min: 1, HasMin: true},
	"mixed_precision":             {Name: "mixed_precision", Type: ir.TBool},
	"trials":                      {Name: "trials", Type: ir.TInt, Min: 1, HasMin: true},
}

var structuralTrainKeys = []string{"search_method", "trials", "seed"}

// blockOf returns the `{ … }` of a section written `train { … }` or
// `train: { … }`.
func blockOf(g *syntax.Generic) *syntax.Dict {
	if p := primaryOf(g.Value); p != nil && p.Dict != nil && g.Extra == nil {
		return p.Dict
	}
	return nil
}

func (nb *netBuilder) trainSection(g *syntax.Generic, explicitLR *diag.Span, hasSchedule, hasOptimizer bool) {
	d := blockOf(g)
	if d == nil {
		nb.errorf(identSpan(g.Name), "`%s` takes a block: %s { epochs: 10, batch_size: 32 }", g.Name.Name, g.Name.Name)
		return
	}
	t := &nb.net.Train
	t.Span = identSpan(g.Name)
	seen := map[string]diag.Span{}
	for _, e := range d.Entries {
		if e == nil || e.Key == nil {
			continue
		}
		key := e.Key.Name
		kspan := identSpan(e.Key)
		if !contains(ir.TrainKeys, key) {
			dg := nb.errorf(kspan, "unknown train key `%s`", key)
			if s := diag.Suggest(key, ir.TrainKeys); s != "" {
				dg.WithHint("did you mean `%s`?", s)
			} else {
				dg.WithHint("train keys: %s", strings.Join(ir.TrainKeys, ", "))
			}
			continue
		}
		if prev, dup := seen[key]; dup {
			nb.errorf(kspan, "train key `%s` is given twice", key).WithRelated(prev, "first given here")
			continue
		}
		seen[key] = kspan
		v, ok := nb.eval(e.Value, rootEnv)
		if !ok {
			continue
		}
		if contains(structuralTrainKeys, key) && v.IsSymbolic() {
			nb.errorf(v.Span, "`%s` cannot be searched with HPO: it configures the search itself", key)
			continue
		}
		switch key {
		case "early_stopping":
			nb.earlyStopping(v, kspan, t)
		case "learning_rate":
			nb.trainLearningRate(v, kspan, explicitLR, hasSchedule, hasOptimizer)
		case "search_method":
			if v.Kind != ir.KString && v.Kind != ir.KIdent {
				nb.errorf(v.Span, "`search_method` must be one of %s, got %s", quoteList(ir.SearchMethods), v.Describe())
				continue
			}
			m := strings.ToLower(v.Str)
			if !contains(ir.SearchMethods, m) {
				dg := nb.errorf(v.Span, "unknown search_method %q", v.Str)
				if s := diag.Suggest(m, ir.SearchMethods); s != "" {
					dg.WithHint("did you mean %q? methods: %s", s, quoteList(ir.SearchMethods))
				} else {
					dg.WithHint("methods: %s", quoteList(ir.SearchMethods))
				}
				continue
			}
			t.SearchMethod = m
		case "device":
			if dev, ok := nb.deviceValue(v, rootEnv); ok {
				t.Device = dev
			}
		default:
			p := trainParams[key]
			if p == nil {
				continue
			}
			bv, ok := nb.bindValue("train", p, v, rootEnv, useCtx{label: "train"})
			if !ok {
				continue
			}
			switch key {
			case "epochs":
				t.Epochs = bv
			case "batch_size":
				t.BatchSize = bv
			case "validation_split":
				t.ValidationSplit = bv
			case "shuffle":
				t.Shuffle = bv
			case "seed":
				t.Seed = bv
			case "gradient_clip":
				t.GradientClip = bv
			case "gradient_accumulation_steps":
				t.GradientAccumulationSteps = bv
			case "mixed_precision":
				t.MixedPrecision = bv
			case "trials":
				t.Trials = bv
			}
		}
	}
}

var (
	patienceParam = &ir.ParamSpec{Name: "patience", Type: ir.TInt, Min: 0, HasMin: true}
	minDeltaParam = &ir.ParamSpec{Name: "min_delta", Type: ir.TFloat, Min: 0, HasMin: true}
	monitorParam  = &ir.ParamSpec{Name: "monitor", Type: ir.TString}
	earlyKeys     = []string{"patience", "monitor", "min_delta"}
)

// earlyStopping reads `early_stopping: { patience: 3, monitor: "val_loss",
// min_delta: 0.0 }` or the short form `early_stopping: 3` (the patience).
func (nb *netBuilder) earlyStopping(v ir.Value, kspan diag.Span, t *ir.Train) {
	es := ir.EarlyStopping{Monitor: "val_loss", MinDelta: ir.Value{Kind: ir.KFloat, Span: kspan}, Span: kspan}
	use := useCtx{label: "train.early_stopping"}
	switch v.Kind {
	case ir.KBool:
		if v.Bool {
			nb.errorf(v.Span, "early_stopping needs a patience").
				WithHint("write early_stopping: { patience: 3 } or early_stopping: 3")
			return
		}
		t.EarlyStopping = ir.EarlyStopping{Span: kspan}
		return
	case ir.KDict:
		seen := map[string]diag.Span{}
		for _, e := range v.Dict {
			if !contains(earlyKeys, e.Key) {
				dg := nb.errorf(e.Span, "unknown early_stopping key `%s`", e.Key)
				if s := diag.Suggest(e.Key, earlyKeys); s != "" {
					dg.WithHint("did you mean `%s`?", s)
				} else {
					dg.WithHint("keys: %s", strings.Join(earlyKeys, ", "))
				}
				continue
			}
			if prev, dup := seen[e.Key]; dup {
				nb.errorf(e.Span, "early_stopping key `%s` is given twice", e.Key).WithRelated(prev, "first given here")
				continue
			}
			seen[e.Key] = e.Span
			switch e.Key {
			case "patience":
				if pv, ok := nb.bindValue("early_stopping", patienceParam, e.Value, rootEnv, use); ok {
					es.Patience = pv
				}
			case "min_delta":
				if mv, ok := nb.bindValue("early_stopping", minDeltaParam, e.Value, rootEnv, use); ok {
					es.MinDelta = mv
				}
			case "monitor":
				if mv, ok := nb.check("early_stopping", monitorParam, e.Value, rootEnv); ok && mv.Kind == ir.KString {
					es.Monitor = mv.Str
				} else if ok {
					nb.errorf(e.Value.Span, "`monitor` of early_stopping must be a string such as \"val_loss\"")
				}
			}
		}
		if _, has := seen["patience"]; !has {
			nb.errorf(kspan, "early_stopping needs `patience`").WithHint("e.g. early_stopping: { patience: 3, monitor: \"val_loss\" }")
			return
		}
	default:
		pv, ok := nb.bindValue("early_stopping", patienceParam, v, rootEnv, use)
		if !ok {
			return
		}
		es.Patience = pv
	}
	if es.Patience.Kind == ir.KNone {
		return
	}
	es.Enabled = true
	t.EarlyStopping = es
}

// trainLearningRate moves the old `train { learning_rate: … }` to the
// optimizer.
func (nb *netBuilder) trainLearningRate(v ir.Value, kspan diag.Span, explicitLR *diag.Span, hasSchedule, hasOptimizer bool) {
	opt := nb.net.Optimizer
	if opt == nil && hasOptimizer {
		return // the optimizer section has its own error
	}
	if opt == nil {
		nb.errorf(kspan, "`learning_rate` in train needs an `optimizer:` section to apply to").
			WithHint("write it in the optimizer, e.g. optimizer: Adam(learning_rate=0.001)")
		return
	}
	switch {
	case explicitLR != nil:
		nb.errorf(kspan, "the learning rate is given twice: in train and in the optimizer").
			WithRelated(*explicitLR, "optimizer learning_rate given here")
		return
	case hasSchedule:
		nb.errorf(kspan, "the learning rate is given twice: in train and in `lr_schedule:`")
		return
	}
	nb.warnf(kspan, "`learning_rate` in train is an old spelling: it sets the optimizer's learning rate").
		WithHint("write it in the optimizer: %s(learning_rate=%s)", opt.Name, v)
	lv, ok := nb.bindValue(opt.Name, nb.optimizerLR(), v, rootEnv, useCtx{label: "optimizer"})
	if ok {
		nb.setOptimizerArg("learning_rate", lv, v.Span)
	}
}

var executionKeys = []string{"device", "precision"}

// precisions maps accepted spellings to the canonical precision names.
var precisions = map[string]string{
	"fp32": "fp32", "float32": "fp32",
	"fp16": "fp16", "float16": "fp16", "half": "fp16",
	"bf16": "bf16", "bfloat16": "bf16",
}

func (nb *netBuilder) executionSection(g *syntax.Generic) {
	d := blockOf(g)
	if d == nil {
		nb.errorf(identSpan(g.Name), "`%s` takes a block: %s { device: \"cuda\" }", g.Name.Name, g.Name.Name)
		return
	}
	x := &nb.net.Execution
	x.Span = identSpan(g.Name)
	seen := map[string]diag.Span{}
	for _, e := range d.Entries {
		if e == nil || e.Key == nil {
			continue
		}
		key, kspan := e.Key.Name, identSpan(e.Key)
		if !contains(executionKeys, key) {
			dg := nb.errorf(kspan, "unknown execution key `%s`", key)
			if s := diag.Suggest(key, executionKeys); s != "" {
				dg.WithHint("did you mean `%s`?", s)
			} else {
				dg.WithHint("keys: device, precision")
			}
			continue
		}
		if prev, dup := seen[key]; dup {
			nb.errorf(kspan, "execution key `%s` is given twice", key).WithRelated(prev, "first given here")
			continue
		}
		seen[key] = kspan
		v, ok := nb.eval(e.Value, rootEnv)
		if !ok {
			continue
		}
		switch key {
		case "device":
			if dev, ok := nb.deviceValue(v, rootEnv); ok {
				x.Device = dev
			}
		case "precision":
			if v.Kind != ir.KString && v.Kind != ir.KIdent {
				nb.errorf(v.Span, "`precision` must be \"fp32\", \"fp16\" or \"bf16\", got %s", v.Describe())
				continue
			}
			p, ok := precisions[strings.ToLower(v.Str)]
			if !ok {
				nb.errorf(v.Span, "unknown precision %q", v.Str).WithHint("precisions: \"fp32\", \"fp16\", \"bf16\"")
				continue
			}
			x.Precision = p
		}
	}
}
