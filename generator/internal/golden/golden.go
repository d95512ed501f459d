// Package golden is the golden-file mechanism of the generator's tests:
// output is compared with a checked-in file, or, when the tests run with
// -update, written over it; a difference is shown as a unified diff.
//
//	go test ./generator/... -update   # accept the current output
package golden

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/rules-neural/rules_neural/generator/textdiff"
)

var update = flag.Bool("update", false, "rewrite golden files with the current output instead of comparing")

// Updating reports whether the tests run with -update.
func Updating() bool { return *update }

// Diff is the unified diff turning want into got, for a test failure.
func Diff(want, got []byte) string {
	return string(textdiff.Unified("want", "got", want, got))
}

// Check compares got with the golden file at path. With -update it writes
// got to path instead, creating its directory.
func Check(t testing.TB, path string, got []byte) {
	t.Helper()
	if *update {
		write(t, path, got)
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run the test with -update to create it)", err)
	}
	if !bytes.Equal(want, got) {
		t.Errorf("%s differs from the output; if the change is intended, run the test with -update:\n%s", path, Diff(want, got))
	}
}

// CheckDir compares the golden directory dir with files (base name →
// content), which are all the files it should hold: a file of dir that is
// not in files is an error too. With -update, dir is replaced by exactly
// these files.
func CheckDir(t testing.TB, dir string, files map[string][]byte) {
	t.Helper()
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	if *update {
		if err := os.RemoveAll(dir); err != nil {
			t.Fatal(err)
		}
		for _, name := range names {
			write(t, filepath.Join(dir, name), files[name])
		}
		return
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatalf("%v (run the test with -update to create it)", err)
	}
	for _, e := range entries {
		if _, ok := files[e.Name()]; !ok {
			t.Errorf("%s is no longer produced; run the test with -update to remove it", filepath.Join(dir, e.Name()))
		}
	}
	for _, name := range names {
		path := filepath.Join(dir, name)
		want, err := os.ReadFile(path)
		if err != nil {
			t.Errorf("%v (run the test with -update to create it)", err)
			continue
		}
		if !bytes.Equal(want, files[name]) {
			t.Errorf("%s differs from the output; if the change is intended, run the test with -update:\n%s", path, Diff(want, files[name]))
		}
	}
}

func write(t testing.TB, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}
