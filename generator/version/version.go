// Package version holds the compiler's version and the version of the
// runtime contract that generated code is built against.
package version

// Version is the neuralgen release. Generated files carry it in their header.
const Version = "0.1.0"

// RuntimeContract is the version of the interface between generated code and
// the runtime libraries (runtime/go, runtime/python). It changes only when
// generated code needs a runtime that older runtimes cannot serve, so that
// the runtime can refuse mismatched generated code with a clear message.
const RuntimeContract = 1
