package golden

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// recorder is a testing.TB that keeps failures instead of reporting them.
type recorder struct {
	testing.TB
	errors []string
	fatal  bool
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...interface{}) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}
func (r *recorder) Fatalf(format string, args ...interface{}) {
	r.Errorf(format, args...)
	r.fatal = true
}
func (r *recorder) Fatal(args ...interface{}) { r.Fatalf("%s", fmt.Sprint(args...)) }

func withUpdate(t *testing.T, on bool) {
	old := *update
	*update = on
	t.Cleanup(func() { *update = old })
}

func TestCheck(t *testing.T) {
	withUpdate(t, false)
	path := filepath.Join(t.TempDir(), "out.txt")

	r := &recorder{TB: t}
	Check(r, path, []byte("a\n"))
	if !r.fatal || !strings.Contains(r.errors[0], "-update to create it") {
		t.Errorf("missing golden file: %q", r.errors)
	}

	if err := os.WriteFile(path, []byte("a\nb\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r = &recorder{TB: t}
	Check(r, path, []byte("a\nb\n"))
	if len(r.errors) != 0 {
		t.Errorf("equal output reported: %q", r.errors)
	}
	r = &recorder{TB: t}
	Check(r, path, []byte("a\nc\n"))
	if len(r.errors) != 1 || !strings.Contains(r.errors[0], "-b\n+c\n") {
		t.Errorf("a difference gives one error with a diff: %q", r.errors)
	}

	withUpdate(t, true)
	nested := filepath.Join(filepath.Dir(path), "new", "dir", "out.txt")
	r = &recorder{TB: t}
	Check(r, nested, []byte("c\n"))
	if got, err := os.ReadFile(nested); err != nil || string(got) != "c\n" || len(r.errors) != 0 {
		t.Errorf("-update wrote %q (%v, %q)", got, err, r.errors)
	}
}

func TestCheckDir(t *testing.T) {
	withUpdate(t, false)
	dir := filepath.Join(t.TempDir(), "golden")
	files := map[string][]byte{"a.py": []byte("x = 1\n"), "b.txt": []byte("b\n")}

	withUpdate(t, true)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "stale.py"), []byte("old\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	CheckDir(t, dir, files)
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Fatalf("-update left %d files, want exactly a.py and b.txt", len(entries))
	}

	withUpdate(t, false)
	r := &recorder{TB: t}
	CheckDir(r, dir, files)
	if len(r.errors) != 0 {
		t.Errorf("equal directory reported: %q", r.errors)
	}
	r = &recorder{TB: t}
	CheckDir(r, dir, map[string][]byte{"a.py": []byte("x = 2\n"), "c.txt": []byte("c\n")})
	all := strings.Join(r.errors, "\n")
	for _, want := range []string{"b.txt is no longer produced", "-x = 1\n+x = 2", "c.txt: no such file"} {
		if !strings.Contains(all, want) {
			t.Errorf("errors lack %q:\n%s", want, all)
		}
	}
}
