// Package conformance holds the end-to-end tests of the compiler core: the
// golden corpus under testdata/corpus (valid models with their summaries,
// invalid models annotated with `# ERROR "regexp"`), the outcome table of
// the peer examples, the published parameter counts of classic models, and
// the benchmarks of `neuralgen check`.
package conformance
