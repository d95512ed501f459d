package ir

import "unicode"

// SnakeCase splits a CamelCase identifier into lower-case words joined by
// underscores the way Keras names layers, except that digits stay with the
// word before them: MNISTClassifier → mnist_classifier, GPT2Small →
// gpt2_small, ResNet50 → res_net50. Backends (module names) and the BUILD
// generator (target names) share it so that the names agree.
func SnakeCase(name string) string {
	rs := []rune(name)
	var step []rune
	for i := 0; i < len(rs); i++ {
		if i > 0 && unicode.IsUpper(rs[i]) && i+1 < len(rs) && unicode.IsLower(rs[i+1]) && rs[i-1] != '_' {
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
