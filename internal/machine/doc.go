// Package machine runs a differentiated Gorgonia graph fast, step after step.
//
// New takes the nodes a training step reads (the loss and its gradients, or
// any other roots) after the last call to Grad and builds a Machine:
//
//   - Copy copies only what the roots depend on into a fresh graph, so the
//     work Grad does that nothing reads (dL/dX for constant data,
//     derivatives with respect to constants and targets) is dropped.
//   - Every op that implements gorgonia.UsePreallocDoer is wrapped so that it
//     writes into an output buffer it owns: a step allocates no tensors.
//   - Every 2-D float matrix product becomes a gemmOp and the elementwise
//     arithmetic (+ − × ÷) on float tensors an elementwiseOp, both computed
//     by the default kernel of package kernel (AVX2 assembly, gonum or
//     OpenBLAS), reading transposed operands in place. Gorgonia's ops are
//     recognized by reading their unexported fields through reflection, as
//     Gorgonia v0.9.18 lays them out; an op laid out otherwise (another
//     Gorgonia) is not recognized and runs as Gorgonia's own.
//   - The graph is compiled into a program (program.go): Gorgonia's ops in
//     Gorgonia's topological order, called on the calling goroutine. What
//     depends on no input (the seeds of backpropagation, sizes) is computed
//     once at compile time.
//   - The program is rewritten to make fewer passes over memory (fuse.go):
//     an elementwise product with outer products is computed without storing
//     them, x + x becomes a factor 2 on the op that computes x, (x + y) + z
//     is one pass, and values whose lifetimes do not overlap share buffers.
//
// Only the roots' values are kept: Machine.Value refuses any other node,
// whose buffer a later op may have reused.
//
// Every rewrite computes the same correctly rounded operations in the same
// order, so a Machine's results are bit-identical to those of Gorgonia's tape
// machine running the original graph with the same kernel
// (TestMachineEqualsTapeMachine, which also covers the explicit regularizer's
// graph). The Machine still is a Gorgonia program: the same ops, or ops that
// do the work of several of them, compiled from the same graph, for any
// architecture. Machine.String lists what a run executes.
//
// Copy with zero Options is also how a graph that was differentiated once
// gets differentiated again: Gorgonia's Grad can be called only once per
// graph, so the loss and its gradient are copied into a fresh graph, where a
// penalty built from the gradient can be added and Grad called once more.
//
// What each piece is worth is measured by BenchmarkMachineStep against
// BenchmarkTapeMachineStep here, and by the step benchmarks of packages graph
// and regularizer (BENCHMARKS.md).
package machine
