package sema

import (
	"strings"
	"testing"

	"github.com/rules-neural/rules_neural/generator/ir"
)

func argsString(args []ir.Arg) string {
	var parts []string
	for _, a := range args {
		parts = append(parts, a.Name+"="+a.Value.String())
	}
	return strings.Join(parts, " ")
}

func TestTrainingSections(t *testing.T) {
	tests := []struct {
		name, sections string
		check          func(t *testing.T, n *ir.Network)
	}{
		{"loss string", `loss: "sparse_categorical_crossentropy"`, func(t *testing.T, n *ir.Network) {
			if n.Loss.Name != "sparse_categorical_crossentropy" {
				t.Errorf("loss = %+v", n.Loss)
			}
		}},
		{"loss bare alias", `loss: categorical_cross_entropy`, func(t *testing.T, n *ir.Network) {
			if n.Loss.Name != "categorical_crossentropy" {
				t.Errorf("loss = %+v", n.Loss)
			}
		}},
		{"loss call", `loss: Huber(delta=2)`, func(t *testing.T, n *ir.Network) {
			if n.Loss.Name != "huber" || argsString(n.Loss.Args) != "delta=2.0" {
				t.Errorf("loss = %s %s", n.Loss.Name, argsString(n.Loss.Args))
			}
		}},
		{"optimizer call with defaults", `optimizer: Adam(learning_rate=0.01)`, func(t *testing.T, n *ir.Network) {
			want := "learning_rate=0.01 beta_1=0.9 beta_2=0.999 epsilon=1e-07 amsgrad=false weight_decay=0.0"
			if n.Optimizer.Name != "Adam" || argsString(n.Optimizer.Args) != want {
				t.Errorf("optimizer = %s %s", n.Optimizer.Name, argsString(n.Optimizer.Args))
			}
		}},
		{"optimizer bare, string, positional", `optimizer: sgd(0.1, 0.9)`, func(t *testing.T, n *ir.Network) {
			if n.Optimizer.Name != "SGD" || !strings.HasPrefix(argsString(n.Optimizer.Args), "learning_rate=0.1 momentum=0.9 nesterov=false") {
				t.Errorf("optimizer = %s %s", n.Optimizer.Name, argsString(n.Optimizer.Args))
			}
		}},
		{"optimizer string with a block", `optimizer: "adamw" { learning_rate: 0.0005, lr: 1 }`, nil},
		{"optimizer string with a block ok", `optimizer: "adamw" { learning_rate: 0.0005 }`, func(t *testing.T, n *ir.Network) {
			if n.Optimizer.Name != "AdamW" || !strings.Contains(argsString(n.Optimizer.Args), "learning_rate=0.0005") ||
				!strings.Contains(argsString(n.Optimizer.Args), "weight_decay=0.01") {
				t.Errorf("optimizer = %s %s", n.Optimizer.Name, argsString(n.Optimizer.Args))
			}
		}},
		{"schedule as learning rate", `optimizer: SGD(learning_rate=ExponentialDecay(0.1, 1000, 0.96), momentum=0.9)`, func(t *testing.T, n *ir.Network) {
			lr := n.Optimizer.Args[0]
			if lr.Value.Kind != ir.KCall || lr.Value.String() != "ExponentialDecay(initial_learning_rate=0.1, decay_steps=1000, decay_rate=0.96, staircase=false)" {
				t.Errorf("learning_rate = %s", lr.Value)
			}
		}},
		{"lr_schedule old spelling", "optimizer: SGD(momentum=0.9)\n  lr_schedule: StepDecay(initial_lr=0.1, decay_steps=30, decay_rate=0.1)", func(t *testing.T, n *ir.Network) {
			lr := n.Optimizer.Args[0]
			if lr.Value.String() != "StepDecay(initial_learning_rate=0.1, step_size=30, gamma=0.1)" {
				t.Errorf("learning_rate = %s", lr.Value)
			}
		}},
		{"metrics", `metrics: ["accuracy", top_k_accuracy(k=3), "mse", "top_k_categorical_accuracy", sparse_categorical_crossentropy]`, func(t *testing.T, n *ir.Network) {
			var got []string
			for _, m := range n.Metrics {
				got = append(got, m.Name+"("+argsString(m.Args)+")")
			}
			want := "accuracy() top_k_accuracy(k=3) mse() top_k_accuracy(k=5) sparse_categorical_crossentropy()"
			if strings.Join(got, " ") != want {
				t.Errorf("metrics = %s", strings.Join(got, " "))
			}
		}},
		{"train block", `train {
    epochs: 10
    batch_size: 32
    validation_split: 0.2
    shuffle: True
    seed: 42
    gradient_clip: 1
    gradient_accumulation_steps: 2
    mixed_precision: false
    early_stopping: { patience: 3, monitor: "val_accuracy", min_delta: 0.01 }
    search_method: "Bayesian"
    trials: 20
    device: "cuda:0"
  }`, func(t *testing.T, n *ir.Network) {
			tr := n.Train
			got := strings.Join([]string{tr.Epochs.String(), tr.BatchSize.String(), tr.ValidationSplit.String(), tr.Shuffle.String(),
				tr.Seed.String(), tr.GradientClip.String(), tr.GradientAccumulationSteps.String(), tr.MixedPrecision.String(),
				tr.EarlyStopping.Patience.String(), tr.EarlyStopping.Monitor, tr.EarlyStopping.MinDelta.String(),
				tr.SearchMethod, tr.Trials.String(), tr.Device}, " ")
			want := "10 32 0.2 true 42 1.0 2 false 3 val_accuracy 0.01 bayesian 20 cuda:0"
			if got != want || !tr.EarlyStopping.Enabled {
				t.Errorf("train = %s", got)
			}
		}},
		{"training old spelling", "training: {\n epochs: 5,\n batch_size: 8\n }", func(t *testing.T, n *ir.Network) {
			if n.Train.Epochs.Int != 5 || n.Train.BatchSize.Int != 8 {
				t.Errorf("train = %+v", n.Train)
			}
		}},
		{"train learning_rate moves to the optimizer", "optimizer: Adam\n  train { learning_rate: 0.01 }", func(t *testing.T, n *ir.Network) {
			if lr := n.Optimizer.Args[0]; lr.Name != "learning_rate" || lr.Value.String() != "0.01" {
				t.Errorf("learning_rate = %+v", lr)
			}
		}},
		{"execution", `execute { device: "auto", precision: "bfloat16" }`, func(t *testing.T, n *ir.Network) {
			if n.Execution.Device != "auto" || n.Execution.Precision != "bf16" {
				t.Errorf("execution = %+v", n.Execution)
			}
		}},
	}
	for _, tc := range tests {
		tc := tc
		t.Run(tc.name, func(t *testing.T) {
			src := "network N {\n  input: (8,)\n  layers: Dense(2)\n  " + tc.sections + "\n}"
			m, d := build(t, src)
			if tc.check == nil {
				if !d.HasErrors() {
					t.Errorf("expected an error")
				}
				return
			}
			if d.HasErrors() {
				t.Fatalf("errors:\n%s", render(d, src))
			}
			tc.check(t, m.Networks[0])
		})
	}
}

func TestTrainingErrors(t *testing.T) {
	tests := []struct {
		sections string
		want     []string
	}{
		{`loss: "cross_entrop"`, []string{"4:9: error: unknown loss `cross_entrop` hint: did you mean `cross_entropy`?"}},
		{`loss: 3`, []string{"4:9: error: `loss:` takes a name or a call"}},
		{`loss: huber(delta=0)`, []string{"4:21: error: `delta` of huber must be greater than 0, got 0"}},
		{`optimizer: Adam(lerning_rate=0.1)`, []string{"4:19: error: unknown parameter `lerning_rate` for Adam hint: did you mean `learning_rate`?"}},
		{`optimizer: Adam(learning_rate=-1)`, []string{"4:33: error: `learning_rate` of Adam must be greater than 0, got -1"}},
		{`optimizer: Adam(learning_rate="fast")`, []string{"4:33: error: `learning_rate` of Adam must be a number, an HPO or a schedule"}},
		{`optimizer: Adam(learning_rate=CosDecay(0.1, 10))`, []string{"4:33: error: unknown learning-rate schedule `CosDecay` hint: did you mean `CosineDecay`?"}},
		{`optimizer: Adam(learning_rate=ExponentialDecay(0.1))`, []string{"4:33: error: ExponentialDecay needs `decay_steps`", "4:33: error: ExponentialDecay needs `decay_rate`"}},
		{`optimizer: Adam(0.1, 0.2)`, []string{"4:24: error: too many positional arguments for Adam"}},
		{`metrics: ["acc", "f2"]`, []string{"4:20: error: unknown metric `f2` hint: did you mean `f1`?"}},
		{`lr_schedule: StepDecay(0.1, 10)`, []string{"4:3: error: `lr_schedule:` needs an `optimizer:` section to apply to"}},
		{"optimizer: SGD(learning_rate=0.1)\n  lr_schedule: StepDecay(0.1, 10)", []string{"5:3: warning: `lr_schedule:` replaces the optimizer's learning_rate … note: 4:18: learning_rate given here"}},
		{`train { epochs: 0 }`, []string{"4:19: error: `epochs` of train must be at least 1, got 0"}},
		{`train { epochs: 2.5 }`, []string{"4:19: error: `epochs` of train must be an integer, got 2.5"}},
		{`train { batch_size: "32" }`, []string{"4:23: error: `batch_size` of train must be an integer, got string \"32\""}},
		{`train { validation_split: 1.0 }`, []string{"4:29: error: `validation_split` of train must be less than 1, got 1.0"}},
		{`train { validation_split: 0 }`, []string{"4:29: error: `validation_split` of train must be greater than 0, got 0"}},
		{`train { search_method: "grd" }`, []string{"4:26: error: unknown search_method \"grd\" hint: did you mean \"grid\"?"}},
		{`train { trials: HPO(choice(1, 2)) }`, []string{"4:19: error: `trials` cannot be searched with HPO"}},
		{`train { trials: 0 }`, []string{"4:19: error: `trials` of train must be at least 1, got 0"}},
		{`train { epochs: 1, epochs: 2 }`, []string{"4:22: error: train key `epochs` is given twice note: 4:11: first given here"}},
		{`train { early_stopping: { patience: 3, monitr: "loss" } }`, []string{"4:42: error: unknown early_stopping key `monitr` hint: did you mean `monitor`?"}},
		{`train { early_stopping: { monitor: "loss" } }`, []string{"4:11: error: early_stopping needs `patience`"}},
		{`train { early_stopping: "soon" }`, []string{"4:27: error: `patience` of early_stopping must be an integer, got string \"soon\""}},
		{`train { device: "npu" }`, []string{"4:19: error: invalid device \"npu\""}},
		{`train { learning_rate: 0.1 }`, []string{"4:11: error: `learning_rate` in train needs an `optimizer:` section to apply to"}},
		{"optimizer: Adam(0.1)\n  train { learning_rate: 0.1 }", []string{"5:11: error: the learning rate is given twice: in train and in the optimizer note: 4:19: optimizer learning_rate given here"}},
		{"optimizer: Adam\n  train { learning_rate: 0.1 }", []string{"5:11: warning: `learning_rate` in train is an old spelling"}},
		{`train: 3`, []string{"4:3: error: `train` takes a block"}},
		{`execution { device: "tpu:a", precison: "fp16" }`, []string{"4:23: error: invalid device \"tpu:a\"", "4:32: error: unknown execution key `precison` hint: did you mean `precision`?"}},
		{`execution { precision: "fp8" }`, []string{"4:26: error: unknown precision \"fp8\""}},
	}
	for _, tc := range tests {
		tc := tc
		t.Run(tc.sections, func(t *testing.T) {
			src := "network N {\n  input: (8,)\n  layers: Dense(2)\n  " + tc.sections + "\n}"
			_, d := build(t, src)
			expectDiags(t, src, d, tc.want...)
		})
	}
}
