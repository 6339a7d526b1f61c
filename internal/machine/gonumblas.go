//go:build !openblas

package machine

// BLAS names the BLAS the build uses: gonum's pure-Go implementation, unless
// built with -tags openblas.
const BLAS = "gonum"
