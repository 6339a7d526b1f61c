// Package kernel holds the numeric kernels the training step runs on — the
// matrix products, the elementwise arithmetic and the fused passes package
// machine makes of it, the gradient step — and chooses among them.
//
// A Kernel computes C = alpha·op(A)·op(B) for row-major float64 and float32
// matrices. Three exist:
//
//   - AVX2: this package's own amd64 assembly, generated with avo from
//     _asm/main.go. Register tiles of 6 rows by 8 float64 (16 float32)
//     columns accumulate with fused multiply-adds while a panel of B stays in
//     L1; A and Aᵀ are read in place through two strides, so the constant
//     inputs of a network are never transposed; matrix–vector products of a
//     row-major A are dot-product kernels. It needs AVX2 and FMA.
//   - Gonum: gonum's pure-Go BLAS, everywhere.
//   - OpenBLAS: OpenBLAS through cgo, in builds with -tags openblas.
//
// Every element of C is one sum over l = 0, 1, …, k−1 in a fixed order that
// depends only on the shapes, never on threads or scheduling, so results are
// reproducible. Kernels differ from each other by rounding only. The
// elementwise kernels (Elementwise64, OuterHadamard64, Sum3_64, Descend64
// and their float32 twins) compute every element as the same sequence of
// correctly rounded operations, each rounded on its own, as Go's operators
// written with every product rounded before it is added or subtracted (an
// explicit conversion, float64(x*y), which keeps the compiler from fusing a
// product and a sum into one multiply-add, as it may on arm64 and with
// GOAMD64=v3): their results are the same bit for bit in every kernel, in
// every build and on every CPU.
//
// Every exported entry checks its lengths, strides and leading dimensions
// against the shapes it is given and panics with a message that names the
// offending argument, as gonum's BLAS does, before it reads or writes any
// element: a kernel never reads or writes outside the slices it is passed.
//
// Default is the fastest kernel available on this CPU in this build; the
// environment variable IGR_KERNEL (EnvVar) forces one by name, for example
// IGR_KERNEL=gonum, and -tags purego leaves the assembly out of the build.
// Features lists what the CPU offers, for the record of what computed a
// result.
package kernel
