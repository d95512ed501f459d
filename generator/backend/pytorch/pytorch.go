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
	"strings"
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
		// HPO values generate at their defaults; `--hpo-values` narrows them
		// before shape inference (driver.CheckPinned), so pinned values are
		// the defaults here, shape-changing ones included.
		content, ok := generateModule(net, req.Source, nil, diags)
		if !ok {
			continue
		}
		files = append(files, backend.File{Name: name, Content: content})
		if net.Searchable() {
			module := strings.TrimSuffix(name, ".py")
			imported := module
			if req.Module != "" {
				imported = req.Module
			}
			files = append(files, backend.File{
				Name: module + "_search.py", Content: generateSearch(net, req.Source, imported), Role: backend.SearchDriver,
			})
		}
	}
	diags.Normalize()
	if diags.HasErrors() {
		return nil, diags
	}
	return files, diags
}
