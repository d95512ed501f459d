package diag

import (
	"bytes"
	"testing"
)

func TestRender(t *testing.T) {
	src := []byte("network N {\n  layers:\n    Conv2D(32, kernal_size=3)\n}\n")
	at := func(off, line, col int) Pos { return Pos{File: "m.neural", Offset: off, Line: line, Col: col} }
	start := at(37, 3, 16)
	end := at(48, 3, 27)
	l := &List{}
	l.Errorf(Span{Start: start, End: end}, "unknown parameter `kernal_size` of Conv2D").
		WithHint("did you mean `kernel_size`?").
		WithRelated(At(at(0, 1, 1)), "in network N")
	// A note at the place just quoted is not quoted again.
	l.Add(&Diagnostic{Severity: Note, Span: Span{Start: start, End: end}, Message: "stopped here"})
	var b bytes.Buffer
	Render(&b, l, Sources{"m.neural": src})
	want := "m.neural:3:16: error: unknown parameter `kernal_size` of Conv2D\n" +
		"        Conv2D(32, kernal_size=3)\n" +
		"                   ^~~~~~~~~~~\n" +
		"  hint: did you mean `kernel_size`?\n" +
		"m.neural:1:1: note: in network N\n" +
		"m.neural:3:16: note: stopped here\n"
	if b.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
	}
}

// A span that goes on past its line, as participle's end positions do when
// they stop at the next token, is underlined to the end of the code on the
// line: not into a trailing comment, whose quotes do not confuse it.
func TestRenderSpanPastTheLine(t *testing.T) {
	src := []byte("  optimizer: Adamm(lr=\"#1\")   # was \"Adam\"\n  loss: mse\n")
	l := &List{}
	l.Errorf(Span{Start: Pos{File: "m.neural", Offset: 13, Line: 1, Col: 14}, End: Pos{File: "m.neural", Offset: 44, Line: 2, Col: 3}}, "unknown optimizer `Adamm`")
	var b bytes.Buffer
	Render(&b, l, Sources{"m.neural": src})
	want := "m.neural:1:14: error: unknown optimizer `Adamm`\n" +
		"      optimizer: Adamm(lr=\"#1\")   # was \"Adam\"\n" +
		"                 ^~~~~~~~~~~~~~\n"
	if b.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
	}
}
