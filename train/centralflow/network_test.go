package centralflow_test

import (
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/igr-project/igr/graph"
	"github.com/igr-project/igr/internal/random"
	"github.com/igr-project/igr/train/centralflow"
	"github.com/igr-project/igr/train/dataset"
)

// denseNetwork is a Network whose eigenpairs come from its dense Hessian,
// assembled column by column from exact Hessian-vector products: a test
// double for small networks.
type denseNetwork struct{ *centralflow.Network }

func (d denseNetwork) hessian(w []float64) (*mat.SymDense, error) {
	n := d.Len()
	cols := make([][]float64, n)
	e := make([]float64, n)
	for j := 0; j < n; j++ {
		e[j] = 1
		cols[j] = make([]float64, n)
		if err := d.HessianVectorProduct(w, e, cols[j]); err != nil {
			return nil, err
		}
		e[j] = 0
	}
	h := mat.NewSymDense(n, nil)
	for i := 0; i < n; i++ {
		for j := i; j < n; j++ {
			h.SetSym(i, j, (cols[i][j]+cols[j][i])/2)
		}
	}
	return h, nil
}

func (d denseNetwork) TopEigenpairs(w []float64, k int, warm [][]float64) ([]float64, [][]float64, error) {
	h, err := d.hessian(w)
	if err != nil {
		return nil, nil, err
	}
	return topOfDense(h, k, warm)
}

// smallProblem is the blog's task at a small size: n examples in d
// dimensions, y = x0², the quadratic network of width m, from seed.
func smallProblem(t testing.TB, n, d, m int, seed uint64) (graph.Quadratic, *dataset.Set, graph.Params) {
	t.Helper()
	data, err := dataset.Generate(random.New(seed, random.Data), n, d)
	if err != nil {
		t.Fatal(err)
	}
	arch := graph.Quadratic{Dim: d, Width: m}
	return arch, data, arch.Init(random.New(seed, random.Init))
}

func newDense(t testing.TB, arch graph.Architecture, data *dataset.Set, p graph.Params) denseNetwork {
	t.Helper()
	net, err := centralflow.NewNetwork(arch, data, p)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { net.Close() })
	return denseNetwork{net}
}
