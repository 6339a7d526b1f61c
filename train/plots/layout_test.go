package plots_test

import (
	"image/color"
	"math"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/plot/vg"

	"github.com/igr-project/igr/train/plots"
	"github.com/igr-project/igr/train/plots/plotstest"
)

// blogSweep is a sweep shaped as the blog's: flat at small learning rates,
// a dip near the edge of divergence, diverged runs beyond it.
func blogSweep(shift float64) []plots.SweepPoint {
	var pts []plots.SweepPoint
	for _, lr := range plotstest.BlogLRs() {
		pt := plots.SweepPoint{LR: lr, TestMSE: plotstest.BlogTestMSE(lr, shift), Status: "converged"}
		if math.IsNaN(pt.TestMSE) {
			pt.TestMSE, pt.Status = math.Inf(1), "diverged"
		}
		pts = append(pts, pt)
	}
	return pts
}

// curve returns n points of f over [lo, hi] on a log axis.
func curve(name string, color int, lo, hi float64, f func(float64) float64) plots.Curve {
	c := plots.Curve{Name: name, Color: color}
	for i := range 60 {
		x := lo * math.Pow(hi/lo, float64(i)/59)
		c.Steps, c.Values = append(c.Steps, x), append(c.Values, f(x))
	}
	return c
}

// The legend of every kind of figure covers none of its data, measured on
// what was drawn, whichever corner is free, and also when none is.
func TestLegendsCoverNoData(t *testing.T) {
	type figure struct {
		fig     plots.Figure
		entries []string
	}
	figures := map[string]func() (figure, error){
		"sweep": func() (figure, error) {
			p, err := plots.Sweep("t", blogSweep(0), plots.Reference{Name: "constant predictor 1", Value: 2.5})
			return figure{p, []string{"converged", "diverged (drawn at top)", "constant predictor 1"}}, err
		},
		"sweeps": func() (figure, error) {
			p, err := plots.Sweeps("t", []plots.SweepSeries{{Name: "a", Points: blogSweep(0)}, {Name: "b", Points: blogSweep(-0.02)}},
				plots.Reference{Name: "reference", Value: 0.002})
			return figure{p, []string{"a", "b", "diverged (drawn at top)", "reference"}}, err
		},
		"data": func() (figure, error) {
			var train, test plots.XY
			for i := range 100 {
				x := -3 + 6*float64(i)/99
				train.X, train.Y = append(train.X, x), append(train.Y, x*x)
				test.X, test.Y = append(test.X, x+0.01), append(test.Y, (x+0.01)*(x+0.01))
			}
			p, err := plots.Data(train, test)
			return figure{p, []string{"train", "test"}}, err
		},
		// Lines through all four corners: the legend has to go outside.
		"curves in every corner": func() (figure, error) {
			p, err := plots.Curves("t", "MSE", []plots.Curve{
				curve("rising", 0, 1, 1e4, func(x float64) float64 { return x }),
				curve("falling", 1, 1, 1e4, func(x float64) float64 { return 1e4 / x }),
			})
			return figure{p, []string{"rising", "falling"}}, err
		},
		"band": func() (figure, error) {
			var bands []plots.Band
			for _, pt := range blogSweep(0) {
				b := plots.Band{LR: pt.LR, Lo: pt.TestMSE / 3, Mid: pt.TestMSE, Hi: pt.TestMSE * 3, Runs: 5}
				if pt.Status == "diverged" {
					b = plots.Band{LR: pt.LR, Lo: math.NaN(), Mid: math.NaN(), Hi: math.NaN(), Runs: 5, Diverged: 5}
				}
				bands = append(bands, b)
			}
			p, err := plots.SweepBand("t", bands, plots.Reference{Name: "constant predictor 1", Value: 2.5})
			return figure{p, []string{"median", "min–max", "some seeds diverged", "constant predictor 1"}}, err
		},
	}
	for name, make := range figures {
		f, err := make()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := plotstest.CheckLegend(f.fig, f.entries...); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// When no corner of the data area is free, the legend goes above the data,
// and, when it is too tall for that, beside it.
func TestLegendOutsideTheData(t *testing.T) {
	crossing := []plots.Curve{
		curve("rising", 0, 1, 1e4, func(x float64) float64 { return x }),
		curve("falling", 1, 1, 1e4, func(x float64) float64 { return 1e4 / x }),
	}
	p, err := plots.Curves("t", "MSE", crossing)
	if err != nil {
		t.Fatal(err)
	}
	d := plotstest.Draw(p)
	legend, err := d.Legend("rising", "falling")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range d.Marks {
		if c, ok := m.Color.(color.RGBA); ok && (c == plots.Palette[0] || c == plots.Palette[1]) && m.Box.Max.Y > legend.Max.Y {
			t.Errorf("a short legend at %v is not above the data (%v)", legend, m)
			break
		}
	}

	// Twenty-four crossing curves: a legend too tall to go above.
	var many []plots.Curve
	var names []string
	for i := range 24 {
		name := "curve " + strconv.Itoa(i)
		k := float64(i)
		many = append(many, curve(name, i, 1, 1e4, func(x float64) float64 { return math.Pow(x, 1-k/12) }))
		names = append(names, name)
	}
	if p, err = plots.Curves("t", "MSE", many); err != nil {
		t.Fatal(err)
	}
	if err := plotstest.CheckLegend(p, names...); err != nil {
		t.Error(err)
	}
	d = plotstest.Draw(p)
	if legend, err = d.Legend(names...); err != nil {
		t.Fatal(err)
	}
	if legend.Max.Y-legend.Min.Y < 0.25*plots.Height {
		t.Fatalf("the legend of 24 entries is %v high: not a tall legend", legend.Max.Y-legend.Min.Y)
	}
	for _, x := range d.XLabels() {
		if x.Box.Max.X > legend.Min.X {
			t.Errorf("the tall legend at %v is not right of the x axis (label %q at %v)", legend, x.String, x.Box)
		}
	}
}

// The diverged runs of different series are drawn at different heights,
// so that each series' crosses can be seen.
func TestDivergedRunsOfSeriesDoNotHideEachOther(t *testing.T) {
	var series []plots.SweepSeries
	for i := range 4 {
		series = append(series, plots.SweepSeries{Name: strconv.Itoa(i), Points: blogSweep(0)})
	}
	p, err := plots.Sweeps("t", series)
	if err != nil {
		t.Fatal(err)
	}
	d := plotstest.Draw(p)
	legend, err := d.Legend("0", "1", "2", "3", "diverged (drawn at top)")
	if err != nil {
		t.Fatal(err)
	}
	crosses := d.Crosses(legend)
	diverged := 0
	for _, pt := range blogSweep(0) {
		if pt.Status == "diverged" {
			diverged++
		}
	}
	if want := diverged * len(series); len(crosses) != want {
		t.Fatalf("%d crosses drawn, want %d", len(crosses), want)
	}
	if err := plotstest.Overlapping(crosses); err != nil {
		t.Errorf("crosses of two series: %v", err)
	}
}

// A linear axis is labelled at a step of 1, 2 or 5 times a power of ten,
// with 4 to 10 labels, each the value it marks.
func TestLinearTicks(t *testing.T) {
	for _, r := range [][2]float64{{0.001, 0.146}, {-3.2, 2.87}, {0, 1150}, {8, 46}, {10, 200}, {0.01, 0.03}, {1e-4, 1}, {-5e6, 3e7}, {0.5, 0.51}} {
		var labels []float64
		for _, tk := range plots.LinearTicks.Ticks(r[0], r[1]) {
			if tk.Value < r[0] || tk.Value > r[1] {
				t.Errorf("%v: tick at %g outside the range", r, tk.Value)
			}
			if tk.Label == "" {
				continue
			}
			v, err := strconv.ParseFloat(tk.Label, 64)
			if err != nil || math.Abs(v-tk.Value) > 1e-9*math.Max(1, math.Abs(v)) {
				t.Errorf("%v: label %q at %g", r, tk.Label, tk.Value)
			}
			labels = append(labels, v)
		}
		if len(labels) < 4 || len(labels) > 10 {
			t.Errorf("%v: %d labels %v, want 4 to 10", r, len(labels), labels)
			continue
		}
		step := labels[1] - labels[0]
		e := math.Floor(math.Log10(step))
		if m := step / math.Pow(10, e); math.Abs(m-1) > 1e-6 && math.Abs(m-2) > 1e-6 && math.Abs(m-5) > 1e-6 {
			t.Errorf("%v: step %g is not 1, 2 or 5 times a power of ten", r, step)
		}
		for i := 1; i < len(labels); i++ {
			if math.Abs(labels[i]-labels[i-1]-step) > 1e-9*step {
				t.Errorf("%v: labels %v not evenly spaced", r, labels)
				break
			}
		}
	}
}

// On the sweep figure, the learning rates of the blog's grid can be read off
// the x axis: seven or more labels, at a step no larger than 0.02, apart
// from each other; the log y axis is labelled apart too.
func TestSweepAxesAreReadable(t *testing.T) {
	p, err := plots.Sweep("t", blogSweep(0), plots.Reference{Name: "constant predictor 1", Value: 2.5})
	if err != nil {
		t.Fatal(err)
	}
	d := plotstest.Draw(p)
	x, y := d.XLabels(), d.YLabels()
	if len(x) < 7 {
		t.Errorf("x labels %v: fewer than 7", texts(x))
	}
	if len(x) >= 2 {
		a, _ := strconv.ParseFloat(x[0].String, 64)
		b, _ := strconv.ParseFloat(x[1].String, 64)
		if b-a > 0.02+1e-12 {
			t.Errorf("x labels %v: step %g", texts(x), b-a)
		}
	}
	if len(y) < 3 {
		t.Errorf("y labels %v: fewer than 3", texts(y))
	}
	for _, labels := range [][]plotstest.Text{x, y} {
		if err := plotstest.Apart(labels, 2); err != nil {
			t.Error(err)
		}
	}
}

// A log axis over many decades labels at most ten of them, apart.
func TestLogAxisOverManyDecades(t *testing.T) {
	p, err := plots.Curves("t", "distance", []plots.Curve{curve("error", 0, 0.001, 0.1, func(x float64) float64 { return 1e-16 * math.Pow(x/0.001, 8) })})
	if err != nil {
		t.Fatal(err)
	}
	y := plotstest.Draw(p).YLabels()
	if len(y) < 4 || len(y) > 10 {
		t.Errorf("%d y labels %v over 16 decades, want 4 to 10", len(y), texts(y))
	}
	if err := plotstest.Apart(y, 2); err != nil {
		t.Error(err)
	}
}

// Every marker of the data figure is drawn whole: inside the canvas, clear
// of the title and of the axes' labels.
func TestDataMarkersAreWhole(t *testing.T) {
	train := plots.XY{X: []float64{-3.2, 0, 2.87}, Y: []float64{10.3, 0, 8.2}}
	test := plots.XY{X: []float64{-3, 1, 2.5}, Y: []float64{9, 1, 6.25}}
	p, err := plots.Data(train, test)
	if err != nil {
		t.Fatal(err)
	}
	d := plotstest.Draw(p)
	legend, err := d.Legend("train", "test")
	if err != nil {
		t.Fatal(err)
	}
	markers := 0
	for _, m := range d.Marks {
		if (m.Color != plots.Palette[0] && m.Color != plots.Palette[1]) || inside(m.Box, legend) {
			continue
		}
		markers++
		if m.Box.Min.X < 1 || m.Box.Min.Y < 1 || m.Box.Max.X > d.Size.X-1 || m.Box.Max.Y > d.Size.Y-1 {
			t.Errorf("a marker at %v is cut by the edge of the canvas %v", m.Box, d.Size)
		}
		for _, tx := range d.Texts {
			if m.Box.Min.X < tx.Box.Max.X && tx.Box.Min.X < m.Box.Max.X && m.Box.Min.Y < tx.Box.Max.Y && tx.Box.Min.Y < m.Box.Max.Y {
				t.Errorf("a marker at %v is under the text %q", m.Box, tx.String)
			}
		}
	}
	// A ring is one stroke, a cross two.
	if want := len(train.X) + 2*len(test.X); markers != want {
		t.Errorf("%d marks of markers drawn, want %d", markers, want)
	}
}

func inside(a, b vg.Rectangle) bool {
	return a.Min.X >= b.Min.X && a.Max.X <= b.Max.X && a.Min.Y >= b.Min.Y && a.Max.Y <= b.Max.Y
}

func texts(drawn []plotstest.Text) []string {
	var out []string
	for _, t := range drawn {
		out = append(out, t.String)
	}
	return out
}

// The legend of a heat map stays on the canvas, clear of the map and of
// its colour bar.
func TestHeatMapLegendCoversNothing(t *testing.T) {
	z := make([][]float64, 10)
	marks := make([][]plots.Mark, 10)
	edge := make([]int, 10)
	var rows, cols []string
	for c := range 40 {
		cols = append(cols, strconv.Itoa(c))
	}
	for r := range z {
		rows = append(rows, strconv.Itoa(r))
		z[r], marks[r] = make([]float64, 40), make([]plots.Mark, 40)
		edge[r] = 10 + 2*r
		for c := range z[r] {
			z[r][c] = math.Pow(10, -3+float64(c)/20)
			switch {
			case c > edge[r]:
				z[r][c], marks[r][c] = math.NaN(), plots.AllDiverged
			case c == edge[r]:
				marks[r][c] = plots.SomeDiverged
			case c == 0:
				marks[r][c] = plots.Capped
			}
		}
	}
	f, err := plots.HeatMap(plots.Heat{Grid: plots.Grid{Title: "t", XLabel: "x", YLabel: "y", Columns: cols, Rows: rows}, Z: z, Marks: marks, Edge: edge, EdgeName: "first diverging lr", ZLabel: "test MSE"})
	if err != nil {
		t.Fatal(err)
	}
	if err := plotstest.CheckLegend(f, "all runs diverged", "some runs diverged", "step cap reached", "first diverging lr"); err != nil {
		t.Error(err)
	}
}

// Long labels on log axes leave the data area under the title and along
// the right edge, as short ones do, and are drawn beside the data.
func TestLongLogAxisLabelsKeepTheDataInPlace(t *testing.T) {
	c := curve("regularizer", 0, 10, 1e5, func(x float64) float64 { return 0.02 / (1 + x/1e4) })
	p, err := plots.Curves("Title", "label-noise regularizer (ησ²/n²) Σ |grad P(x_i)|²", []plots.Curve{c})
	if err != nil {
		t.Fatal(err)
	}
	p.X.Label.Text = "lambda (λ of the penalty λ‖∇L‖², of explicit GD)"
	d := plotstest.Draw(p)
	var title plotstest.Text
	for _, tx := range d.Texts {
		if tx.String == "Title" {
			title = tx
		}
	}
	top, right := vg.Length(0), vg.Length(0)
	for _, m := range d.Marks {
		if m.Color == plots.Palette[0] {
			top, right = max(top, m.Box.Max.Y), max(right, m.Box.Max.X)
		}
	}
	if gap := title.Box.Min.Y - top; gap > 20 {
		t.Errorf("the curve's highest point is %v below the title", gap)
	}
	if gap := d.Size.X - right; gap > 20 {
		t.Errorf("the curve's rightmost point is %v left of the right edge", gap)
	}
	svg := svgText(t, p)
	for _, label := range []string{p.X.Label.Text, p.Y.Label.Text} {
		if !strings.Contains(svg, label) {
			t.Errorf("the label %q is not drawn", label)
		}
	}
}
