package archtest

import (
	"github.com/igr-project/igr/graph"
)

// All returns the architectures derivatives are checked on, at input
// dimension d and width m: those of Variety, then the linear model (whose
// loss is quadratic, so that its third derivatives vanish), with and
// without a scale, and TwoLayerLinear of width m, whose inputs are
// one-dimensional (the input dimension of an architecture is the row count
// of its first parameter).
func All(d, m int) []graph.Architecture {
	return append(Variety(d, m), graph.Linear{Dim: d}, graph.Linear{Dim: d, Scale: 2}, TwoLayerLinear{Width: m})
}
