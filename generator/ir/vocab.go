package ir

import (
	"fmt"
	"strings"
)

func sprintf(format string, args ...interface{}) string { return fmt.Sprintf(format, args...) }

// Activations lists every activation name of LANGUAGE.md §6 (canonical
// spelling). `silu` is an alias of swish.
var Activations = []string{"linear", "relu", "relu6", "leaky_relu", "elu", "selu", "gelu", "sigmoid",
	"hard_sigmoid", "tanh", "softmax", "log_softmax", "softplus", "softsign", "swish", "mish", "exponential"}

var activationAliases = map[string]string{"silu": "swish", "none": "linear", "identity": "linear"}

// LookupActivation canonicalises an activation name; ok is false if unknown.
func LookupActivation(name string) (string, bool) {
	n := strings.ToLower(name)
	if a, ok := activationAliases[n]; ok {
		return a, true
	}
	for _, a := range Activations {
		if a == n {
			return a, true
		}
	}
	return "", false
}

// FuncSpec describes a callable of the training vocabulary: a loss, an
// optimizer, a learning-rate schedule or a metric.
type FuncSpec struct {
	Name       string
	Aliases    []string
	Doc        string
	Positional []string
	Params     []*ParamSpec
}

// Param returns the parameter spec named name (or alias).
func (f *FuncSpec) Param(name string) *ParamSpec { return findParam(f.Params, name) }

func lrParam(def float64) *ParamSpec {
	return param("learning_rate", TLearningRate).defFloat(def).minOpen(0).alias("lr").doc("a number, an HPO value or a schedule")
}

func clipParams() []*ParamSpec {
	return params(
		param("clipnorm", TFloat).minOpen(0).doc("clip each gradient to this norm"),
		param("clipvalue", TFloat).minOpen(0).doc("clip each gradient element to ±clipvalue"),
	)
}

func adamLike(name, doc string, weightDecay float64) *FuncSpec {
	ps := params(lrParam(0.001),
		param("beta_1", TFloat).defFloat(0.9).min(0).maxOpen(1).doc("first-moment decay"),
		param("beta_2", TFloat).defFloat(0.999).min(0).maxOpen(1).doc("second-moment decay"),
		param("epsilon", TFloat).defFloat(1e-7).minOpen(0).doc("numerical stability term"))
	if name == "Adam" || name == "AdamW" {
		ps = append(ps, param("amsgrad", TBool).defBool(false).doc("use the AMSGrad variant"))
	}
	ps = append(ps, param("weight_decay", TFloat).defFloat(weightDecay).min(0).doc("decoupled weight decay"))
	return &FuncSpec{Name: name, Doc: doc, Positional: []string{"learning_rate"}, Params: append(ps, clipParams()...)}
}

// Optimizers is the optimizer table.
var Optimizers = []*FuncSpec{
	{Name: "SGD", Doc: "Stochastic gradient descent with optional (Nesterov) momentum.", Positional: []string{"learning_rate", "momentum"},
		Params: append(params(lrParam(0.01),
			param("momentum", TFloat).defFloat(0).min(0).doc("momentum factor"),
			param("nesterov", TBool).defBool(false).doc("Nesterov momentum"),
			param("weight_decay", TFloat).defFloat(0).min(0).doc("L2 weight decay")), clipParams()...)},
	adamLike("Adam", "Adam.", 0),
	adamLike("AdamW", "Adam with decoupled weight decay.", 0.01),
	{Name: "RMSprop", Doc: "RMSprop.", Positional: []string{"learning_rate"},
		Params: append(params(lrParam(0.001),
			param("rho", TFloat).defFloat(0.9).min(0).maxOpen(1).doc("decay of the squared-gradient average"),
			param("momentum", TFloat).defFloat(0).min(0).doc("momentum factor"),
			param("epsilon", TFloat).defFloat(1e-7).minOpen(0).doc("numerical stability term")), clipParams()...)},
	{Name: "Adagrad", Doc: "Adagrad.", Positional: []string{"learning_rate"},
		Params: append(params(lrParam(0.001),
			param("initial_accumulator_value", TFloat).defFloat(0.1).min(0).doc("starting accumulator"),
			param("epsilon", TFloat).defFloat(1e-7).minOpen(0).doc("numerical stability term")), clipParams()...)},
	{Name: "Adadelta", Doc: "Adadelta.", Positional: []string{"learning_rate"},
		Params: append(params(lrParam(0.001),
			param("rho", TFloat).defFloat(0.95).min(0).maxOpen(1).doc("decay rate"),
			param("epsilon", TFloat).defFloat(1e-7).minOpen(0).doc("numerical stability term")), clipParams()...)},
	adamLike("Adamax", "Adamax (infinity-norm Adam).", 0),
	adamLike("Nadam", "Adam with Nesterov momentum.", 0),
}

// Schedules is the learning-rate schedule table.
var Schedules = []*FuncSpec{
	{Name: "ExponentialDecay", Doc: "lr = initial · decay_rate^(step / decay_steps).",
		Positional: []string{"initial_learning_rate", "decay_steps", "decay_rate", "staircase"},
		Params: params(
			param("initial_learning_rate", TFloat).req().minOpen(0).alias("initial_lr").doc("starting learning rate"),
			param("decay_steps", TInt).req().min(1).doc("steps per decay period"),
			param("decay_rate", TFloat).req().minOpen(0).doc("multiplier per period"),
			param("staircase", TBool).defBool(false).doc("decay in whole periods"))},
	{Name: "StepDecay", Doc: "lr = initial · gamma^floor(step / step_size).",
		Positional: []string{"initial_learning_rate", "step_size", "gamma"},
		Params: params(
			param("initial_learning_rate", TFloat).req().minOpen(0).alias("initial_lr").doc("starting learning rate"),
			param("step_size", TInt).req().min(1).alias("decay_steps").doc("steps between decays"),
			param("gamma", TFloat).defFloat(0.1).minOpen(0).alias("decay_rate").doc("multiplier per decay"))},
	{Name: "CosineDecay", Doc: "Cosine decay from initial to alpha·initial over decay_steps, after linear warm-up.",
		Positional: []string{"initial_learning_rate", "decay_steps", "alpha", "warmup_steps"},
		Params: params(
			param("initial_learning_rate", TFloat).req().minOpen(0).alias("initial_lr").doc("starting learning rate"),
			param("decay_steps", TInt).req().min(1).doc("length of the decay"),
			param("alpha", TFloat).defFloat(0).min(0).max(1).doc("final fraction of the initial rate"),
			param("warmup_steps", TInt).defInt(0).min(0).doc("linear warm-up steps"))},
	{Name: "PolynomialDecay", Doc: "Polynomial decay from initial to end_learning_rate over decay_steps.",
		Positional: []string{"initial_learning_rate", "decay_steps", "end_learning_rate", "power"},
		Params: params(
			param("initial_learning_rate", TFloat).req().minOpen(0).alias("initial_lr").doc("starting learning rate"),
			param("decay_steps", TInt).req().min(1).doc("length of the decay"),
			param("end_learning_rate", TFloat).defFloat(0.0001).min(0).doc("final learning rate"),
			param("power", TFloat).defFloat(1).minOpen(0).doc("polynomial power"))},
}

// Losses is the loss table.
var Losses = []*FuncSpec{
	{Name: "mse", Aliases: []string{"mean_squared_error"}, Doc: "Mean squared error."},
	{Name: "mae", Aliases: []string{"mean_absolute_error"}, Doc: "Mean absolute error."},
	{Name: "huber", Doc: "Huber loss.", Positional: []string{"delta"},
		Params: params(param("delta", TFloat).defFloat(1).minOpen(0).doc("threshold between quadratic and linear"))},
	{Name: "binary_crossentropy", Aliases: []string{"binary_cross_entropy"}, Doc: "Binary cross-entropy (on logits when the output is sigmoid)."},
	{Name: "categorical_crossentropy", Aliases: []string{"categorical_cross_entropy", "cross_entropy"}, Doc: "Cross-entropy with one-hot targets (on logits when the output is softmax)."},
	{Name: "sparse_categorical_crossentropy", Aliases: []string{"sparse_categorical_cross_entropy"}, Doc: "Cross-entropy with integer class targets (on logits when the output is softmax)."},
	{Name: "kl_divergence", Aliases: []string{"kld", "kullback_leibler_divergence"}, Doc: "Kullback–Leibler divergence."},
	{Name: "hinge", Doc: "Hinge loss."},
	{Name: "cosine_similarity", Doc: "Negative cosine similarity."},
}

// Metrics is the metric table; every loss name is a metric too.
var Metrics = []*FuncSpec{
	{Name: "accuracy", Aliases: []string{"acc"}, Doc: "Classification accuracy."},
	{Name: "top_k_accuracy", Aliases: []string{"top_k_categorical_accuracy", "sparse_top_k_categorical_accuracy"}, Doc: "Top-k accuracy.",
		Positional: []string{"k"}, Params: params(param("k", TInt).defInt(5).min(1).doc("number of top predictions"))},
	{Name: "precision", Doc: "Precision."},
	{Name: "recall", Doc: "Recall."},
	{Name: "f1", Aliases: []string{"f1_score"}, Doc: "F1 score."},
	{Name: "auc", Doc: "Area under the ROC curve."},
}

// LookupFunc finds name (case-insensitively, aliases included) in table.
func LookupFunc(table []*FuncSpec, name string) *FuncSpec {
	n := strings.ToLower(name)
	for _, f := range table {
		if strings.ToLower(f.Name) == n {
			return f
		}
		for _, a := range f.Aliases {
			if a == n {
				return f
			}
		}
	}
	return nil
}

// FuncNames lists the canonical names of a table.
func FuncNames(table []*FuncSpec) []string {
	out := make([]string, len(table))
	for i, f := range table {
		out[i] = f.Name
	}
	return out
}

// TrainKeys lists the keys of `train { … }` (LANGUAGE.md §3).
var TrainKeys = []string{"epochs", "batch_size", "validation_split", "shuffle", "seed", "gradient_clip",
	"gradient_accumulation_steps", "mixed_precision", "early_stopping", "search_method", "trials", "device", "learning_rate"}

// SearchMethods are the accepted `search_method` values.
var SearchMethods = []string{"random", "grid", "bayesian"}

// Sections lists the network section names (LANGUAGE.md §3 and §10).
var Sections = []string{"input", "layers", "loss", "optimizer", "metrics", "train", "training", "execute", "execution", "lr_schedule"}
