package machine

import (
	G "gorgonia.org/gorgonia"

	"github.com/igr-project/igr/internal/kernel"
	_ "github.com/igr-project/igr/internal/kernel/cblas" // OpenBLAS, with -tags openblas
)

// Gorgonia's own matrix products (those of graphs run by its tape machine,
// and of ops this package does not rewrite) use the default kernel too, so
// that one kernel computes every product of a process.
func init() { G.Use(kernel.Default().BLAS()) }
