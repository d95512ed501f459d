package main

import (
	"fmt"
	"strings"

	"github.com/rules-neural/rules_neural/generator/graph"
)

var graphCommand = &command{
	name:    "graph",
	args:    "[--format dot|mermaid] FILE",
	summary: "draw each network's architecture as Graphviz DOT or Mermaid",
	detail: `Graph checks FILE and prints the graph of each network: its inputs, one
node per layer labelled "name: Type" with the output shape, and an edge
for every tensor a layer consumes. Wrapped layers (TimeDistributed,
Bidirectional) are listed inside their wrapper's node. Several networks
become one subgraph each.

Render DOT with Graphviz (neuralgen graph m.neural | dot -Tsvg > m.svg);
paste Mermaid into Markdown inside a mermaid code block.`,
	run: runGraph,
}

func runGraph(e *env, c *command, args []string) int {
	fs := newFlagSet(c)
	formatName := fs.String("format", string(graph.DOT), "output format: "+formatNames())
	files, code, done := e.parseFlags(c, fs, args)
	if done {
		return code
	}
	format, ok := graph.ParseFormat(*formatName)
	if !ok {
		return e.usageError(c, "unknown --format %q: want %s", *formatName, formatNames())
	}
	if len(files) != 1 {
		return e.usageError(c, "expected exactly one FILE, got %d", len(files))
	}
	model := e.checkOne(files[0])
	if model == nil {
		return exitError
	}
	if err := graph.Write(e.stdout, model, format); err != nil {
		fmt.Fprintf(e.stderr, "neuralgen graph: %v\n", err)
		return exitError
	}
	return exitOK
}

func formatNames() string {
	names := make([]string, len(graph.Formats))
	for i, f := range graph.Formats {
		names[i] = string(f)
	}
	return strings.Join(names, " or ")
}
