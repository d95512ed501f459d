package pytorch

import (
	"strings"
	"testing"
)

func TestPyStr(t *testing.T) {
	for in, want := range map[string]string{
		"relu":                   `"relu"`,
		`a"b`:                    `"a\"b"`,
		`back\slash`:             `"back\\slash"`,
		"new\nline\r\t":          `"new\nline\r\t"`,
		"\x00\x1f\x7f":           `"\x00\x1f\x7f"`,
		"é€😀":                    `"\u00e9\u20ac\U0001f600"`,
		"\u2028":                 `"\u2028"`,
		"bad\xffutf8":            `"bad\ufffdutf8"`,
		`"); import os; #`:       `"\"); import os; #"`,
		`'''"""`:                 `"'''\"\"\""`,
		"trailing backslash \\":  `"trailing backslash \\"`,
		"":                       `""`,
		"{braces} %s":            `"{braces} %s"`,
		"tab\tand\vvertical\fff": `"tab\tand\x0bvertical\x0cff"`,
	} {
		if got := pyStr(in); got != want {
			t.Errorf("pyStr(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestIdent(t *testing.T) {
	for in, want := range map[string]string{
		"conv2d_1": "conv2d_1", "1st": "_1st", "": "_", "class": "class_", "a-b c": "a_b_c",
		"ünï": "_n_", "None": "None_", "match": "match_",
	} {
		if got := ident(in); got != want {
			t.Errorf("ident(%q) = %q, want %q", in, got, want)
		}
	}
	s := newScope(moduleAttrs)
	for _, c := range []struct{ in, want string }{
		{"dense", "dense"}, {"dense", "dense_2"}, {"forward", "forward_"}, {"train", "train_"},
		{"a-b", "a_b"}, {"a_b", "a_b_2"},
	} {
		if got := s.claim(c.in); got != c.want {
			t.Errorf("claim(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestSnakeCase(t *testing.T) {
	for in, want := range map[string]string{
		"MNISTClassifier": "mnist_classifier", "GPT2Small": "gpt2_small", "ResNet50": "res_net50",
		"Conv2DNet": "conv2d_net", "tiny": "tiny", "Seq2Seq": "seq2_seq", "My_Net": "my_net",
		"Torch": "torch_model", "typing": "typing_model", "class": "class_",
	} {
		if got := snakeCase(in); got != want {
			t.Errorf("snakeCase(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRenderWraps(t *testing.T) {
	var b strings.Builder
	render(&b, 8, "self.conv = ", call("nn.Conv2d", pyInt(1), pyInt(32),
		kw("kernel_size", intTuple([]int64{3, 3})), kw("stride", intTuple([]int64{1, 1})),
		kw("padding", pyInt(0)), kw("dilation", intTuple([]int64{1, 1})), kw("groups", pyInt(1)),
		kw("bias", pyBool(true))), "")
	want := `        self.conv = nn.Conv2d(
            1, 32, kernel_size=(3, 3), stride=(1, 1), padding=0, dilation=(1, 1), groups=1,
            bias=True,
        )
`
	if b.String() != want {
		t.Errorf("render:\n%s\nwant:\n%s", b.String(), want)
	}
	b.Reset()
	render(&b, 0, "", tuple(pyInt(1)), "")
	if b.String() != "(1,)\n" {
		t.Errorf("one-element tuple: %q", b.String())
	}
}
