package ir

import "unicode"

// SnakeCase splits a CamelCase identifier into lower-case words joined by
// underscores, keeping digits with the word before them: MNISTClassifier →
// mnist_classifier, GPT2Small → gpt2_small, ResNet50 → res_net50. Backends
// (module names) and the BUILD generator (target names) share it so that
// the names agree.
func SnakeCase(name string) string {
	return snake(name, unicode.IsLower)
}

// KerasLayerName is Keras' default name for a layer type, where a digit
// may start a word: Conv2D → conv2d, MaxPooling2D → max_pooling2d,
// SimpleRNN → simple_rnn, LSTM → lstm. (Keras: re.sub("(.)([A-Z][a-z0-9]+)",
// r"\1_\2", name), then re.sub("([a-z])([A-Z])", r"\1_\2", …).lower().)
func KerasLayerName(layerType string) string {
	return snake(layerType, func(r rune) bool { return unicode.IsLower(r) || unicode.IsDigit(r) })
}

// snake puts an underscore before an upper-case letter followed by a rune
// that continues a word (continues), and between a lower-case letter and an
// upper-case one, then lower-cases everything.
func snake(name string, continues func(rune) bool) string {
	rs := []rune(name)
	var step []rune
	for i := 0; i < len(rs); i++ {
		if i > 0 && unicode.IsUpper(rs[i]) && i+1 < len(rs) && continues(rs[i+1]) && rs[i-1] != '_' {
			step = append(step, '_')
		}
		step = append(step, rs[i])
	}
	var out []rune
	for i, r := range step {
		if i > 0 && unicode.IsUpper(r) && unicode.IsLower(step[i-1]) {
			out = append(out, '_')
		}
		out = append(out, unicode.ToLower(r))
	}
	return string(out)
}
