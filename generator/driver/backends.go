package driver

import (
	"github.com/rules-neural/rules_neural/generator/backend"
	"github.com/rules-neural/rules_neural/generator/backend/pytorch"
)

// Backends returns the registry of the built-in backends, registered
// explicitly (no init() side effects), for `neuralgen compile --backend`.
func Backends() *backend.Registry {
	r := &backend.Registry{}
	r.Register(pytorch.New())
	return r
}
