package driver

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rules-neural/rules_neural/generator/syntax"
)

const mnist = `network MNIST {
  input: (None, 28, 28, 1)
  layers:
    Conv2D(32, (3,3), "relu")
    MaxPooling2D((2,2))
    Flatten()
    Dense(128, "relu")
    Dropout(0.5)
    Output(10, "softmax")
  loss: "sparse_categorical_crossentropy"
  optimizer: Adam(learning_rate=0.001)
}
`

func TestCheckSyntaxErrorKeepsPathAsGiven(t *testing.T) {
	src := []byte("network A {\n  input: (28, 28, 1)\n  layers:\n    Dense(10,\n}\n")
	model, diags := Check("models/a.neural", src)
	if model != nil {
		t.Errorf("model = %v, want nil for a file with syntax errors", model)
	}
	if !diags.HasErrors() {
		t.Fatal("no errors reported for a syntax error")
	}
	for _, d := range diags.Items {
		if d.Span.Start.File != "models/a.neural" {
			t.Errorf("diagnostic file = %q, want the path as given", d.Span.Start.File)
		}
	}
}

func TestCheckValidFileHasNoErrors(t *testing.T) {
	model, diags := Check("mnist.neural", []byte(mnist))
	if diags.HasErrors() {
		t.Fatalf("unexpected errors: %v", diags)
	}
	if model == nil {
		t.Fatal("nil model for a valid file")
	}
}

// The driver's job is to run shape inference on every network sema builds;
// this needs the real sema and shape packages.
func TestCheckRunsShapeOnEveryNetwork(t *testing.T) {
	src := mnist + strings.Replace(mnist, "network MNIST", "network Second", 1)
	model, diags := Check("two.neural", []byte(src))
	if diags.HasErrors() {
		t.Fatalf("unexpected errors: %v", diags)
	}
	if len(model.Networks) != 2 {
		t.Fatalf("got %d networks, want 2", len(model.Networks))
	}
	for _, net := range model.Networks {
		if net.Output == nil || len(net.Output.Shape) != 1 || net.Output.Shape[0] != 10 {
			t.Errorf("network %s: output shape not inferred (output %+v)", net.Name, net.Output)
		}
	}
}

func TestCheckNormalizesDiagnostics(t *testing.T) {
	_, diags := Check("x.neural", []byte("network A {\n  layers:\n    Dense(10\n    Dense(20\n}\n"))
	for i := 1; i < len(diags.Items); i++ {
		if diags.Items[i-1].Span.Start.Offset > diags.Items[i].Span.Start.Offset {
			t.Errorf("diagnostics out of source order: %v", diags.Items)
		}
	}
}

func TestReadStdin(t *testing.T) {
	src, err := Read("-", strings.NewReader("network A {}"))
	if err != nil {
		t.Fatal(err)
	}
	if src.Name != StdinName || string(src.Text) != "network A {}" {
		t.Errorf("Read(-) = %q %q", src.Name, src.Text)
	}
	if got := src.Sources()[StdinName]; string(got) != "network A {}" {
		t.Errorf("Sources() = %q", got)
	}
}

func TestReadFileKeepsRelativeName(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "m.neural"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	wd, _ := os.Getwd()
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	defer os.Chdir(wd)
	src, err := LoadFile("./m.neural")
	if err != nil {
		t.Fatal(err)
	}
	if src.Name != "./m.neural" {
		t.Errorf("Name = %q, want the path as given", src.Name)
	}
}

func TestReadErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := Read(filepath.Join(dir, "missing.neural"), nil); err == nil {
		t.Error("no error for a missing file")
	}
	if _, err := Read(dir, nil); err == nil || !strings.Contains(err.Error(), "directory") {
		t.Errorf("reading a directory: err = %v", err)
	}
	big := bytes.NewReader(make([]byte, syntax.MaxFileSize+1))
	if _, err := Read("-", big); err == nil || !strings.Contains(err.Error(), "limit") {
		t.Errorf("oversized input: err = %v", err)
	}
}

func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.txt")
	if err := WriteFileAtomic(path, []byte("one"), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := WriteFileAtomic(path, []byte("two"), 0o640); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	if string(got) != "two" {
		t.Errorf("content = %q, want %q", got, "two")
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o640 {
		t.Errorf("mode = %v, want 0640", info.Mode().Perm())
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}
}

func TestWriteFileAtomicFollowsSymlink(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "real.neural")
	link := filepath.Join(dir, "link.neural")
	if err := os.WriteFile(target, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("real.neural", link); err != nil {
		t.Skip("symlinks not supported:", err)
	}
	if err := WriteFileAtomic(link, []byte("new"), 0o644); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link was replaced by a regular file")
	}
	if got, _ := os.ReadFile(target); string(got) != "new" {
		t.Errorf("target content = %q, want %q", got, "new")
	}
}

func TestWriteFileAtomicMissingDir(t *testing.T) {
	dir := t.TempDir()
	if err := WriteFileAtomic(filepath.Join(dir, "no", "such", "f"), []byte("x"), 0o644); err == nil {
		t.Error("no error for a missing directory")
	}
}
