package experiment

import (
	"fmt"

	"github.com/igr-project/igr/train/dataset"
	"github.com/igr-project/igr/train/plots"
)

// The standard figures, each drawn from the rows of a table in one call, as
// the experiments draw them into their output folders. plots.PNG and
// plots.SVG turn a figure into bytes or a string for a notebook.

// DataFigure draws y against x0 for the training and test sets.
func DataFigure(d *dataset.Set) (*plots.Plot, error) {
	column := func(x []float64) []float64 {
		out := make([]float64, len(x)/d.Dim)
		for i := range out {
			out[i] = x[i*d.Dim]
		}
		return out
	}
	return plots.Data(plots.XY{X: column(d.Train.X), Y: d.Train.Y}, plots.XY{X: column(d.Test.X), Y: d.Test.Y})
}

// CurvesFigure draws the training (solid) and test (dashed) MSE along the
// named runs of a history.
func CurvesFigure(title string, history []HistoryRow, runs ...string) (*plots.Plot, error) {
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
func RegularizerFigure(title string, history []HistoryRow, runs ...string) (*plots.Plot, error) {
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
func TermsFigure(title, ylabel string, history []HistoryRow, curves ...TermCurve) (*plots.Plot, error) {
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
