package instruments

import (
	"math"
	"testing"

	"github.com/igr-project/igr/train/plots/plotstest"
)

// The rows below are shaped as the instruments' outputs on the blog's
// problem (seed 0): verify's errors grow as η² and η³ above an integration
// error that is flat and then rises; flow's distances dip near t = 0.1;
// sharpness falls from 46 to 8 in ten steps at lr 0.09 and settles at 15.

func TestVerifyFigureLayout(t *testing.T) {
	var rows []VerifyRow
	for k := range 9 {
		eta := 0.001 * math.Pow(10, float64(k)/4)
		integ := math.Max(3e-15, 1e-8*math.Pow(eta/0.1, 5.5))
		rows = append(rows, VerifyRow{Eta: eta, Plain: 1.375 * eta * eta, Modified: 3.33 * eta * eta * eta,
			PlainIntegration: integ, ModifiedIntegration: integ})
	}
	p, err := VerifyFigure(rows)
	if err != nil {
		t.Fatal(err)
	}
	if err := plotstest.CheckLegend(p, "GD step to flow of L", "GD step to flow of L + (η/4)|grad L|²", "integration error"); err != nil {
		t.Error(err)
	}
	if err := plotstest.CheckAxes(p, 3, 4); err != nil {
		t.Error(err)
	}
	if y := plotstest.Draw(p).YLabels(); len(y) > 10 {
		t.Errorf("%d labels on the y axis", len(y))
	}
}

func TestFlowFigureLayout(t *testing.T) {
	var rows []FlowRow
	for step := 1; step <= 1000; step++ {
		tt := 0.01 * float64(step)
		dip := math.Exp(-math.Pow((math.Log10(tt)+1.65)/0.3, 2))
		rows = append(rows, FlowRow{Step: step, T: tt,
			Plain:    0.0037 + 0.017*dip*float64(min(step, 3))/3 + 0.0075*(1-math.Exp(-math.Max(tt-0.1, 0)/2)),
			Modified: 0.00085 + 0.0055*dip*float64(min(step, 3))/3 + 0.00005*math.Log1p(tt)})
	}
	p, err := FlowFigure(rows, 0.01)
	if err != nil {
		t.Fatal(err)
	}
	if err := plotstest.CheckLegend(p, "GD to flow of L", "GD to flow of L + (η/4)|grad L|²"); err != nil {
		t.Error(err)
	}
}

func TestSharpnessFigureLayout(t *testing.T) {
	var rows []SharpnessRow
	for step := 0; step <= 1160; step += 10 {
		s := 46.0
		if step > 0 {
			s = 15 - 7*math.Exp(-float64(step-10)/150)
		}
		rows = append(rows, SharpnessRow{Step: step, T: 0.09 * float64(step), Sharpness: s, TwoOverEta: 2 / 0.09})
	}
	p, err := SharpnessFigure(rows, 0.09)
	if err != nil {
		t.Fatal(err)
	}
	if err := plotstest.CheckLegend(p, "GD", "2/η = 22.22"); err != nil {
		t.Error(err)
	}
	// Steps on a log axis, a label per decade; the sharpness on a linear one.
	if err := plotstest.CheckAxes(p, 4, 5); err != nil {
		t.Error(err)
	}
}
