package centralflow_test

import (
	"context"
	"testing"

	"github.com/igr-project/igr/train/centralflow"
)

// BenchmarkUnitOfTime compares the cost of one unit of time, one GD step,
// on the small network (n = 40, d = 5, m = 10, 60 parameters) at η = 0.035:
// gd is the step w ← w − η∇L(w) on the same graph; central is the central
// flow's Advance by 1 from a point on the edge (one critical eigenvalue), its
// four Euler substeps each with a gradient, eigenpairs, a third derivative
// and an inner problem. Run both in one invocation (-count interleaves them)
// and compare the medians.
func BenchmarkUnitOfTime(b *testing.B) {
	arch, data, p := smallProblem(b, 40, 5, 10, 1)
	net := newNetwork(b, arch, data, p, nil)
	const eta = 0.035
	b.Run("gd", func(b *testing.B) {
		w := p.Flat()
		grad := make([]float64, len(w))
		for b.Loop() {
			if _, err := net.Gradient(w, grad); err != nil {
				b.Fatal(err)
			}
			for i := range w {
				w[i] -= eta * grad[i]
			}
		}
	})
	b.Run("central", func(b *testing.B) {
		in, err := centralflow.New(context.Background(), net, p.Flat(), &centralflow.Settings{LearningRate: eta})
		if err != nil {
			b.Fatal(err)
		}
		ctx := context.Background()
		if err := in.Advance(ctx, 20); err != nil { // onto the edge
			b.Fatal(err)
		}
		before := in.Stats()
		for b.Loop() {
			if err := in.Advance(ctx, 1); err != nil {
				b.Fatal(err)
			}
		}
		after := in.Stats()
		if after.MaxCritical < 1 {
			b.Fatal("the flow is not at the edge")
		}
		n := float64(b.N)
		b.ReportMetric(float64(after.Substeps-before.Substeps)/n, "substeps/op")
		b.ReportMetric(float64(after.Eigensolves-before.Eigensolves)/n, "eigensolves/op")
		b.ReportMetric(float64(after.ThirdDerivatives-before.ThirdDerivatives)/n, "g_ij/op")
		b.ReportMetric(float64(after.InnerIterations-before.InnerIterations)/float64(max(1, after.InnerSolves-before.InnerSolves)), "inner-iters/solve")
	})
}
