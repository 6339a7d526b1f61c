package centralflow_test

import (
	"context"
	"testing"

	"github.com/igr-project/igr/train/centralflow"
)

// BenchmarkUnitOfTime compares the cost of one unit of time, one GD step, on
// the quadratic network at two sizes, each at a step where GD reaches the
// edge of stability from below: small (n = 40, d = 5, m = 10, 60
// parameters, η = 0.035) and blog (n = 200, d = 30, m = 100, 3,100
// parameters, η = 0.036). gd is the step w ← w − η∇L(w) on the same graph;
// central is the central flow's Advance by 1 from a point on the edge (one
// critical eigenvalue): four Euler substeps, each with a gradient, one third
// derivative g_11 and an inner problem, and one eigensolve of the tracked
// eigenpairs by warm-started Lanczos (Rayleigh quotients at the other three
// substeps); eigen-every-substep solves at every substep; differences
// computes g_11 from four Hessian-vector products instead of by automatic
// differentiation. Run them in one
// invocation with -count (the sub-benchmarks take turns) and compare medians.
func BenchmarkUnitOfTime(b *testing.B) {
	for _, size := range []struct {
		name        string
		n, d, m     int
		seed        uint64
		eta, toEdge float64
	}{
		{"small", 40, 5, 10, 1, 0.035, 20},
		{"blog", 200, 30, 100, 0, 0.036, 100},
	} {
		arch, data, p := smallProblem(b, size.n, size.d, size.m, size.seed)
		b.Run(size.name+"/gd", func(b *testing.B) {
			net := newNetwork(b, arch, data, p, nil)
			w := p.Flat()
			grad := make([]float64, len(w))
			for b.Loop() {
				if _, err := net.Gradient(w, grad); err != nil {
					b.Fatal(err)
				}
				for i := range w {
					w[i] -= size.eta * grad[i]
				}
			}
		})
		for _, variant := range []struct {
			name        string
			differences bool
			eigenEvery  int
		}{{"central", false, 0}, {"central-eigen-every-substep", false, 1}, {"central-differences", true, 0}} {
			settings := centralflow.Settings{LearningRate: size.eta, EigenEvery: variant.eigenEvery}
			b.Run(size.name+"/"+variant.name, func(b *testing.B) {
				net := newNetwork(b, arch, data, p, &centralflow.NetworkSettings{Differences: variant.differences})
				ctx := context.Background()
				in, err := centralflow.New(ctx, net, p.Flat(), &settings)
				if err != nil {
					b.Fatal(err)
				}
				if err := in.Advance(ctx, size.toEdge); err != nil {
					b.Fatal(err)
				}
				// Every 20 units the flow restarts from the same point on the
				// edge (untimed, with the cold start of its eigensolver), so
				// that every op is a unit of time there.
				edge := append([]float64(nil), in.W()...)
				var substeps, thirds, products int
				mark := func(sign int) {
					substeps += sign * in.Stats().Substeps
					thirds += sign * in.Stats().ThirdDerivatives
					products += sign * net.EigenProducts()
				}
				mark(-1)
				for b.Loop() {
					if in.T() >= size.toEdge+20 {
						b.StopTimer()
						mark(1)
						restart := settings
						restart.Start = size.toEdge
						if in, err = centralflow.New(ctx, net, edge, &restart); err != nil {
							b.Fatal(err)
						}
						mark(-1)
						b.StartTimer()
					}
					if err := in.Advance(ctx, 1); err != nil {
						b.Fatal(err)
					}
				}
				mark(1)
				n := float64(b.N)
				b.ReportMetric(float64(substeps)/n, "substeps/op")
				b.ReportMetric(float64(products)/n, "lanczos-products/op")
				b.ReportMetric(float64(thirds)/n, "g_ij/op")
			})
		}
	}
}
