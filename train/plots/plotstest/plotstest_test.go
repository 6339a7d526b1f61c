package plotstest_test

import (
	"strings"
	"testing"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/igr-project/igr/train/plots/plotstest"
)

// legendOver returns a gonum plot of data with a one-entry legend "data"
// at the top, shifted right by x points.
func legendOver(t *testing.T, x vg.Length, data plot.Plotter) *plot.Plot {
	t.Helper()
	p := plot.New()
	p.Add(data)
	p.Legend.Add("data", data.(plot.Thumbnailer))
	p.Legend.Top, p.Legend.Left, p.Legend.XOffs = true, true, x
	return p
}

// A line whose ends are far from the legend but which passes under it, a
// filled area around the legend, and a legend over nothing.
func TestCheckLegend(t *testing.T) {
	line, err := plotter.NewLine(plotter.XYs{{X: 0, Y: 0}, {X: 0.5, Y: 0.99}, {X: 1, Y: 0.99}})
	if err != nil {
		t.Fatal(err)
	}
	if err := plotstest.CheckLegend(legendOver(t, 150, line), "data"); err == nil || !strings.Contains(err.Error(), "covers 1 marks") {
		t.Errorf("a line under the legend: %v", err)
	}
	area, err := plotter.NewPolygon(plotter.XYs{{X: 0, Y: 0}, {X: 1, Y: 0}, {X: 1, Y: 1}, {X: 0, Y: 1}})
	if err != nil {
		t.Fatal(err)
	}
	area.LineStyle.Width = 0
	if err := plotstest.CheckLegend(legendOver(t, 150, area), "data"); err == nil {
		t.Error("a legend inside a filled area: no error")
	}
	low, err := plotter.NewLine(plotter.XYs{{X: 0, Y: 0}, {X: 1, Y: 0.5}})
	if err != nil {
		t.Fatal(err)
	}
	if err := plotstest.CheckLegend(legendOver(t, 0, low), "data"); err != nil {
		t.Errorf("a legend above a line: %v", err)
	}
	if err := plotstest.CheckLegend(legendOver(t, 0, low), "other"); err == nil {
		t.Error("a legend that was not drawn was found")
	}
}

// The labels of the axes are the numbers drawn lowest and leftmost.
func TestAxisLabels(t *testing.T) {
	p := plot.New()
	line, err := plotter.NewLine(plotter.XYs{{X: 0, Y: 0}, {X: 10, Y: 100}})
	if err != nil {
		t.Fatal(err)
	}
	p.Add(line)
	p.Y.Tick.Marker = plot.ConstantTicks{{Value: 0, Label: "0"}, {Value: 50, Label: "50"}, {Value: 100, Label: "100"}}
	p.X.Tick.Marker = plot.ConstantTicks{{Value: 2, Label: "2"}, {Value: 8, Label: "8"}}
	d := plotstest.Draw(p)
	if x, y := len(d.XLabels()), len(d.YLabels()); x != 2 || y != 3 {
		t.Errorf("%d x labels and %d y labels, want 2 and 3", x, y)
	}
	if err := plotstest.Apart(d.YLabels(), 2); err != nil {
		t.Error(err)
	}
	if err := plotstest.Apart(append(d.XLabels(), d.XLabels()[0]), 2); err == nil {
		t.Error("a label on itself: apart")
	}
}
