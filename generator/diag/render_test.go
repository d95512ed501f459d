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
