package dataset

import (
	"fmt"

	"github.com/igr-project/igr/graph"
	"gorgonia.org/tensor"
)

// Set is a regression data set split into training and test examples.
type Set struct {
	Dim   int // input dimension d
	Train Split
	Test  Split
}

// Split is a block of examples: inputs X, row-major with Dim columns, and
// targets Y, one per row.
type Split struct {
	X []float64
	Y []float64
}

// Len is the number of examples.
func (s Split) Len() int { return len(s.Y) }

// Inputs returns X as an n×d matrix sharing the backing array.
func (s Split) Inputs(dim int) *tensor.Dense { return graph.NewMatrix(s.Len(), dim, s.X) }

// Targets returns Y as an n×1 matrix sharing the backing array.
func (s Split) Targets() *tensor.Dense { return graph.NewMatrix(s.Len(), 1, s.Y) }

// Generate draws the blog's task from src: 2n inputs x ~ N(0, I_dim), drawn as
// one row-major 2n×dim block, with targets y = x0²; the first n rows are the
// training set, the other n the test set.
func Generate(src graph.NormalSource, n, dim int) (*Set, error) {
	if n <= 0 || dim <= 0 {
		return nil, fmt.Errorf("dataset: need n > 0 and dim > 0, got n=%d dim=%d", n, dim)
	}
	x := make([]float64, 2*n*dim)
	src.FillNormal(x, 0, 1)
	y := make([]float64, 2*n)
	for i := range y {
		y[i] = x[i*dim] * x[i*dim]
	}
	return &Set{
		Dim:   dim,
		Train: Split{X: x[: n*dim : n*dim], Y: y[:n:n]},
		Test:  Split{X: x[n*dim:], Y: y[n:]},
	}, nil
}

// ConstantMSE returns the mean squared error on s of the predictor that
// always predicts c.
func ConstantMSE(s Split, c float64) float64 {
	var sum float64
	for _, y := range s.Y {
		sum += (c - y) * (c - y)
	}
	return sum / float64(len(s.Y))
}
