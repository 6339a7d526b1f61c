package plots_test

import (
	"bytes"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/igr-project/igr/train/plots"
)

// A sweep with diverged runs: their test errors are Inf or NaN, which
// gonum/plot rejects, so they are drawn as crosses along the top edge.
func ExampleSweep() {
	points := []plots.SweepPoint{
		{LR: 0.01, TestMSE: 0.66, Status: "converged"},
		{LR: 0.05, TestMSE: 0.20, Status: "converged"},
		{LR: 0.09, TestMSE: 0.004, Status: "converged"},
		{LR: 0.11, TestMSE: math.Inf(1), Status: "diverged"},
		{LR: 0.13, TestMSE: math.NaN(), Status: "diverged"},
	}
	p, err := plots.Sweep("Test MSE after GD", points, plots.Reference{Name: "constant predictor", Value: 2.5})
	if err != nil {
		fmt.Println(err)
		return
	}
	png, err := plots.Encode(p, "png")
	fmt.Println(err == nil && bytes.HasPrefix(png, []byte("\x89PNG")))
	// Output: true
}

// svgText returns the SVG of p, in which every text drawn appears verbatim.
func svgText(t *testing.T, p plots.Figure) string {
	t.Helper()
	b, err := plots.Encode(p, "svg")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestSweepMarksEveryStatus(t *testing.T) {
	p, err := plots.Sweep("t", []plots.SweepPoint{
		{LR: 0.1, TestMSE: 1, Status: "max_steps"},
		{LR: 0.2, TestMSE: math.Inf(1), Status: "diverged"},
		{LR: 0.05, TestMSE: 0.5, Status: "converged"},
		{LR: 0.3, TestMSE: math.NaN(), Status: "converged"}, // non-finite: drawn with the diverged
	})
	if err != nil {
		t.Fatal(err)
	}
	svg := svgText(t, p)
	for _, want := range []string{"converged", "max_steps", "diverged (drawn at top)"} {
		if !strings.Contains(svg, want) {
			t.Errorf("the figure does not show %q", want)
		}
	}
	for _, f := range []string{"png", "svg", "pdf"} {
		if _, err := plots.Encode(p, f); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}

func TestSweepOfDivergedRunsOnly(t *testing.T) {
	p, err := plots.Sweep("t", []plots.SweepPoint{{LR: 1, TestMSE: math.NaN(), Status: "diverged"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := plots.Encode(p, "png"); err != nil {
		t.Error(err)
	}
}

func TestCurvesDropWhatLogAxesCannotShow(t *testing.T) {
	p, err := plots.Curves("t", "MSE", []plots.Curve{
		{Name: "a", Steps: []float64{0, 1, 2, 3}, Values: []float64{1, 0, math.NaN(), 0.5}},
		{Name: "empty", Steps: []float64{0}, Values: []float64{1}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if svg := svgText(t, p); !strings.Contains(svg, ">a<") || strings.Contains(svg, "empty") {
		t.Error("want a legend entry for the curve with drawable points only")
	}
	if _, err := plots.Curves("t", "MSE", []plots.Curve{{Name: "x", Steps: []float64{0}, Values: []float64{1}}}); err == nil {
		t.Error("a figure with nothing to draw: no error")
	}
}

func TestPowerLabels(t *testing.T) {
	for v, want := range map[float64]string{1e-6: "1e-6", 0.001: "0.001", 0.02: "0.02", 1: "1", 50: "50", 1e4: "10000", 1e5: "1e5", 2e-5: "2e-5"} {
		if got := plots.PowerLabel(v); got != want {
			t.Errorf("label of %g: %q, want %q", v, got, want)
		}
	}
}

// A heat map of test MSE over learning rate × width: one cell diverged, one
// has no value; the line marks the first diverging learning rate of a row.
func ExampleHeatMap() {
	f, err := plots.HeatMap(plots.Heat{
		Grid: plots.Grid{
			Title:   "Test MSE",
			XLabel:  "lr",
			YLabel:  "width",
			Columns: []string{"0.01", "0.05", "0.1"},
			Rows:    []string{"10", "100"},
		},
		Z:      [][]float64{{0.5, 0.01, math.NaN()}, {0.6, 0.002, 0.001}},
		Marks:  [][]plots.Mark{{plots.NoMark, plots.NoMark, plots.AllDiverged}, {}},
		Edge:   []int{2, -1},
		ZLabel: "test MSE",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	png, err := plots.PNG(f)
	fmt.Println(err == nil && bytes.HasPrefix(png, []byte("\x89PNG")))
	// Output: true
}

func TestHeatMapRejectsMismatchedShapes(t *testing.T) {
	for _, h := range []plots.Heat{
		{},
		{Grid: plots.Grid{Columns: []string{"a"}, Rows: []string{"1", "2"}}, Z: [][]float64{{1}}},
		{Grid: plots.Grid{Columns: []string{"a", "b"}, Rows: []string{"1", "2"}}, Z: [][]float64{{1, 2}, {3}}},
	} {
		if _, err := plots.HeatMap(h); err == nil {
			t.Errorf("heat map of %d rows, %d columns, %v accepted", len(h.Rows), len(h.Columns), h.Z)
		}
	}
}
