package curvature_test

import (
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/igr-project/igr/graph"
	"github.com/igr-project/igr/internal/random"
	"github.com/igr-project/igr/train/curvature"
	"github.com/igr-project/igr/train/dataset"
)

// blogHessian is the Hessian of the training MSE of the blog's network (n =
// 200, d = 30, m = 100: 3,100 parameters) at the project's seed-0 data and
// initialization, with b drawn too so that the Hessian has no zero block.
func blogHessian(b *testing.B) *curvature.Hessian {
	arch := graph.Quadratic{Dim: 30, Width: 100}
	data, err := dataset.Generate(random.New(0, random.Data), 200, 30)
	if err != nil {
		b.Fatal(err)
	}
	p := arch.Init(random.New(0, random.Init))
	random.New(1, random.Init).FillNormal(p.Data(1), 0, 0.1)
	h, err := curvature.NewHessian(arch, data.Train.Inputs(30), data.Train.Targets(), p, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { h.Close() })
	return h
}

// BenchmarkSpectrum measures each method on the blog's network: a
// Hessian-vector product, the top 1 and 5 eigenpairs and the most negative
// eigenvalue by the Lanczos method from random starts (products/op is what
// they cost in products), Hutchinson's trace with 100 probes, and the dense
// Hessian with its whole spectrum, which must agree with the Lanczos
// method's top 5 and bottom eigenvalues within 1e-8 relative (the log says
// by how much they do). Run the dense one alone, once: it takes about a
// minute.
func BenchmarkSpectrum(b *testing.B) {
	h := blogHessian(b)
	ctx := context.Background()
	b.Run("product", func(b *testing.B) {
		v, out := normals(h.Len(), 1), make([]float64, h.Len())
		for b.Loop() {
			if err := h.Apply(out, v); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, c := range []struct {
		name string
		k    int
		top  bool
	}{{"top1", 1, true}, {"top5", 5, true}, {"bottom1", 1, false}} {
		b.Run(c.name, func(b *testing.B) {
			var e *curvature.Eigenpairs
			var err error
			for b.Loop() {
				if c.top {
					e, err = curvature.Top(ctx, h, c.k, nil)
				} else {
					e, err = curvature.Bottom(ctx, h, c.k, nil)
				}
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(e.Products), "products/op")
		})
	}
	b.Run("trace", func(b *testing.B) {
		for b.Loop() {
			if _, err := curvature.Trace(ctx, h, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("dense", func(b *testing.B) {
		var sp *curvature.Spectrum
		var err error
		for b.Loop() {
			if sp, err = curvature.Dense(ctx, h, nil); err != nil {
				b.Fatal(err)
			}
		}
		top, err := curvature.Top(ctx, h, 5, nil)
		if err != nil {
			b.Fatal(err)
		}
		bottom, err := curvature.Bottom(ctx, h, 1, nil)
		if err != nil {
			b.Fatal(err)
		}
		var worst float64
		for i, v := range top.Values {
			worst = math.Max(worst, math.Abs(v-sp.Values[i])/math.Abs(sp.Values[i]))
		}
		last := sp.Values[len(sp.Values)-1]
		worst = math.Max(worst, math.Abs(bottom.Values[0]-last)/math.Abs(last))
		if worst > 1e-8 {
			b.Errorf("Lanczos and the dense spectrum differ by %.3g relative: top %v, dense %v; bottom %v, dense %v",
				worst, top.Values, sp.Values[:5], bottom.Values[0], last)
		}
		b.Logf("λ₁ … λ₅ = %.12g, λₙ = %.12g, trace %.10g, asymmetry of the products %.2g; Lanczos within %.2g relative",
			sp.Values[:5], last, sp.Trace(), sp.Asymmetry, worst)
	})
}

// BenchmarkTracker runs 400 steps of gradient descent on the blog's network
// (seed-0 data and initialization, b = 0) at lr 0.01 and 0.09, measuring the
// top eigenvalue with a Tracker every step or every 10 steps, each step taken
// from the tracked products' pass (DescendLoss) or from the same objective.
// products/measure is the mean number of Hessian-vector products of a
// measurement after the first (a cold start), and max-rel-err the largest
// relative error of the tracked value against the Lanczos method to
// DefaultTol at every fifth measurement.
func BenchmarkTracker(b *testing.B) {
	arch := graph.Quadratic{Dim: 30, Width: 100}
	data, err := dataset.Generate(random.New(0, random.Data), 200, 30)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for _, lr := range []float64{0.01, 0.09} {
		for _, every := range []int{1, 10} {
			b.Run(fmt.Sprintf("lr=%g/every=%d", lr, every), func(b *testing.B) {
				var perMeasure, worst float64
				for b.Loop() {
					p := arch.Init(random.New(0, random.Init))
					h, err := curvature.NewHessian(arch, data.Train.Inputs(30), data.Train.Targets(), p, nil)
					if err != nil {
						b.Fatal(err)
					}
					exact, err := curvature.NewHessian(arch, data.Train.Inputs(30), data.Train.Targets(), p, nil)
					if err != nil {
						b.Fatal(err)
					}
					tracker, err := curvature.NewTracker(h, nil)
					if err != nil {
						b.Fatal(err)
					}
					first, measures := 0, 0
					worst = 0
					for step := range 400 {
						o := h.Objective()
						if step%every == 0 {
							v, _, err := tracker.Measure(ctx)
							if err != nil {
								b.Fatal(err)
							}
							if step == 0 {
								first = tracker.Products()
							}
							if measures%5 == 0 {
								ref, err := curvature.Top(ctx, exact, 1, nil)
								if err != nil {
									b.Fatal(err)
								}
								worst = math.Max(worst, math.Abs(v-ref.Values[0])/ref.Values[0])
							}
							measures++
						} else if err := o.Run(); err != nil {
							b.Fatal(err)
						}
						o.DescendLoss(lr)
					}
					perMeasure = float64(tracker.Products()-first) / float64(measures-1)
					h.Close()
					exact.Close()
				}
				b.ReportMetric(perMeasure, "products/measure")
				b.ReportMetric(worst, "max-rel-err")
			})
		}
	}
}
