package driver

import (
	"reflect"
	"testing"
)

func TestBackends(t *testing.T) {
	r := Backends()
	if got := r.Names(); !reflect.DeepEqual(got, []string{"pytorch"}) {
		t.Errorf("registered backends = %v", got)
	}
	if b, ok := r.Lookup("pytorch"); !ok || b.Name() != "pytorch" {
		t.Errorf("Lookup(pytorch) = %v, %v", b, ok)
	}
}
