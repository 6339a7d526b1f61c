package experiment

import (
	"fmt"
	"math"

	"gonum.org/v1/plot"

	"github.com/igr-project/igr/train/dataset"
	"github.com/igr-project/igr/train/plots"
)

// The standard figures, each drawn from the rows of a table in one call, as
// the experiments draw them into their output folders. plots.PNG and
// plots.SVG turn a figure into bytes or a string for a notebook.

// DataFigure draws y against x0 for the training and test sets.
func DataFigure(d *dataset.Set) (*plot.Plot, error) {
	column := func(x []float64) []float64 {
		out := make([]float64, len(x)/d.Dim)
		for i := range out {
			out[i] = x[i*d.Dim]
		}
		return out
	}
	return plots.Data(plots.XY{X: column(d.Train.X), Y: d.Train.Y}, plots.XY{X: column(d.Test.X), Y: d.Test.Y})
}

// SweepFigure draws test MSE against learning rate, with the constant
// predictor's test MSE as a reference line (none if NaN).
func SweepFigure(rows []RunRow, constantTestMSE float64) (*plot.Plot, error) {
	pts := make([]plots.SweepPoint, len(rows))
	for i, r := range rows {
		pts[i] = plots.SweepPoint{LR: r.LR, TestMSE: r.TestMSE, Status: string(r.Status)}
	}
	return plots.Sweep("Test MSE after GD to train MSE < tol", pts,
		plots.Reference{Name: "constant predictor 1", Value: constantTestMSE})
}

// CurvesFigure draws the training (solid) and test (dashed) MSE along the
// named runs of a history.
func CurvesFigure(title string, history []HistoryRow, runs ...string) (*plot.Plot, error) {
	var curves []plots.Curve
	for i, run := range runs {
		train := plots.Curve{Name: run + " train", Color: i}
		test := plots.Curve{Name: run + " test", Color: i, Dashed: true}
		for _, h := range history {
			if h.Run != run {
				continue
			}
			train.Steps = append(train.Steps, float64(h.Step))
			train.Values = append(train.Values, h.TrainMSE)
			test.Steps = append(test.Steps, float64(h.Step))
			test.Values = append(test.Values, h.TestMSE)
		}
		curves = append(curves, train, test)
	}
	return plots.Curves(title, "MSE", curves)
}

// RegularizerFigure draws the label-noise regularizer recorded along the
// named runs of a history.
func RegularizerFigure(title string, history []HistoryRow, runs ...string) (*plot.Plot, error) {
	var curves []plots.Curve
	for i, run := range runs {
		c := plots.Curve{Name: run, Color: i}
		for _, h := range history {
			if h.Run == run {
				c.Steps = append(c.Steps, float64(h.Step))
				c.Values = append(c.Values, h.LabelNoiseReg)
			}
		}
		curves = append(curves, c)
	}
	return plots.Curves(title, "label-noise regularizer (ησ²/n²) Σ |grad P(x_i)|²", curves)
}

// TrajectoryFigure draws each method's distance from implicit GD against the
// time t, relative to how far implicit GD moved.
func TrajectoryFigure(rows []TrajectoryRow, eta, h float64) (*plot.Plot, error) {
	var curves []plots.Curve
	index := map[string]int{}
	for _, r := range rows {
		i, ok := index[r.Method]
		if !ok {
			i = len(curves)
			index[r.Method] = i
			curves = append(curves, plots.Curve{Name: r.Method, Color: i + 1})
		}
		curves[i].Steps = append(curves[i].Steps, r.T)
		curves[i].Values = append(curves[i].Values, r.Relative)
	}
	p, err := plots.Curves(fmt.Sprintf("Distance from implicit GD (η=%g), small steps h=%g", eta, h),
		"distance / implicit GD's whole move", curves)
	if err != nil {
		return nil, err
	}
	p.X.Label.Text = "time t = steps × step size"
	p.Legend.Top = true
	return p, nil
}

// CompareSweepFigure draws test MSE against η for implicit GD with step η and
// for explicit GD with step h and λ = η/4, and when the rows have them for
// minibatch SGD with step η and explicit GD with step h on the SGD
// regularizer.
func CompareSweepFigure(rows []SweepCompareRow) (*plot.Plot, error) {
	var series []plots.SweepSeries
	index := map[string]int{}
	for _, r := range rows {
		k, ok := index[r.Method]
		if !ok {
			k = len(series)
			index[r.Method] = k
			name := "implicit: GD, step η"
			switch r.Method {
			case MethodExplicitGradNorm:
				name = fmt.Sprintf("explicit: GD, step %g, λ = η/4", r.StepSize)
			case MethodSGD:
				name = "SGD, step η"
			case MethodExplicitSGD:
				name = fmt.Sprintf("explicit SGD: GD, step %g, (η/4) E‖∇L_B‖²", r.StepSize)
			}
			series = append(series, plots.SweepSeries{Name: name})
		}
		series[k].Points = append(series[k].Points, plots.SweepPoint{LR: r.Eta, TestMSE: r.TestMSE, Status: string(r.Status)})
	}
	p, err := plots.Sweeps("Implicit vs explicit regularization: test MSE", series)
	if err != nil {
		return nil, err
	}
	p.X.Label.Text = "η (step of implicit GD; λ = η/4 of explicit GD)"
	return p, nil
}

// MapFigure draws a map as a heat map: the median test MSE of every cell on a
// log colour scale beside its colour bar; cells in which every run diverged
// are crossed, some diverged marked with a plus, cells that only reached the
// step cap ringed, and, when x is the learning rate, a line left of the
// first diverging learning rate of every row.
func MapFigure(s *MapSummary, cells []MapCell) (*plots.HeatMapFigure, error) {
	ys := s.rowValues()
	h := plots.Heat{
		Title:  fmt.Sprintf("%s: %s\n%s", mapStatistic(s), axisTitle(s), s.describe()),
		XLabel: axisLabel(s.X.Name),
		YLabel: axisLabel(s.Y.Name),
		ZLabel: "test MSE",
		Z:      make([][]float64, len(ys)),
		Marks:  make([][]plots.Mark, len(ys)),
	}
	h.Columns, h.Rows = tickLabels(s.X.Values), tickLabels(ys)
	if s.Y.Name == "" {
		h.Rows = []string{""}
	}
	col := map[float64]int{}
	for i, x := range s.X.Values {
		col[x] = i
	}
	row := map[float64]int{}
	for i, y := range ys {
		row[y] = i
		h.Z[i] = make([]float64, len(s.X.Values))
		h.Marks[i] = make([]plots.Mark, len(s.X.Values))
		for j := range h.Z[i] {
			h.Z[i][j] = math.NaN()
		}
	}
	if s.X.Name == "lr" {
		h.Edge, h.EdgeName = make([]int, len(ys)), "first diverging lr"
		for i, r := range s.Rows {
			h.Edge[i] = -1
			if c, ok := col[float64(r.FirstDivergedLR)]; ok {
				h.Edge[i] = c
			}
		}
	}
	for _, c := range cells {
		i, ok1 := row[c.Y]
		j, ok2 := col[c.X]
		if !ok1 || !ok2 {
			continue
		}
		h.Z[i][j] = c.Median
		switch {
		case c.Diverged > 0 && c.Diverged == c.Seeds:
			h.Marks[i][j] = plots.AllDiverged
		case c.Diverged > 0:
			h.Marks[i][j] = plots.SomeDiverged
		case c.Converged+c.Completed == 0 && c.MaxSteps > 0:
			h.Marks[i][j] = plots.Capped
		}
	}
	return plots.HeatMap(h)
}

// MapLinesFigure draws a map as curves: the median test MSE against x, one
// curve per row, with the constant predictor's test MSE and, if the map has
// one, the reference sweep's best as reference lines.
func MapLinesFigure(s *MapSummary, cells []MapCell) (*plot.Plot, error) {
	ys := s.rowValues()
	series := make([]plots.SweepSeries, len(ys))
	index := map[float64]int{}
	for i, y := range ys {
		index[y] = i
		if s.Y.Name != "" {
			series[i].Name = fmt.Sprintf("%s %g", s.Y.Name, y)
		}
	}
	finished := "converged"
	if s.Steps > 0 {
		finished = "completed"
	}
	for _, c := range cells {
		i, ok := index[c.Y]
		if !ok {
			continue
		}
		status := finished
		switch {
		case !math.IsNaN(c.Median):
		case c.Diverged > 0:
			status = "diverged"
		default:
			status = "max_steps"
		}
		series[i].Points = append(series[i].Points, plots.SweepPoint{LR: c.X, TestMSE: c.Median, Status: status})
	}
	refs := []plots.Reference{{Name: "constant predictor 1", Value: float64(s.ConstantTestMSE)}}
	if s.Reference != nil {
		refs = append(refs, plots.Reference{Name: s.Reference.Name, Value: float64(s.Reference.TestMSE)})
	}
	p, err := plots.Sweeps(fmt.Sprintf("%s against %s\n%s", mapStatistic(s), s.X.Name, s.describe()), series, refs...)
	if err != nil {
		return nil, err
	}
	p.X.Label.Text = axisLabel(s.X.Name)
	if lo, hi := minMax(s.X.Values); lo > 0 && hi/lo >= 100 {
		p.X.Scale, p.X.Tick.Marker = plot.LogScale{}, plots.LogTicks
	}
	return p, nil
}

// tickLabels labels the values of an axis of a heat map: on a log-spaced
// axis (values over two decades or more) only its powers of ten, if it has
// two or more; otherwise every value.
func tickLabels(values []float64) []string {
	labels := make([]string, len(values))
	powers := 0
	lo, hi := minMax(values)
	for i, v := range values {
		labels[i] = plots.ValueLabel(v)
		if e := math.Log10(v); lo > 0 && hi/lo >= 100 && math.Abs(e-math.Round(e)) < 1e-9 {
			powers++
		}
	}
	if powers < 2 {
		return labels
	}
	for i, v := range values {
		if e := math.Log10(v); math.Abs(e-math.Round(e)) >= 1e-9 {
			labels[i] = ""
		}
	}
	return labels
}

// mapStatistic names what a map's figures show.
func mapStatistic(s *MapSummary) string {
	if s.Seeds > 1 {
		return fmt.Sprintf("Test MSE, median of %d seeds", s.Seeds)
	}
	return "Test MSE"
}

// axisTitle names the axes of a map, "lr × width".
func axisTitle(s *MapSummary) string {
	if s.Y.Name == "" {
		return s.X.Name
	}
	return s.X.Name + " × " + s.Y.Name
}

// axisLabel labels an axis with its hyperparameter's help.
func axisLabel(name string) string {
	for _, h := range Hyperparameters {
		if h.Name == name {
			return name + " (" + h.Help + ")"
		}
	}
	return name
}

func minMax(v []float64) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, x := range v {
		lo, hi = math.Min(lo, x), math.Max(hi, x)
	}
	return lo, hi
}

// TermCurve selects a term recorded along a run of a history: Term is the
// history.csv column, label_noise_reg, sgd_reg or sgd_noise_reg.
type TermCurve struct {
	Run, Term string
}

// historyTerms reads the term columns of a history row.
var historyTerms = map[string]func(*HistoryRow) float64{
	"label_noise_reg": func(h *HistoryRow) float64 { return h.LabelNoiseReg },
	"sgd_reg":         func(h *HistoryRow) float64 { return h.SGDReg },
	"sgd_noise_reg":   func(h *HistoryRow) float64 { return h.SGDNoiseReg },
}

// TermsFigure draws terms recorded along runs of a history against the
// step, one curve per TermCurve: a color per run, a dash per term.
func TermsFigure(title, ylabel string, history []HistoryRow, curves ...TermCurve) (*plot.Plot, error) {
	runs, terms := map[string]int{}, map[string]int{}
	var out []plots.Curve
	for _, tc := range curves {
		value, ok := historyTerms[tc.Term]
		if !ok {
			return nil, fmt.Errorf("experiment: %q is not a term of history.csv", tc.Term)
		}
		if _, ok := runs[tc.Run]; !ok {
			runs[tc.Run] = len(runs)
		}
		if _, ok := terms[tc.Term]; !ok {
			terms[tc.Term] = len(terms)
		}
		c := plots.Curve{Name: tc.Run + " " + tc.Term, Color: runs[tc.Run], Dashed: terms[tc.Term] > 0}
		for i := range history {
			if h := &history[i]; h.Run == tc.Run {
				c.Steps = append(c.Steps, float64(h.Step))
				c.Values = append(c.Values, value(h))
			}
		}
		out = append(out, c)
	}
	return plots.Curves(title, ylabel, out)
}
