package compare

import (
	"math"
	"testing"

	"github.com/igr-project/igr/train"
	"github.com/igr-project/igr/train/plots/plotstest"
)

// The rows are shaped as compare -sweep's on the blog's problem: implicit
// GD flat, dipping near the edge and diverging beyond it; explicit GD at
// h = 0.01 flat at 0.66–0.72 over the whole grid.
func TestSweepFigureLayout(t *testing.T) {
	var rows []SweepRow
	for _, eta := range plotstest.BlogLRs() {
		implicit := SweepRow{Method: MethodImplicit, Eta: eta, StepSize: eta, Status: train.Converged, TestMSE: plotstest.BlogTestMSE(eta, 0)}
		if math.IsNaN(implicit.TestMSE) {
			implicit.Status, implicit.TestMSE = train.Diverged, math.Inf(1)
		}
		rows = append(rows, implicit, SweepRow{Method: MethodExplicitGradNorm, Eta: eta, StepSize: 0.01, Status: train.Converged,
			TestMSE: 0.66 + 0.06*math.Sin(eta*20)})
	}
	p, err := SweepFigure(rows)
	if err != nil {
		t.Fatal(err)
	}
	if err := plotstest.CheckLegend(p, "implicit: GD, step η", "explicit: GD, step 0.01, λ = η/4", "diverged (drawn at top)"); err != nil {
		t.Error(err)
	}
	if err := plotstest.CheckAxes(p, 7, 3); err != nil {
		t.Error(err)
	}
}

// The rows are shaped as compare's at η = 0.09, h = 0.01: the relative
// distance from implicit GD rises steeply to 0.7 by t = 0.3 and slowly
// after; the label-noise run, the longest, bends down at the end.
func TestTrajectoryFigureLayout(t *testing.T) {
	var rows []TrajectoryRow
	for _, m := range []struct {
		name string
		end  float64
	}{{MethodExplicitGradNorm, 30}, {MethodExplicitLabelNoise, 100}, {MethodPlainSmallStep, 30}} {
		for tt := 0.09; tt <= m.end; tt *= 1.05 {
			r := 0.1 * math.Pow(tt/0.09, 1.7)
			if tt > 0.27 {
				r = 0.7 + 0.06*math.Log(tt/0.27)
			}
			if m.name == MethodExplicitLabelNoise && tt > 10 {
				r -= 0.05 * math.Log(tt/10)
			}
			rows = append(rows, TrajectoryRow{Method: m.name, T: tt, Relative: r})
		}
	}
	p, err := TrajectoryFigure(rows, 0.09, 0.01)
	if err != nil {
		t.Fatal(err)
	}
	if err := plotstest.CheckLegend(p, MethodExplicitGradNorm, MethodExplicitLabelNoise, MethodPlainSmallStep); err != nil {
		t.Error(err)
	}
}
