package graph

import (
	"fmt"

	G "gorgonia.org/gorgonia"
)

// Architecture is a model family whose predictions are built as a Gorgonia
// expression. Implementations must be safe to use from several goroutines: all
// state of a run lives in its Params and its graph, never in the Architecture.
type Architecture interface {
	// Name identifies the architecture in outputs, for example "quadratic".
	Name() string

	// Params lists the trainable parameters with their shapes, in the order
	// Init returns them and Predict receives them.
	Params() []ParamSpec

	// Init draws initial parameter values from src.
	Init(src NormalSource) Params

	// Predict builds the predictions, an n×1 matrix, for the inputs x, an
	// n×d matrix, from parameter nodes shaped as Params says.
	Predict(x *G.Node, params []*G.Node) (*G.Node, error)
}

// ParamSpec names one trainable parameter, a Rows×Cols matrix.
type ParamSpec struct {
	Name       string
	Rows, Cols int
}

// Size is the number of entries of the parameter.
func (p ParamSpec) Size() int { return p.Rows * p.Cols }

// NormalSource fills slices with independent normal draws. The project's own
// generator and the PyTorch-compatible one both implement it, so a model's
// initialization is the same whichever generator a run uses.
type NormalSource interface {
	FillNormal(dst []float64, mean, std float64)
}

// CheckParams reports whether p has the number and shapes of parameters that
// arch declares.
func CheckParams(arch Architecture, p Params) error {
	specs := arch.Params()
	if len(p) != len(specs) {
		return fmt.Errorf("graph: %s has %d parameters, got %d", arch.Name(), len(specs), len(p))
	}
	for i, s := range specs {
		if sh := p[i].Shape(); len(sh) != 2 || sh[0] != s.Rows || sh[1] != s.Cols {
			return fmt.Errorf("graph: %s parameter %s must be %d×%d, got shape %v", arch.Name(), s.Name, s.Rows, s.Cols, p[i].Shape())
		}
	}
	return nil
}

// divideByScale divides out by scale unless scale is 0 or 1.
func divideByScale(out *G.Node, scale float64) (*G.Node, error) {
	if scale == 0 || scale == 1 {
		return out, nil
	}
	s := Constant(out, scale, fmt.Sprintf("scale%g", scale))
	r, err := G.HadamardDiv(out, s)
	if err != nil {
		return nil, fmt.Errorf("graph: divide by scale: %w", err)
	}
	return r, nil
}
