// Package pytorch is the PyTorch backend: one Python module per network,
// an nn.Module with the network's exact layers plus the SPEC literal the
// rules_neural runtime trains it from. docs/backends/pytorch-contract.md is
// the contract between the generated module and the runtime;
// docs/backends/pytorch.md maps every layer.
package pytorch

import (
	"github.com/rules-neural/rules_neural/generator/backend"
	"github.com/rules-neural/rules_neural/generator/diag"
	"github.com/rules-neural/rules_neural/generator/ir"
)

// Backend generates PyTorch modules.
type Backend struct{}

// New returns the PyTorch backend.
func New() *Backend { return &Backend{} }

// Name is the value of `neuralgen compile --backend`.
func (*Backend) Name() string { return "pytorch" }

// Generate returns one `<snake_case(network)>.py` per selected network, in
// file order, or diagnostics at the layers and parameters PyTorch cannot
// express.
func (b *Backend) Generate(req *backend.Request) ([]backend.File, *diag.List) {
	diags := &diag.List{}
	nets, err := req.Selected()
	if err != nil {
		diags.Errorf(diag.At(diag.Pos{File: req.Source}), "%v", err)
		return nil, diags
	}
	var files []backend.File
	owner := map[string]*ir.Network{}
	for _, net := range nets {
		if net == nil {
			continue
		}
		name := snakeCase(net.Name) + ".py"
		if prev := owner[name]; prev != nil {
			diags.Errorf(net.Span, "pytorch backend: networks `%s` and `%s` both compile to %s; rename one",
				prev.Name, net.Name, name).WithRelated(prev.Span, "`%s` is declared here", prev.Name)
			continue
		}
		owner[name] = net
		assign, ok := assignment(net, req.HPOValues, diags)
		if !ok {
			continue
		}
		content, ok := generateModule(net, req.Source, assign, diags)
		if !ok {
			continue
		}
		files = append(files, backend.File{Name: name, Content: content})
	}
	diags.Normalize()
	if diags.HasErrors() {
		return nil, diags
	}
	return files, diags
}

// assignment pins the HPO values given with --hpo-values. Shapes and
// parameter counts were inferred at the defaults, so only values that do
// not change shapes can be pinned here; a searched value that changes
// shapes needs the search driver to re-run the compiler.
func assignment(net *ir.Network, pinned map[string]ir.Value, diags *diag.List) (ir.Assignment, bool) {
	if len(pinned) == 0 || len(net.HPOs) == 0 {
		return nil, true
	}
	a := make(ir.Assignment, len(net.HPOs))
	ok := true
	for _, h := range net.HPOs {
		v, found := pinned[h.Name]
		if !found {
			continue
		}
		if h.Shape && v.String() != h.Default().String() {
			diags.Errorf(h.Span, "pytorch backend: pinning `%s` to %s changes shapes, which this backend "+
				"cannot do after shape inference; only values that keep shapes can be pinned", h.Name, v.String())
			ok = false
			continue
		}
		a[h.ID] = v
	}
	return a, ok
}
