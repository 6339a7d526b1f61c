package centralflow_test

import (
	"context"
	"testing"

	"github.com/igr-project/igr/graph"
	"github.com/igr-project/igr/train/centralflow"
	"github.com/igr-project/igr/train/flow"
)

// TestCentralFlowTracksGD runs gradient descent, gradient flow (train/flow,
// RK4) and the central flow from the same initialization, at a step where GD
// reaches the edge of stability from below, on the quadratic network at two
// sizes, and compares them at matched times (GD step k, gradient-flow time
// kη, central-flow time k). Wherever the central flow is on the edge it must
// be nearer GD than gradient flow is. The log has, at each time, both
// distances relative to how far GD moved, the sharpness of both, the central
// flow's predicted time-averaged loss against GD's loss averaged over the
// 21 steps around k, and the test MSE of both:
//
//	go test ./train/centralflow -run TestCentralFlowTracksGD -v
func TestCentralFlowTracksGD(t *testing.T) {
	for _, size := range []struct {
		name    string
		n, d, m int
		seed    uint64
		eta     float64
		times   []int
	}{
		{"small", 40, 5, 10, 1, 0.035, []int{5, 10, 20, 50, 100, 200, 400}},
		{"blog", 200, 30, 100, 0, 0.036, []int{20, 50, 100, 150}},
	} {
		t.Run(size.name, func(t *testing.T) {
			if size.name == "blog" && testing.Short() {
				t.Skip("a few seconds at the blog's size")
			}
			arch, data, p := smallProblem(t, size.n, size.d, size.m, size.seed)
			net := newNetwork(t, arch, data, p, nil)
			ctx := context.Background()
			last := size.times[len(size.times)-1]
			at := map[int]bool{}
			for _, k := range size.times {
				at[k] = true
			}
			// Gradient descent, and its loss at every step.
			w := p.Flat()
			grad := make([]float64, len(w))
			gd := map[int][]float64{}
			gdLoss := make([]float64, last+11)
			for k := 0; k < len(gdLoss); k++ {
				var err error
				if gdLoss[k], err = net.Gradient(w, grad); err != nil {
					t.Fatal(err)
				}
				if at[k] {
					gd[k] = append([]float64(nil), w...)
				}
				for i := range w {
					w[i] -= size.eta * grad[i]
				}
			}
			// Gradient flow, 8 RK4 steps per GD step.
			gfp := p.Clone()
			obj, err := graph.NewObjective(arch, data.Train.Inputs(data.Dim), data.Train.Targets(), gfp, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer obj.Close()
			gf, gfAt, prev := flow.New(obj, gfp), map[int][]float64{}, 0
			for _, k := range size.times {
				if err := gf.Advance(float64(k-prev)*size.eta, 8*(k-prev)); err != nil {
					t.Fatal(err)
				}
				gfAt[k], prev = gfp.Flat(), k
			}
			// The central flow.
			times := make([]float64, len(size.times))
			for i, k := range size.times {
				times[i] = float64(k)
			}
			cf, cfAt := map[int]centralflow.Point{}, map[int][]float64{}
			_, err = centralflow.Run(ctx, net, p.Flat(), times, &centralflow.Settings{LearningRate: size.eta}, func(pt centralflow.Point, w []float64) error {
				cf[int(pt.T)], cfAt[int(pt.T)] = pt, append([]float64(nil), w...)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			w0 := p.Flat()
			var warm [][]float64
			for _, k := range size.times {
				moved := distance(gd[k], w0)
				dCF, dGF := distance(gd[k], cfAt[k])/moved, distance(gd[k], gfAt[k])/moved
				var smoothed float64
				for j := max(0, k-10); j <= k+10; j++ {
					smoothed += gdLoss[j]
				}
				smoothed /= float64(k + 10 - max(0, k-10) + 1)
				sharp, vecs, err := net.TopEigenpairs(ctx, gd[k], 1, warm)
				if err != nil {
					t.Fatal(err)
				}
				warm = vecs
				testGD, _ := net.TestLoss(gd[k])
				pt := cf[k]
				t.Logf("t %3d: |GD−CF| %.3f, |GD−GF| %.3f of |GD−w0| = %.3g; η·S/2 GD %.4f, CF %.4f; loss GD %.3g (21-step mean %.3g), CF %.3g, predicted %.3g; test GD %.4g, CF %.4g",
					k, dCF, dGF, moved, sharp[0]*size.eta/2, pt.Sharpness*size.eta/2, gdLoss[k], smoothed, pt.Loss, pt.PredictedLoss, testGD, pt.TestLoss)
				if pt.Critical > 0 && !(dCF < dGF) {
					t.Errorf("t = %d, the central flow on the edge: %.3g from GD, gradient flow %.3g", k, dCF, dGF)
				}
			}
		})
	}
}
