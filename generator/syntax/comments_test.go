package syntax

import (
	"reflect"
	"testing"
)

func TestComments(t *testing.T) {
	src := "# one\nnetwork A { // two\n  layers: Dense(\"#not\", '//no') /* three\n */ Dense(1)\n} #four\r\n"
	var got []string
	for _, c := range Comments("x", []byte(src)) {
		if src[c.Pos.Offset:c.EndPos.Offset] != c.Text {
			t.Errorf("comment %q: span [%d,%d) holds %q", c.Text, c.Pos.Offset, c.EndPos.Offset, src[c.Pos.Offset:c.EndPos.Offset])
		}
		got = append(got, c.Text)
	}
	want := []string{"# one", "// two", "/* three\n */", "#four\r"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Comments = %q, want %q", got, want)
	}
	if c := Comments("x", []byte("a /* b */"))[0]; !c.IsBlock() || c.Pos.Line != 1 || c.Pos.Column != 3 || c.EndPos.Column != 10 {
		t.Errorf("block comment = %+v", c)
	}
	// Lexical errors do not stop the scan.
	if got := Comments("x", []byte("a ~ \"x\n # c\n ?")); len(got) != 1 || got[0].Text != "# c" {
		t.Errorf("Comments after lexical errors = %+v", got)
	}
}
