package ir

import "testing"

func TestSnakeCase(t *testing.T) {
	for in, want := range map[string]string{
		"MNISTClassifier": "mnist_classifier",
		"GPT2Small":       "gpt2_small",
		"ResNet50":        "res_net50",
		"my_net":          "my_net",
		"A":               "a",
		"HTTPServer2":     "http_server2",
	} {
		if got := SnakeCase(in); got != want {
			t.Errorf("SnakeCase(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestKerasLayerName(t *testing.T) {
	for in, want := range map[string]string{
		"Conv2D":             "conv2d",
		"BatchNormalization": "batch_normalization",
		"MaxPooling2D":       "max_pooling2d",
		"SimpleRNN":          "simple_rnn",
		"LSTM":               "lstm",
		"Conv2DTranspose":    "conv2d_transpose",
	} {
		if got := KerasLayerName(in); got != want {
			t.Errorf("KerasLayerName(%q) = %q, want %q", in, got, want)
		}
	}
}
