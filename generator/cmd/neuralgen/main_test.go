package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/rules-neural/rules_neural/generator/docgen"
	"github.com/rules-neural/rules_neural/generator/version"
)

type result struct {
	code           int
	stdout, stderr string
}

// neuralgen runs the CLI in-process.
func neuralgen(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, strings.NewReader(stdin), &out, &errb)
	return result{code: code, stdout: out.String(), stderr: errb.String()}
}

func (r result) expect(t *testing.T, code int) {
	t.Helper()
	if r.code != code {
		t.Fatalf("exit status %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, code, r.stdout, r.stderr)
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"nosuch"},
		{"check"},
		{"check", "--bogus", "testdata/mnist.neural"},
		{"summary"},
		{"summary", "testdata/mnist.neural", "testdata/hpo.neural"},
		{"graph"},
		{"graph", "--format", "svg", "testdata/mnist.neural"},
		{"fmt"},
		{"fmt", "-w", "-"},
		{"doc"},
		{"doc", "widgets"},
		{"version", "extra"},
		{"help", "nosuch"},
		{"help", "check", "summary"},
	} {
		r := neuralgen(t, "", args...)
		if r.code != exitUsage {
			t.Errorf("neuralgen %s: exit status %d, want 2\nstderr:\n%s", strings.Join(args, " "), r.code, r.stderr)
		}
		if r.stderr == "" || r.stdout != "" {
			t.Errorf("neuralgen %s: a usage error belongs on stderr only; stdout %q stderr %q", strings.Join(args, " "), r.stdout, r.stderr)
		}
	}
}

func TestUnknownCommandSuggests(t *testing.T) {
	r := neuralgen(t, "", "chek", "x.neural")
	r.expect(t, exitUsage)
	if !strings.Contains(r.stderr, `did you mean "check"?`) {
		t.Errorf("no suggestion in %q", r.stderr)
	}
}

func TestHelp(t *testing.T) {
	r := neuralgen(t, "", "help")
	r.expect(t, exitOK)
	for _, c := range commands() {
		if !strings.Contains(r.stdout, "\t"+c.name+" ") {
			t.Errorf("help does not list %s:\n%s", c.name, r.stdout)
		}
	}
	if got := neuralgen(t, "", "--help"); got.code != exitOK || got.stdout != r.stdout {
		t.Errorf("--help differs from help: %+v", got)
	}
	for _, c := range commands() {
		r := neuralgen(t, "", "help", c.name)
		r.expect(t, exitOK)
		if !strings.HasPrefix(r.stdout, "usage: neuralgen "+c.name) {
			t.Errorf("help %s:\n%s", c.name, r.stdout)
		}
	}
	r = neuralgen(t, "", "graph", "-h")
	r.expect(t, exitOK)
	if !strings.Contains(r.stdout, "-format") || r.stderr != "" {
		t.Errorf("graph -h does not describe its flags:\n%s", r.stdout)
	}
	r = neuralgen(t, "", "check", "testdata/mnist.neural", "-h")
	r.expect(t, exitOK)
	if !strings.Contains(r.stdout, "usage: neuralgen check [--json] FILE...") {
		t.Errorf("check -h after a file:\n%s", r.stdout)
	}
}

func TestVersion(t *testing.T) {
	r := neuralgen(t, "", "version")
	r.expect(t, exitOK)
	if want := "neuralgen " + version.Version + " (runtime contract 1)\n"; r.stdout != want {
		t.Errorf("version = %q, want %q", r.stdout, want)
	}
}

func TestBazelCommand(t *testing.T) {
	dir := t.TempDir()
	model := "network Tiny { input: (4,) layers: Output(2) }\n"
	if err := os.WriteFile(filepath.Join(dir, "tiny.neural"), []byte(model), 0o644); err != nil {
		t.Fatal(err)
	}
	r := neuralgen(t, "", "bazel", "--mode", "diff", dir)
	r.expect(t, exitError)
	if !strings.Contains(r.stdout, `+    name = "tiny",`) {
		t.Errorf("diff mode: %q", r.stdout)
	}
	if _, err := os.Stat(filepath.Join(dir, "BUILD.bazel")); err == nil {
		t.Errorf("diff mode wrote BUILD.bazel")
	}
	r = neuralgen(t, "", "bazel", "--mode", "print", "--load", "//rules:defs.bzl", dir)
	r.expect(t, exitOK)
	if !strings.HasPrefix(r.stdout, `load("//rules:defs.bzl", "neural_model")`) {
		t.Errorf("print mode: %q", r.stdout)
	}
	neuralgen(t, "", "bazel", dir).expect(t, exitOK)
	if data, err := os.ReadFile(filepath.Join(dir, "BUILD.bazel")); err != nil || !strings.Contains(string(data), `src = "tiny.neural"`) {
		t.Errorf("fix mode wrote %q (%v)", data, err)
	}
	neuralgen(t, "", "bazel", "--mode", "diff", dir).expect(t, exitOK)
	neuralgen(t, "", "bazel", "--mode", "sideways", dir).expect(t, exitUsage)
	neuralgen(t, "", "bazel").expect(t, exitUsage)
	neuralgen(t, "", "bazel", filepath.Join(dir, "missing")).expect(t, exitError)

	// A model file with a syntax error: the diagnostic with its source
	// line and caret, and the BUILD file is left as it was.
	broken := filepath.Join(dir, "broken.neural")
	if err := os.WriteFile(broken, []byte("network B {\n  input: (4,)\n  layers:\n    Dense(units=,)\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(filepath.Join(dir, "BUILD.bazel"))
	r = neuralgen(t, "", "bazel", dir)
	r.expect(t, exitError)
	want := broken + ":4:17: error: unexpected `,`; expected a value\n        Dense(units=,)\n                    ^\n"
	if !strings.Contains(r.stderr, want) {
		t.Errorf("bazel with a broken model: stderr %q, want %q", r.stderr, want)
	}
	if after, _ := os.ReadFile(filepath.Join(dir, "BUILD.bazel")); string(after) != string(before) {
		t.Errorf("bazel with a broken model changed BUILD.bazel")
	}
}

// The repository's own models/BUILD.bazel is what `neuralgen bazel` keeps.
func TestModelsBuildFileIsFresh(t *testing.T) {
	r := neuralgen(t, "", "bazel", "--mode", "diff", "--load", "//rules:defs.bzl", "../../../models")
	if r.code != exitOK {
		t.Errorf("models/BUILD.bazel is not up to date; run neuralgen bazel --load //rules:defs.bzl models:\n%s%s", r.stdout, r.stderr)
	}
}

func TestCheckValidFile(t *testing.T) {
	r := neuralgen(t, "", "check", "testdata/mnist.neural")
	r.expect(t, exitOK)
	if r.stderr != "" || r.stdout != "" {
		t.Errorf("check of a valid file printed something:\nstdout %q\nstderr %q", r.stdout, r.stderr)
	}
}

// A diagnostic is `path:line:col: error: message`, the source line and a
// caret line; the path is the one given on the command line.
var diagnosticRE = regexp.MustCompile(`(?m)^testdata/syntax_error\.neural:\d+:\d+: error: .+\n    .*\n    [ \t]*\^~*$`)

func TestCheckSyntaxError(t *testing.T) {
	r := neuralgen(t, "", "check", "testdata/mnist.neural", "testdata/syntax_error.neural")
	r.expect(t, exitError)
	if !diagnosticRE.MatchString(r.stderr) {
		t.Errorf("diagnostic not in the path:line:col: error: format with a caret:\n%s", r.stderr)
	}
	if strings.Contains(r.stderr, "mnist.neural") {
		t.Errorf("diagnostics for the valid file:\n%s", r.stderr)
	}
	if r.stdout != "" {
		t.Errorf("diagnostics on stdout: %q", r.stdout)
	}
}

func TestCheckStdin(t *testing.T) {
	src, err := os.ReadFile("testdata/syntax_error.neural")
	if err != nil {
		t.Fatal(err)
	}
	r := neuralgen(t, string(src), "check", "-")
	r.expect(t, exitError)
	if !strings.HasPrefix(r.stderr, "<stdin>:") {
		t.Errorf("stdin diagnostics not named <stdin>:\n%s", r.stderr)
	}
}

func TestCheckMissingFile(t *testing.T) {
	r := neuralgen(t, "", "check", "testdata/no_such.neural")
	r.expect(t, exitError)
	if !strings.HasPrefix(r.stderr, "testdata/no_such.neural: error: cannot read file:") {
		t.Errorf("stderr = %q", r.stderr)
	}
}

type jsonDiags struct {
	Diagnostics []struct {
		Severity string `json:"severity"`
		Message  string `json:"message"`
		Span     struct {
			Start struct {
				File string `json:"file"`
				Line int    `json:"line"`
			} `json:"start"`
		} `json:"span"`
	} `json:"diagnostics"`
	Errors   int `json:"errors"`
	Warnings int `json:"warnings"`
}

func TestCheckJSON(t *testing.T) {
	r := neuralgen(t, "", "check", "--json", "testdata/mnist.neural")
	r.expect(t, exitOK)
	var ok jsonDiags
	if err := json.Unmarshal([]byte(r.stdout), &ok); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, r.stdout)
	}
	if ok.Errors != 0 || ok.Diagnostics == nil {
		t.Errorf("valid file: %+v", ok)
	}

	// Several files, flags after them: one JSON document for all.
	r = neuralgen(t, "", "check", "testdata/syntax_error.neural", "testdata/no_such.neural", "--json")
	r.expect(t, exitError)
	var bad jsonDiags
	if err := json.Unmarshal([]byte(r.stdout), &bad); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, r.stdout)
	}
	files := map[string]bool{}
	for _, d := range bad.Diagnostics {
		files[d.Span.Start.File] = true
		if d.Severity == "" {
			t.Errorf("diagnostic without severity: %+v", d)
		}
	}
	if bad.Errors < 2 || !files["testdata/syntax_error.neural"] || !files["testdata/no_such.neural"] {
		t.Errorf("JSON lacks the errors of both files: %s", r.stdout)
	}
	if r.stderr != "" {
		t.Errorf("--json also wrote to stderr: %q", r.stderr)
	}
}

// The following tests need sema and shape inference.

func TestCheckSemaAndShapeErrors(t *testing.T) {
	for file, want := range map[string]string{
		"testdata/unknown_param.neural": `testdata/unknown_param.neural:4:\d+: error: .*kernal_size`,
		"testdata/shape_error.neural":   `testdata/shape_error.neural:4:\d+: error: `,
	} {
		r := neuralgen(t, "", "check", file)
		if r.code != exitError {
			t.Errorf("check %s: exit status %d, want 1\n%s", file, r.code, r.stderr)
			continue
		}
		if !regexp.MustCompile(want).MatchString(r.stderr) {
			t.Errorf("check %s: stderr does not match %s:\n%s", file, want, r.stderr)
		}
	}
}

// mnistRows are the Keras values for the MNIST model: type, shape, params.
var mnistRows = [][3]string{
	{"Conv2D", "(None, 26, 26, 32)", "320"},
	{"MaxPooling2D", "(None, 13, 13, 32)", "0"},
	{"Flatten", "(None, 5408)", "0"},
	{"Dense", "(None, 128)", "692,352"},
	{"Dropout", "(None, 128)", "0"},
	{"Output", "(None, 10)", "1,290"},
}

func TestSummaryTable(t *testing.T) {
	r := neuralgen(t, "", "summary", "testdata/mnist.neural")
	r.expect(t, exitOK)
	lines := strings.Split(r.stdout, "\n")
	if len(lines) < 4 || lines[0] != `Model: "MNIST"` || !regexp.MustCompile(`^ Layer \(type\)\s+Output Shape\s+Param #$`).MatchString(lines[2]) {
		t.Fatalf("summary header:\n%s", r.stdout)
	}
	rows := lines[4:]
	for i, want := range mnistRows {
		re := regexp.MustCompile(`^ \S+ \(` + want[0] + `\)\s+` + regexp.QuoteMeta(want[1]) + `\s+` + want[2] + `$`)
		if i >= len(rows) || !re.MatchString(rows[i]) {
			t.Errorf("row %d does not match %s:\n%s", i, re, r.stdout)
		}
	}
	for _, want := range []string{
		"\nTotal params: 693,962\n",
		"\nTrainable params: 693,962\n",
		"\nNon-trainable params: 0\n",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("summary lacks %q:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "HPO") {
		t.Errorf("HPO note for a model without HPO:\n%s", r.stdout)
	}
}

func TestSummaryJSON(t *testing.T) {
	r := neuralgen(t, "", "summary", "--json", "testdata/mnist.neural")
	r.expect(t, exitOK)
	var doc map[string][]map[string]json.RawMessage
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, r.stdout)
	}
	nets := doc["networks"]
	if len(doc) != 1 || len(nets) != 1 {
		t.Fatalf("want exactly {\"networks\": [one]}:\n%s", r.stdout)
	}
	net := nets[0]
	wantKeys := []string{"name", "inputs", "output_shape", "layers", "trainable_params", "non_trainable_params", "total_params"}
	if len(net) != len(wantKeys) {
		t.Errorf("network keys %v, want exactly %v", keys(net), wantKeys)
	}
	expectJSON(t, net, "name", `"MNIST"`)
	expectJSON(t, net, "inputs", `[{"name":"input","shape":[null,28,28,1]}]`)
	expectJSON(t, net, "output_shape", `[null,10]`)
	expectJSON(t, net, "trainable_params", `693962`)
	expectJSON(t, net, "non_trainable_params", `0`)
	expectJSON(t, net, "total_params", `693962`)
	var layers []map[string]json.RawMessage
	if err := json.Unmarshal(net["layers"], &layers); err != nil || len(layers) != len(mnistRows) {
		t.Fatalf("layers: %v\n%s", err, net["layers"])
	}
	for i, want := range mnistRows {
		l := layers[i]
		if len(l) != 4 {
			t.Errorf("layer keys %v, want name, type, output_shape, params", keys(l))
		}
		shape := "[null," + strings.ReplaceAll(strings.TrimSuffix(strings.TrimPrefix(want[1], "(None, "), ")"), " ", "") + "]"
		expectJSON(t, l, "type", `"`+want[0]+`"`)
		expectJSON(t, l, "output_shape", shape)
		expectJSON(t, l, "params", strings.ReplaceAll(want[2], ",", ""))
	}
}

func keys(m map[string]json.RawMessage) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func expectJSON(t *testing.T, m map[string]json.RawMessage, key, want string) {
	t.Helper()
	var compact bytes.Buffer
	if err := json.Compact(&compact, m[key]); err != nil || compact.String() != want {
		t.Errorf("%s = %s, want %s", key, m[key], want)
	}
}

func TestSummaryHPONote(t *testing.T) {
	r := neuralgen(t, "", "summary", "testdata/hpo.neural")
	r.expect(t, exitOK)
	if !strings.Contains(r.stdout, "default HPO values") {
		t.Errorf("no HPO note:\n%s", r.stdout)
	}
	if !regexp.MustCompile(`\(Dense\)\s+\(None, 64\)\s+50,240\n`).MatchString(r.stdout) {
		t.Errorf("Dense not shown at the first choice (64 units):\n%s", r.stdout)
	}
}

func TestSummaryWithErrors(t *testing.T) {
	r := neuralgen(t, "", "summary", "--json", "testdata/syntax_error.neural")
	r.expect(t, exitError)
	if r.stdout != "" || !strings.Contains(r.stderr, "testdata/syntax_error.neural:") {
		t.Errorf("stdout %q\nstderr %q", r.stdout, r.stderr)
	}
}

func TestGraph(t *testing.T) {
	for _, tc := range []struct {
		args   []string
		prefix string
	}{
		{[]string{"graph", "testdata/mnist.neural"}, "digraph "},
		{[]string{"graph", "--format", "dot", "testdata/mnist.neural"}, "digraph "},
		{[]string{"graph", "testdata/mnist.neural", "--format=mermaid"}, "flowchart "},
	} {
		r := neuralgen(t, "", tc.args...)
		r.expect(t, exitOK)
		if !strings.HasPrefix(r.stdout, tc.prefix) {
			t.Errorf("%v: output does not start with %q:\n%s", tc.args, tc.prefix, r.stdout)
		}
		for _, want := range []string{": Conv2D", "(None, 26, 26, 32)", ": Output", "(None, 10)"} {
			if !strings.Contains(r.stdout, want) {
				t.Errorf("%v: graph lacks %q:\n%s", tc.args, want, r.stdout)
			}
		}
	}
	r := neuralgen(t, "", "graph", "testdata/syntax_error.neural")
	r.expect(t, exitError)
}

func TestDocLayers(t *testing.T) {
	r := neuralgen(t, "", "doc", "layers")
	r.expect(t, exitOK)
	if r.stdout != string(docgen.Layers()) {
		t.Error("doc layers differs from docgen.Layers()")
	}
}

func TestFmtSyntaxError(t *testing.T) {
	r := neuralgen(t, "", "fmt", "testdata/syntax_error.neural")
	r.expect(t, exitError)
	if r.stdout != "" || !diagnosticRE.MatchString(r.stderr) {
		t.Errorf("stdout %q\nstderr %q", r.stdout, r.stderr)
	}
}

func TestFmtStdout(t *testing.T) {
	src, err := os.ReadFile("testdata/unformatted.neural")
	if err != nil {
		t.Fatal(err)
	}
	fromFile := neuralgen(t, "", "fmt", "testdata/unformatted.neural")
	fromFile.expect(t, exitOK)
	fromStdin := neuralgen(t, string(src), "fmt", "-")
	fromStdin.expect(t, exitOK)
	if fromFile.stdout == "" || fromFile.stdout == string(src) {
		t.Errorf("fmt printed %q for an unformatted file", fromFile.stdout)
	}
	if fromStdin.stdout != fromFile.stdout {
		t.Errorf("fmt - and fmt FILE differ:\n%s\n---\n%s", fromStdin.stdout, fromFile.stdout)
	}
}

func TestFmtWriteAndDiff(t *testing.T) {
	src, err := os.ReadFile("testdata/unformatted.neural")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "m.neural")
	if err := os.WriteFile(path, src, 0o600); err != nil {
		t.Fatal(err)
	}
	formatted := neuralgen(t, "", "fmt", path).stdout

	d := neuralgen(t, "", "fmt", "-d", path)
	d.expect(t, exitOK)
	if !strings.HasPrefix(d.stdout, "--- "+path+".orig\n+++ "+path+"\n@@ ") {
		t.Errorf("fmt -d output is not a unified diff:\n%s", d.stdout)
	}
	if got, _ := os.ReadFile(path); !bytes.Equal(got, src) {
		t.Error("fmt -d modified the file")
	}

	w := neuralgen(t, "", "fmt", "-w", path)
	w.expect(t, exitOK)
	if w.stdout != "" {
		t.Errorf("fmt -w printed %q", w.stdout)
	}
	got, _ := os.ReadFile(path)
	if string(got) != formatted {
		t.Errorf("fmt -w wrote %q, want %q", got, formatted)
	}
	if info, err := os.Stat(path); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("fmt -w changed the file mode: %v", info.Mode())
	}

	// Formatting is idempotent: a formatted file has no diff and -w leaves
	// it untouched.
	before, _ := os.Stat(path)
	if again := neuralgen(t, "", "fmt", "-d", "-w", path); again.code != exitOK || again.stdout != "" {
		t.Errorf("second fmt -d -w: %+v", again)
	}
	if after, _ := os.Stat(path); !after.ModTime().Equal(before.ModTime()) {
		t.Error("fmt -w rewrote an already formatted file")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("fmt -w left files behind: %v", entries)
	}
}

func TestSummaryOutputAndExpectedNetworks(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "mnist.json")
	r := neuralgen(t, "", "summary", "--json", "--output", out, "--expect-network", "MNIST", "testdata/mnist.neural")
	r.expect(t, exitOK)
	if r.stdout != "" {
		t.Errorf("--output also printed: %q", r.stdout)
	}
	want := neuralgen(t, "", "summary", "--json", "testdata/mnist.neural").stdout
	if got, err := os.ReadFile(out); err != nil || string(got) != want {
		t.Errorf("--output wrote %q (%v), stdout gives %q", got, err, want)
	}
	r = neuralgen(t, "", "summary", "--json", "--output", filepath.Join(dir, "x.json"), "--expect-network", "Other", "testdata/mnist.neural")
	r.expect(t, exitError)
	if !strings.Contains(r.stderr, "testdata/mnist.neural: error: declares the networks [MNIST], expected [Other]") {
		t.Errorf("stderr %q", r.stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "x.json")); err == nil {
		t.Errorf("summary written although the networks differ")
	}
}
