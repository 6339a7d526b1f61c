package experiment

import (
	"math"
	"slices"

	"github.com/igr-project/igr/internal/tidycsv"
	"github.com/igr-project/igr/regularizer"
	"github.com/igr-project/igr/train"
)

// RunRow is one finished run: a row of sweep.csv or runs.csv.
type RunRow struct {
	Run        string       `csv:"run"` // what the run is, e.g. "label_noise"; empty in sweep.csv
	LR         float64      `csv:"lr"`
	Seed       uint64       `csv:"seed"`
	Scale      float64      `csv:"scale"`
	LabelNoise float64      `csv:"label_noise"`
	Status     train.Status `csv:"status"`
	Steps      int          `csv:"steps"`
	TrainMSE   float64      `csv:"train_mse"`
	TestMSE    float64      `csv:"test_mse"`
	GradNormSq float64      `csv:"grad_norm_sq"`
	// Batch is the batch size of minibatch SGD; 0 for full-batch GD.
	Batch int `csv:"batch"`
	// SGDReg is the SGD regularizer (η/4) E_B‖∇L_B‖² at the final
	// parameters, for η the run's learning rate and B its batch, where the
	// run records it (runs with a batch); NaN elsewhere.
	SGDReg float64 `csv:"sgd_reg"`
	// SharpnessInit and SharpnessFinal are the sharpness, the top
	// eigenvalue of the Hessian of the training MSE, at the initial and the
	// final parameters (train.Result); NaN where not finite, as at the end
	// of a diverged run.
	SharpnessInit  float64 `csv:"sharpness_init"`
	SharpnessFinal float64 `csv:"sharpness_final"`
}

// HistoryRow is one point along a run: a row of history.csv.
type HistoryRow struct {
	Run        string  `csv:"run"`
	LR         float64 `csv:"lr"`
	Step       int     `csv:"step"`
	Loss       float64 `csv:"loss"`
	TrainMSE   float64 `csv:"train_mse"`
	TestMSE    float64 `csv:"test_mse"`
	GradNormSq float64 `csv:"grad_norm_sq"`
	// LabelNoiseReg is the label-noise regularizer (ησ²/n²)Σ‖∇P(x_i)‖² on
	// the clean training set, where the run records it; NaN elsewhere.
	LabelNoiseReg float64 `csv:"label_noise_reg"`
	// SGDReg is the SGD regularizer (η/4) E_B‖∇L_B‖² and SGDNoiseReg its Γ
	// term (η/4)(n − B)/(B(n − 1)) Γ, the part batch sampling adds, on the
	// clean training set, where the run records them; NaN elsewhere.
	SGDReg      float64 `csv:"sgd_reg"`
	SGDNoiseReg float64 `csv:"sgd_noise_reg"`
	// Sharpness is the top eigenvalue of the Hessian of the training MSE
	// at the step, in runs that track it (-track-sharpness K: every K
	// steps, and at the first and last); NaN at the other points.
	Sharpness float64 `csv:"sharpness"`
}

var (
	runTable     = tidycsv.SchemaOf[RunRow]()
	historyTable = tidycsv.SchemaOf[HistoryRow]()
)

// The column sets of the tables. Runs with a batch size (minibatch SGD) add
// the columns of the SGD variants, runs that track their sharpness the
// sharpness column of history.csv; columns added later come last, so that
// readers of the earlier columns keep working.
var (
	runsBase       = []string{"run", "lr", "seed", "scale", "label_noise", "status", "steps", "train_mse", "test_mse", "grad_norm_sq"}
	runsSGD        = []string{"batch", "sgd_reg"}
	runsSharpness  = []string{"sharpness_init", "sharpness_final"}
	RunsColumns    = slices.Concat(runsBase, runsSharpness)
	RunsSGDColumns = slices.Concat(runsBase, runsSGD, runsSharpness)

	HistoryColumns    = []string{"run", "lr", "step", "loss", "train_mse", "test_mse", "grad_norm_sq", "label_noise_reg"}
	HistorySGDColumns = slices.Concat(HistoryColumns, []string{"sgd_reg", "sgd_noise_reg"})
)

// ColumnsFor returns plain, or sgd for runs with a batch size.
func ColumnsFor(batch int, plain, sgd []string) []string {
	if batch > 0 {
		return sgd
	}
	return plain
}

// HistoryColumnsFor returns the columns of history.csv for runs with batch
// size batch (0 for full batch) that track their sharpness or not.
func HistoryColumnsFor(batch int, tracked bool) []string {
	cols := ColumnsFor(batch, HistoryColumns, HistorySGDColumns)
	if tracked {
		cols = slices.Concat(cols, []string{"sharpness"})
	}
	return cols
}

// WriteRuns writes rows to path with the given columns (RunsColumns or
// RunsSGDColumns).
func WriteRuns(path string, columns []string, rows []RunRow) error {
	return runTable.WriteColumns(path, columns, rows)
}

// ReadRuns reads sweep.csv or runs.csv.
func ReadRuns(path string) ([]RunRow, error) { return runTable.Read(path) }

// HistoryFile is history.csv of rows, with the columns of runs with batch
// size batch that track their sharpness or not (HistoryColumnsFor).
func HistoryFile(batch int, tracked bool, rows []HistoryRow) File {
	return File{Name: "history.csv", Write: func(path string) error {
		return historyTable.WriteColumns(path, HistoryColumnsFor(batch, tracked), rows)
	}}
}

// RunsFile is a table of runs, name (runs.csv or sweep.csv), with the given
// columns.
func RunsFile(name string, columns []string, rows []RunRow) File {
	return File{Name: name, Write: func(path string) error { return WriteRuns(path, columns, rows) }}
}

// ReadHistory reads history.csv.
func ReadHistory(path string) ([]HistoryRow, error) { return historyTable.Read(path) }

// RunRowOf returns the row of a result.
func RunRowOf(name string, seed uint64, scale, noise float64, r *train.Result) RunRow {
	return RunRow{Run: name, LR: r.LearningRate, Seed: seed, Scale: scale, LabelNoise: noise, Status: r.Status,
		Steps: r.Steps, TrainMSE: r.TrainMSE, TestMSE: r.TestMSE, GradNormSq: r.GradNormSq,
		SGDReg: TermValue(r.Terms, regularizer.SGD{}.Name()), SharpnessInit: r.SharpnessInit, SharpnessFinal: r.SharpnessFinal}
}

// HistoryRows returns the history of a result as rows.
func HistoryRows(name string, r *train.Result) []HistoryRow {
	rows := make([]HistoryRow, len(r.History))
	for i, p := range r.History {
		rows[i] = HistoryRow{Run: name, LR: r.LearningRate, Step: p.Step, Loss: p.Loss,
			TrainMSE: p.TrainMSE, TestMSE: p.TestMSE, GradNormSq: p.GradNormSq,
			LabelNoiseReg: TermValue(p.Terms, regularizer.LabelNoise{}.Name()),
			SGDReg:        TermValue(p.Terms, regularizer.SGD{}.Name()),
			SGDNoiseReg:   TermValue(p.Terms, regularizer.SGDNoise{}.Name()), Sharpness: p.Sharpness}
	}
	return rows
}

// TermValue returns the value of the named term, or NaN.
func TermValue(terms []train.Term, name string) float64 {
	for _, t := range terms {
		if t.Name == name {
			return t.Value
		}
	}
	return math.NaN()
}

// ReadTable reads a table whose rows are R, the columns named by R's csv
// tags: flow.csv as []instruments.FlowRow, compare.csv as []compare.Row.
// Columns the file has and R does not are ignored; those R has and the file
// does not keep their zero values.
func ReadTable[R any](path string) ([]R, error) { return tidycsv.SchemaOf[R]().Read(path) }

// TableFile is the table name of rows, with a column for each csv tag of R.
func TableFile[R any](name string, rows []R) File {
	return File{Name: name, Write: func(path string) error { return tidycsv.SchemaOf[R]().Write(path, rows) }}
}

// TableColumns are the columns of a table whose rows are R, in order.
func TableColumns[R any]() []string { return tidycsv.SchemaOf[R]().Names() }
