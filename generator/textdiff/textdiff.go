// Package textdiff computes line diffs and prints them in the unified format
// that `diff -u`, git and patch understand. It is small on purpose: it serves
// `neuralgen fmt -d`, where the two texts mostly share long runs of lines.
package textdiff

import (
	"fmt"
	"strings"
)

// Context is the number of unchanged lines shown around each change.
const Context = 3

// maxCells bounds the LCS table (int32 cells). Past it the changed middle is
// shown as one replaced block: still a correct diff, only not minimal.
const maxCells = 1 << 24

// Unified returns the unified diff turning old into new, with the given file
// names in its header, or nil when the texts are equal.
func Unified(oldName, newName string, old, new []byte) []byte {
	if string(old) == string(new) {
		return nil
	}
	a, b := splitLines(string(old)), splitLines(string(new))
	ops := editScript(a, b)
	var out strings.Builder
	fmt.Fprintf(&out, "--- %s\n+++ %s\n", oldName, newName)
	for _, h := range hunks(ops) {
		writeHunk(&out, h, a, b)
	}
	return []byte(out.String())
}

// splitLines splits after each newline; a last line without one is kept
// as is, so "x" and "x\n" compare as different lines.
func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	lines := strings.SplitAfter(s, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

type opKind byte

const (
	keep opKind = ' '
	del  opKind = '-'
	ins  opKind = '+'
)

// op is one step of the edit script: keep a[ai] (= b[bi]), delete a[ai] or
// insert b[bi]; the unused index is -1.
type op struct {
	kind   opKind
	ai, bi int
}

// editScript aligns a and b on a longest common subsequence of lines. The
// common prefix and suffix are matched first so that the quadratic table
// only covers the changed middle.
func editScript(a, b []string) []op {
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	var ops []op
	for i := 0; i < pre; i++ {
		ops = append(ops, op{keep, i, i})
	}
	ops = append(ops, middle(a[pre:len(a)-suf], b[pre:len(b)-suf], pre, pre)...)
	for i := 0; i < suf; i++ {
		ops = append(ops, op{keep, len(a) - suf + i, len(b) - suf + i})
	}
	return ops
}

// middle diffs a and b, which start at line offsets ao and bo.
func middle(a, b []string, ao, bo int) []op {
	n, m := len(a), len(b)
	var ops []op
	if n == 0 || m == 0 || (n+1)*(m+1) > maxCells {
		for i := range a {
			ops = append(ops, op{del, ao + i, -1})
		}
		for j := range b {
			ops = append(ops, op{ins, -1, bo + j})
		}
		return ops
	}
	// lcs[i*(m+1)+j] is the LCS length of a[i:] and b[j:].
	w := m + 1
	lcs := make([]int32, (n+1)*w)
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			switch {
			case a[i] == b[j]:
				lcs[i*w+j] = lcs[(i+1)*w+j+1] + 1
			case lcs[(i+1)*w+j] >= lcs[i*w+j+1]:
				lcs[i*w+j] = lcs[(i+1)*w+j]
			default:
				lcs[i*w+j] = lcs[i*w+j+1]
			}
		}
	}
	i, j := 0, 0
	for i < n && j < m {
		switch {
		case a[i] == b[j]:
			ops = append(ops, op{keep, ao + i, bo + j})
			i++
			j++
		case lcs[(i+1)*w+j] >= lcs[i*w+j+1]:
			ops = append(ops, op{del, ao + i, -1})
			i++
		default:
			ops = append(ops, op{ins, -1, bo + j})
			j++
		}
	}
	for ; i < n; i++ {
		ops = append(ops, op{del, ao + i, -1})
	}
	for ; j < m; j++ {
		ops = append(ops, op{ins, -1, bo + j})
	}
	return ops
}

// hunks cuts the script into runs of changes with Context lines around
// them; changes closer than 2·Context lines share a hunk.
func hunks(ops []op) [][]op {
	var out [][]op
	i := 0
	for i < len(ops) {
		for i < len(ops) && ops[i].kind == keep {
			i++
		}
		if i == len(ops) {
			break
		}
		start := i - Context
		if start < 0 {
			start = 0
		}
		end := i
		for end < len(ops) {
			if ops[end].kind != keep {
				end++
				continue
			}
			run := end
			for run < len(ops) && ops[run].kind == keep {
				run++
			}
			if run == len(ops) || run-end > 2*Context {
				break
			}
			end = run
		}
		stop := end + Context
		if stop > len(ops) {
			stop = len(ops)
		}
		out = append(out, ops[start:stop])
		i = stop
	}
	return out
}

func writeHunk(out *strings.Builder, h []op, a, b []string) {
	aStart, bStart, aLen, bLen := -1, -1, 0, 0
	for _, o := range h {
		if o.kind != ins {
			if aStart < 0 {
				aStart = o.ai
			}
			aLen++
		}
		if o.kind != del {
			if bStart < 0 {
				bStart = o.bi
			}
			bLen++
		}
	}
	fmt.Fprintf(out, "@@ -%s +%s @@\n", hunkRange(aStart, aLen), hunkRange(bStart, bLen))
	for _, o := range h {
		line := ""
		switch o.kind {
		case del:
			line = a[o.ai]
		default:
			line = b[o.bi]
		}
		out.WriteByte(byte(o.kind))
		out.WriteString(line)
		if !strings.HasSuffix(line, "\n") {
			out.WriteString("\n\\ No newline at end of file\n")
		}
	}
}

// hunkRange prints "start,len" with a 1-based start, or "start" when the
// range is one line, as diff -u does. A side with no lines in the hunk is
// empty as a whole (any other change has context lines around it): "0,0".
func hunkRange(start, n int) string {
	switch n {
	case 0:
		return "0,0"
	case 1:
		return fmt.Sprintf("%d", start+1)
	}
	return fmt.Sprintf("%d,%d", start+1, n)
}
