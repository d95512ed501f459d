package textdiff

import (
	"fmt"
	"math/rand"
	"strconv"
	"strings"
	"testing"
)

func TestEqualTextsHaveNoDiff(t *testing.T) {
	if d := Unified("a", "b", []byte("x\ny\n"), []byte("x\ny\n")); d != nil {
		t.Errorf("diff of equal texts = %q", d)
	}
}

func TestUnifiedExact(t *testing.T) {
	for _, tc := range []struct {
		name, old, new, want string
	}{
		{
			"one line changed",
			"a\nb\nc\n", "a\nB\nc\n",
			"--- old\n+++ new\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n",
		},
		{
			"insertion into empty file",
			"", "x\n",
			"--- old\n+++ new\n@@ -0,0 +1 @@\n+x\n",
		},
		{
			"everything deleted",
			"x\ny\n", "",
			"--- old\n+++ new\n@@ -1,2 +0,0 @@\n-x\n-y\n",
		},
		{
			"missing final newline",
			"a\nb", "a\nb\n",
			"--- old\n+++ new\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n",
		},
		{
			"distant changes make two hunks",
			"1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n", "one\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\ntwelve\n",
			"--- old\n+++ new\n@@ -1,4 +1,4 @@\n-1\n+one\n 2\n 3\n 4\n@@ -9,4 +9,4 @@\n 9\n 10\n 11\n-12\n+twelve\n",
		},
		{
			"close changes share a hunk",
			"1\n2\n3\n4\n5\n6\n7\n8\n", "one\n2\n3\n4\n5\n6\n7\neight\n",
			"--- old\n+++ new\n@@ -1,8 +1,8 @@\n-1\n+one\n 2\n 3\n 4\n 5\n 6\n 7\n-8\n+eight\n",
		},
	} {
		got := string(Unified("old", "new", []byte(tc.old), []byte(tc.new)))
		if got != tc.want {
			t.Errorf("%s:\ngot:\n%s\nwant:\n%s", tc.name, got, tc.want)
		}
	}
}

// TestRandomDiffsApply checks on random edits that applying the printed
// diff to the old text gives the new one, and that the diff is minimal in
// the number of changed lines (an LCS alignment).
func TestRandomDiffsApply(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for iter := 0; iter < 500; iter++ {
		old := randomLines(rng, rng.Intn(30))
		new := mutate(rng, old)
		oldText, newText := strings.Join(old, ""), strings.Join(new, "")
		if rng.Intn(5) == 0 && len(newText) > 0 {
			newText = strings.TrimSuffix(newText, "\n")
		}
		d := Unified("a", "b", []byte(oldText), []byte(newText))
		if oldText == newText {
			if d != nil {
				t.Fatalf("diff for equal texts: %q", d)
			}
			continue
		}
		got, err := apply(oldText, string(d))
		if err != nil {
			t.Fatalf("iteration %d: %v\nold %q\nnew %q\ndiff:\n%s", iter, err, oldText, newText, d)
		}
		if got != newText {
			t.Fatalf("iteration %d: applying the diff gives %q, want %q\ndiff:\n%s", iter, got, newText, d)
		}
		a, b := splitLines(oldText), splitLines(newText)
		if changed, min := countChanges(string(d)), len(a)+len(b)-2*lcsLen(a, b); changed != min {
			t.Fatalf("iteration %d: %d changed lines, the minimum is %d\ndiff:\n%s", iter, changed, min, d)
		}
	}
}

func TestLargeInputFallsBackToBlockReplace(t *testing.T) {
	var a, b strings.Builder
	for i := 0; i < 5000; i++ {
		fmt.Fprintf(&a, "a%d\n", i)
		fmt.Fprintf(&b, "b%d\n", i)
	}
	d := Unified("a", "b", []byte(a.String()), []byte(b.String()))
	got, err := apply(a.String(), string(d))
	if err != nil || got != b.String() {
		t.Fatalf("applying the fallback diff failed: %v", err)
	}
}

func countChanges(diff string) int {
	n := 0
	for _, l := range strings.Split(diff, "\n")[2:] {
		if strings.HasPrefix(l, "+") || strings.HasPrefix(l, "-") {
			n++
		}
	}
	return n
}

func lcsLen(a, b []string) int {
	prev := make([]int, len(b)+1)
	for i := range a {
		cur := make([]int, len(b)+1)
		for j := range b {
			switch {
			case a[i] == b[j]:
				cur[j+1] = prev[j] + 1
			case prev[j+1] >= cur[j]:
				cur[j+1] = prev[j+1]
			default:
				cur[j+1] = cur[j]
			}
		}
		prev = cur
	}
	return prev[len(b)]
}

func randomLines(rng *rand.Rand, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = strconv.Itoa(rng.Intn(6)) + "\n"
	}
	return out
}

func mutate(rng *rand.Rand, lines []string) []string {
	out := append([]string(nil), lines...)
	for k := rng.Intn(5); k > 0; k-- {
		switch rng.Intn(3) {
		case 0:
			if len(out) > 0 {
				i := rng.Intn(len(out))
				out = append(out[:i], out[i+1:]...)
			}
		case 1:
			i := rng.Intn(len(out) + 1)
			out = append(out[:i], append([]string{strconv.Itoa(rng.Intn(9)) + "\n"}, out[i:]...)...)
		default:
			if len(out) > 0 {
				out[rng.Intn(len(out))] = "x\n"
			}
		}
	}
	return out
}

// apply is a strict unified-diff applier: context and deleted lines must
// match the old text exactly, and hunk headers must agree with the bodies.
func apply(old, diff string) (string, error) {
	a := splitLines(old)
	lines := strings.SplitAfter(diff, "\n")
	if len(lines) < 2 || !strings.HasPrefix(lines[0], "--- ") || !strings.HasPrefix(lines[1], "+++ ") {
		return "", fmt.Errorf("bad header")
	}
	var out []string
	pos := 0
	for i := 2; i < len(lines) && lines[i] != ""; {
		var as, al, bs, bl int
		h := lines[i]
		if _, err := fmt.Sscanf(normalizeHeader(h), "@@ -%d,%d +%d,%d @@", &as, &al, &bs, &bl); err != nil {
			return "", fmt.Errorf("bad hunk header %q: %v", h, err)
		}
		start := as - 1
		if al == 0 {
			start = as
		}
		if start < pos {
			return "", fmt.Errorf("hunk %q overlaps the previous one", h)
		}
		out = append(out, a[pos:start]...)
		pos = start
		i++
		gotA, gotB := 0, 0
		for i < len(lines) && lines[i] != "" && !strings.HasPrefix(lines[i], "@@") {
			l := lines[i]
			text := l[1:]
			if i+1 < len(lines) && strings.HasPrefix(lines[i+1], `\ No newline`) {
				text = strings.TrimSuffix(text, "\n")
				i++
			}
			switch l[0] {
			case ' ', '-':
				if pos >= len(a) || a[pos] != text {
					return "", fmt.Errorf("line %d: %q does not match %q", pos+1, text, at(a, pos))
				}
				if l[0] == ' ' {
					out = append(out, text)
					gotB++
				}
				pos++
				gotA++
			case '+':
				out = append(out, text)
				gotB++
			default:
				return "", fmt.Errorf("bad line %q", l)
			}
			i++
		}
		if gotA != al || gotB != bl {
			return "", fmt.Errorf("hunk %q has %d old and %d new lines", h, gotA, gotB)
		}
	}
	out = append(out, a[pos:]...)
	return strings.Join(out, ""), nil
}

// normalizeHeader writes the omitted ",1" lengths back.
func normalizeHeader(h string) string {
	f := strings.Fields(h)
	if len(f) < 4 {
		return h
	}
	for i := 1; i <= 2; i++ {
		if !strings.Contains(f[i], ",") {
			f[i] += ",1"
		}
	}
	return strings.Join(f[:4], " ")
}

func at(a []string, i int) string {
	if i < len(a) {
		return a[i]
	}
	return "<end of file>"
}
