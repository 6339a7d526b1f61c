// Package vek is a benchmark, not a library: it multiplies the two matrix
// products of one training step of the blog's network, X·A (200×30·30×100)
// and Xᵀ·G (30×200·200×100), with github.com/viterin/vek v0.4.3 and with
// every kernel of package kernel that the build has, in one run, so that the
// comparison BENCHMARKS.md quotes can be reproduced:
//
//	cd bench/vek && go test -tags openblas -run XXX -bench . -cpu 1,2 -count 8
//
// It is a module of its own so that vek is no dependency of igr. vek's
// MatMul_Into has no transposed operands, so Xᵀ is stored once, before the
// timing, as a constant input of a network would be; vek splits a product
// among goroutines above 100,000 multiply-adds (both products here), so
// -cpu 1 and -cpu 2 time it on one core and on two. The kernels of package
// kernel run on the calling goroutine.
package vek
