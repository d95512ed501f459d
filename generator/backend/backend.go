// Package backend is the contract between the checked IR and code
// generators. A backend is a pure function from a Request to files: no I/O,
// no clocks, no map-order iteration, so the same IR gives the same bytes
// everywhere (Bazel caches on it). Backends are registered explicitly by
// the driver, never by init().
package backend

import (
	"fmt"
	"sort"
	"strings"

	"github.com/rules-neural/rules_neural/generator/diag"
	"github.com/rules-neural/rules_neural/generator/ir"
)

// Request is what a backend receives: the checked model and options.
type Request struct {
	// Model has been through sema and shape inference without errors.
	Model *ir.Model
	// Source is the path of the .neural file relative to the workspace or
	// the current directory, as written in DO NOT EDIT headers.
	Source string
	// Networks restricts generation to these network names; empty means
	// every network of the model.
	Networks []string
	// Options are backend-specific `--opt key=value` settings.
	Options map[string]string
	// Module, when set, is the name the caller gives the module of the one
	// selected network (compile --output: a build system names outputs
	// before the compiler runs), so that generated companions import it
	// under that name. Empty: the backend's name for the network.
	Module string
}

// File is one generated file. Name is relative to the output directory.
type File struct {
	Name    string
	Content []byte
	// Role says what the file is to its network.
	Role Role
}

// Role is what a generated file is to its network.
type Role int

const (
	// Module is a network's main file: the model and its entry points.
	// It comes first among the files of its network.
	Module Role = iota
	// SearchDriver runs the network's hyper-parameter search; it imports
	// the network's module.
	SearchDriver
)

// Backend generates files for one target.
type Backend interface {
	// Name is the value of `neuralgen compile --backend`.
	Name() string
	// Generate returns the files, or diagnostics at the positions of the
	// layers or parameters it cannot express (never dropping them).
	Generate(req *Request) ([]File, *diag.List)
}

// Registry maps backend names to backends.
type Registry struct {
	byName map[string]Backend
}

// Register adds b; registering a name twice is a programming error.
func (r *Registry) Register(b Backend) {
	if r.byName == nil {
		r.byName = map[string]Backend{}
	}
	if _, dup := r.byName[b.Name()]; dup {
		panic(fmt.Sprintf("backend %q registered twice", b.Name()))
	}
	r.byName[b.Name()] = b
}

// Lookup returns the backend called name.
func (r *Registry) Lookup(name string) (Backend, bool) {
	b, ok := r.byName[name]
	return b, ok
}

// Names lists the registered backends in sorted order.
func (r *Registry) Names() []string {
	out := make([]string, 0, len(r.byName))
	for n := range r.byName {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Selected returns the networks a request asks for, in file order, and an
// error naming the unknown ones.
func (req *Request) Selected() ([]*ir.Network, error) {
	if len(req.Networks) == 0 {
		return req.Model.Networks, nil
	}
	want := map[string]bool{}
	for _, n := range req.Networks {
		want[n] = true
	}
	var out []*ir.Network
	for _, n := range req.Model.Networks {
		if want[n.Name] {
			out = append(out, n)
			delete(want, n.Name)
		}
	}
	if len(want) > 0 {
		var missing []string
		for n := range want {
			missing = append(missing, n)
		}
		sort.Strings(missing)
		declared := req.Model.NetworkNames()
		msg := fmt.Sprintf("no network `%s` in %s", strings.Join(missing, "`, `"), req.Source)
		if s := diag.Suggest(missing[0], declared); s != "" {
			msg += fmt.Sprintf("; did you mean `%s`?", s)
		}
		return nil, fmt.Errorf("%s (its networks: %s)", msg, strings.Join(declared, ", "))
	}
	return out, nil
}
