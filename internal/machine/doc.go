// Package machine runs a differentiated Gorgonia graph fast, step after step.
//
// New takes the nodes a training step reads (the loss and its gradients, or
// any other roots) after the last call to Grad and builds a Machine:
//
//   - Copy copies only what the roots depend on into a fresh graph, so the
//     work Grad does that nothing reads (dL/dX for constant data,
//     derivatives with respect to constants and targets) is dropped.
//   - Every op that implements gorgonia.UsePreallocDoer is wrapped so that it
//     writes into an output buffer it owns: a step allocates no tensors,
//     whatever the tape machine's Reset does to its registers.
//   - Every 2-D float matrix product becomes a gemmOp that calls BLAS with
//     transposition flags into its own buffer, without transposing its
//     inputs in place, and computes the vector-shaped products that gonum's
//     pure-Go Dgemm does one scalar at a time (n = 1, and k = 1 for A·Bᵀ)
//     with level-1 BLAS in the same order, bit for bit.
//   - The tape machine's program runs on the calling goroutine instead of
//     through RunAll, which starts a goroutine and locks an OS thread on
//     every call.
//
// The result is bit-identical to running the original graph with a tape
// machine, at about a third of the time per step (BenchmarkMachineStep against
// BenchmarkTapeMachineStep). The Machine still is a Gorgonia program: the same ops,
// compiled by Gorgonia, executed by Gorgonia's tape machine.
//
// Copy with zero Options is also how a graph that was differentiated once
// gets differentiated again: Gorgonia's Grad can be called only once per
// graph, so the loss and its gradient are copied into a fresh graph, where a
// penalty built from the gradient can be added and Grad called once more.
//
// The synchronous run reads the tape machine's unexported program through
// reflection, checked against the pinned gorgonia.org/gorgonia v0.9.18; if the
// layout ever differs, New falls back to RunAll and stays correct.
package machine
