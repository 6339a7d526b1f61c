package flow_test

import (
	"math"
	"testing"

	G "gorgonia.org/gorgonia"

	"github.com/igr-project/igr/graph"
	"github.com/igr-project/igr/train/flow"
)

// scalar is predict(x) = w x on one input: with one example x = 1, y = 0 the
// loss is w², the flow dw/dt = −2w, and w(t) = w(0) e^(−2t).
type scalar struct{}

func (scalar) Name() string                             { return "scalar" }
func (scalar) Params() []graph.ParamSpec                { return []graph.ParamSpec{{Name: "w", Rows: 1, Cols: 1}} }
func (scalar) Init(src graph.NormalSource) graph.Params { return graph.ZeroParams(scalar{}.Params()) }
func (scalar) Predict(x *G.Node, p []*G.Node) (*G.Node, error) {
	return G.Mul(x, p[0])
}

func TestExponentialDecay(t *testing.T) {
	p := graph.ZeroParams(scalar{}.Params())
	p.Data(0)[0] = 1.5
	o, err := graph.NewObjective(scalar{}, graph.NewMatrix(1, 1, []float64{1}), graph.NewMatrix(1, 1, []float64{0}), p, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	in := flow.New(o, p)
	var errs []float64
	for _, substeps := range []int{10, 20} {
		p.Data(0)[0] = 1.5
		if err := in.Advance(1, substeps); err != nil {
			t.Fatal(err)
		}
		errs = append(errs, math.Abs(p.Data(0)[0]-1.5*math.Exp(-2)))
	}
	if errs[1] > 1e-6 {
		t.Errorf("error after t = 1 with 20 substeps: %g", errs[1])
	}
	// Fourth order: halving the step divides the error by about 16.
	if r := errs[0] / errs[1]; r < 14 || r > 18 {
		t.Errorf("error ratio %g for half the step, want about 16 (errors %v)", r, errs)
	}
}
