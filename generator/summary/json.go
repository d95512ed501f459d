package summary

import (
	"encoding/json"
	"io"

	"github.com/rules-neural/rules_neural/generator/ir"
)

// The JSON types follow DESIGN.md §3 exactly; tools depend on the field
// names and order.

type jsonModel struct {
	Networks []jsonNetwork `json:"networks"`
}

type jsonNetwork struct {
	Name               string      `json:"name"`
	Inputs             []jsonInput `json:"inputs"`
	OutputShape        jsonShape   `json:"output_shape"`
	Layers             []jsonLayer `json:"layers"`
	TrainableParams    int64       `json:"trainable_params"`
	NonTrainableParams int64       `json:"non_trainable_params"`
	TotalParams        int64       `json:"total_params"`
}

type jsonInput struct {
	Name  string    `json:"name"`
	Shape jsonShape `json:"shape"`
}

type jsonLayer struct {
	Name        string    `json:"name"`
	Type        string    `json:"type"`
	OutputShape jsonShape `json:"output_shape"`
	Params      int64     `json:"params"`
}

// jsonShape is a shape with its leading batch dimension: [null, 26, 26, 32].
// null stands for the batch and for unknown dimensions; a shape that was not
// inferred is null as a whole.
type jsonShape []*int

func toJSONShape(s ir.Shape) jsonShape {
	if s == nil {
		return nil
	}
	out := make(jsonShape, 1, len(s)+1)
	for _, d := range s {
		if d == ir.Unknown {
			out = append(out, nil)
			continue
		}
		d := d
		out = append(out, &d)
	}
	return out
}

// WriteJSON prints the summary of every network of m as one JSON document.
func WriteJSON(w io.Writer, m *ir.Model) error {
	doc := jsonModel{Networks: make([]jsonNetwork, 0, len(m.Networks))}
	for _, net := range m.Networks {
		jn := jsonNetwork{
			Name:   net.Name,
			Inputs: make([]jsonInput, 0, len(net.Inputs)),
			Layers: make([]jsonLayer, 0, len(net.Nodes)),
		}
		for _, in := range net.Inputs {
			jn.Inputs = append(jn.Inputs, jsonInput{Name: in.Name, Shape: toJSONShape(in.Shape)})
		}
		if net.Output != nil {
			jn.OutputShape = toJSONShape(net.Output.Shape)
		}
		for _, n := range net.Nodes {
			jn.Layers = append(jn.Layers, jsonLayer{
				Name:        n.Name,
				Type:        n.Type,
				OutputShape: toJSONShape(n.Shape),
				Params:      n.Trainable + n.NonTrainable,
			})
		}
		jn.TrainableParams, jn.NonTrainableParams = Totals(net)
		jn.TotalParams = jn.TrainableParams + jn.NonTrainableParams
		doc.Networks = append(doc.Networks, jn)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}
