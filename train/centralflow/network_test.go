package centralflow_test

import (
	"context"
	"math"
	"testing"

	"github.com/igr-project/igr/graph"
	"github.com/igr-project/igr/internal/random"
	"github.com/igr-project/igr/train/centralflow"
	"github.com/igr-project/igr/train/dataset"
)

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

// newNetwork returns the Network of arch on data at p, closed with the test.
func newNetwork(t testing.TB, arch graph.Architecture, data *dataset.Set, p graph.Params, s *centralflow.NetworkSettings) *centralflow.Network {
	t.Helper()
	net, err := centralflow.NewNetwork(arch, data, p, s)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { net.Close() })
	return net
}

// sharpnessProbe is a Network that also measures, independently of the
// flow, the true sharpness at every point where the flow takes a gradient
// (every substep), by its own warm-started eigensolve.
type sharpnessProbe struct {
	*centralflow.Network
	max  float64
	warm [][]float64
}

func (s *sharpnessProbe) Gradient(w, grad []float64) (float64, error) {
	vals, vecs, err := s.Network.TopEigenpairs(context.Background(), w, 1, s.warm)
	if err != nil {
		return 0, err
	}
	s.warm, s.max = vecs, math.Max(s.max, vals[0])
	return s.Network.Gradient(w, grad)
}
