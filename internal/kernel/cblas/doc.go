// Package cblas registers OpenBLAS, through cgo, as the kernel named
// kernel.OpenBLAS in builds with -tags openblas (which need libopenblas-dev).
// Without the tag it is empty. Importing it for its side effect is enough.
//
// OpenBLAS then also serves gonum's blas64 and blas32 packages and
// Gorgonia, and runs single-threaded: parallelism comes from training
// several runs at once.
package cblas
