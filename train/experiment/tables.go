package experiment

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"

	"github.com/igr-project/igr/internal/tidycsv"
	"github.com/igr-project/igr/regularizer"
	"github.com/igr-project/igr/train"
)

// RunRow is one finished run: a row of sweep.csv or runs.csv.
type RunRow struct {
	Run        string // what the run is, e.g. "label_noise"; empty in sweep.csv
	LR         float64
	Seed       uint64
	Scale      float64
	LabelNoise float64
	Status     train.Status
	Steps      int
	TrainMSE   float64
	TestMSE    float64
	GradNormSq float64
	// Batch is the batch size of minibatch SGD; 0 for full-batch GD.
	Batch int
	// SGDReg is the SGD regularizer (η/4) E_B‖∇L_B‖² at the final
	// parameters, for η the run's learning rate and B its batch, where the
	// run records it (runs with a batch); NaN elsewhere.
	SGDReg float64
}

// HistoryRow is one point along a run: a row of history.csv.
type HistoryRow struct {
	Run        string
	LR         float64
	Step       int
	Loss       float64
	TrainMSE   float64
	TestMSE    float64
	GradNormSq float64
	// LabelNoiseReg is the label-noise regularizer (ησ²/n²)Σ‖∇P(x_i)‖² on
	// the clean training set, where the run records it; NaN elsewhere.
	LabelNoiseReg float64
	// SGDReg is the SGD regularizer (η/4) E_B‖∇L_B‖² and SGDNoiseReg its Γ
	// term (η/4)(n − B)/(B(n − 1)) Γ, the part batch sampling adds, on the
	// clean training set, where the run records them; NaN elsewhere.
	SGDReg, SGDNoiseReg float64
}

// column is one column of a table: its name, how to write a row's cell and
// how to read it back.
type column[R any] struct {
	name  string
	write func(*R) string
	read  func(*R, string) error
}

func floatColumn[R any](name string, field func(*R) *float64) column[R] {
	return column[R]{name,
		func(r *R) string { return tidycsv.Float(*field(r)) },
		func(r *R, s string) (err error) { *field(r), err = strconv.ParseFloat(s, 64); return err }}
}

func intColumn[R any](name string, field func(*R) *int) column[R] {
	return column[R]{name,
		func(r *R) string { return strconv.Itoa(*field(r)) },
		func(r *R, s string) (err error) { *field(r), err = strconv.Atoi(s); return err }}
}

func stringColumn[R any](name string, field func(*R) *string) column[R] {
	return column[R]{name,
		func(r *R) string { return *field(r) },
		func(r *R, s string) error { *field(r) = s; return nil }}
}

// table is the columns of a CSV table, in order.
type table[R any] struct {
	names []string
	cols  map[string]column[R]
}

// newTable returns the table of cols, in their order.
func newTable[R any](cols []column[R]) table[R] {
	t := table[R]{cols: make(map[string]column[R], len(cols))}
	for _, c := range cols {
		t.names = append(t.names, c.name)
		t.cols[c.name] = c
	}
	return t
}

// write writes rows with all the table's columns to path atomically.
func (t table[R]) write(path string, rows []R) error { return writeTable(path, t.names, t.cols, rows) }

// read reads the rows of a table at path.
func (t table[R]) read(path string) ([]R, error) { return readTable(path, t.cols) }

var (
	runTable = newTable([]column[RunRow]{
		stringColumn("run", func(r *RunRow) *string { return &r.Run }),
		floatColumn("lr", func(r *RunRow) *float64 { return &r.LR }),
		{"seed", func(r *RunRow) string { return strconv.FormatUint(r.Seed, 10) },
			func(r *RunRow, s string) (err error) { r.Seed, err = strconv.ParseUint(s, 10, 64); return err }},
		floatColumn("scale", func(r *RunRow) *float64 { return &r.Scale }),
		floatColumn("label_noise", func(r *RunRow) *float64 { return &r.LabelNoise }),
		{"status", func(r *RunRow) string { return string(r.Status) },
			func(r *RunRow, s string) error { r.Status = train.Status(s); return nil }},
		intColumn("steps", func(r *RunRow) *int { return &r.Steps }),
		floatColumn("train_mse", func(r *RunRow) *float64 { return &r.TrainMSE }),
		floatColumn("test_mse", func(r *RunRow) *float64 { return &r.TestMSE }),
		floatColumn("grad_norm_sq", func(r *RunRow) *float64 { return &r.GradNormSq }),
		intColumn("batch", func(r *RunRow) *int { return &r.Batch }),
		floatColumn("sgd_reg", func(r *RunRow) *float64 { return &r.SGDReg }),
	})
	historyTable = newTable([]column[HistoryRow]{
		stringColumn("run", func(r *HistoryRow) *string { return &r.Run }),
		floatColumn("lr", func(r *HistoryRow) *float64 { return &r.LR }),
		intColumn("step", func(r *HistoryRow) *int { return &r.Step }),
		floatColumn("loss", func(r *HistoryRow) *float64 { return &r.Loss }),
		floatColumn("train_mse", func(r *HistoryRow) *float64 { return &r.TrainMSE }),
		floatColumn("test_mse", func(r *HistoryRow) *float64 { return &r.TestMSE }),
		floatColumn("grad_norm_sq", func(r *HistoryRow) *float64 { return &r.GradNormSq }),
		floatColumn("label_noise_reg", func(r *HistoryRow) *float64 { return &r.LabelNoiseReg }),
		floatColumn("sgd_reg", func(r *HistoryRow) *float64 { return &r.SGDReg }),
		floatColumn("sgd_noise_reg", func(r *HistoryRow) *float64 { return &r.SGDNoiseReg }),
	})
)

// The column sets of the tables. Runs with a batch size (minibatch SGD) add
// the columns of the SGD variants.
var (
	SweepColumns   = []string{"lr", "seed", "status", "steps", "train_mse", "test_mse", "grad_norm_sq"}
	RunsColumns    = slices.Clip(runTable.names[:len(runTable.names)-2])
	HistoryColumns = slices.Clip(historyTable.names[:len(historyTable.names)-2])

	RunsSGDColumns    = slices.Concat(RunsColumns, []string{"batch", "sgd_reg"})
	HistorySGDColumns = slices.Concat(HistoryColumns, []string{"sgd_reg", "sgd_noise_reg"})
)

// columnsFor returns plain, or sgd for runs with a batch size.
func columnsFor(batch int, plain, sgd []string) []string {
	if batch > 0 {
		return sgd
	}
	return plain
}

// writeTable writes rows with the named columns to path atomically.
func writeTable[R any](path string, names []string, all map[string]column[R], rows []R) error {
	cells := make([][]string, len(rows))
	for i := range rows {
		cells[i] = make([]string, len(names))
		for j, n := range names {
			cells[i][j] = all[n].write(&rows[i])
		}
	}
	if err := tidycsv.WriteFile(path, names, cells); err != nil {
		return fmt.Errorf("experiment: %w", err)
	}
	return nil
}

// readTable reads the rows of a table at path; columns it does not know are
// ignored, columns it lacks keep their zero values.
func readTable[R any](path string, all map[string]column[R]) ([]R, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("experiment: %w", err)
	}
	defer f.Close()
	t, err := tidycsv.Read(f, filepath.Base(path), true)
	if err != nil {
		return nil, fmt.Errorf("experiment: %w", err)
	}
	rows := make([]R, len(t.Rows))
	for j, name := range t.Header {
		c, ok := all[name]
		if !ok {
			continue
		}
		for i := range t.Rows {
			if err := c.read(&rows[i], t.Rows[i][j]); err != nil {
				return nil, fmt.Errorf("experiment: %w", t.Errorf(i, j, "%s: %v", name, err))
			}
		}
	}
	return rows, nil
}

// WriteRuns writes rows to path with the given columns (SweepColumns or
// RunsColumns).
func WriteRuns(path string, columns []string, rows []RunRow) error {
	return writeTable(path, columns, runTable.cols, rows)
}

// ReadRuns reads sweep.csv or runs.csv.
func ReadRuns(path string) ([]RunRow, error) { return runTable.read(path) }

// WriteHistory writes history rows to path with HistoryColumns.
func WriteHistory(path string, rows []HistoryRow) error {
	return writeTable(path, HistoryColumns, historyTable.cols, rows)
}

// writeHistory writes history rows to path, with the columns of runs with
// batch size batch.
func writeHistory(path string, batch int, rows []HistoryRow) error {
	return writeTable(path, columnsFor(batch, HistoryColumns, HistorySGDColumns), historyTable.cols, rows)
}

// ReadHistory reads history.csv.
func ReadHistory(path string) ([]HistoryRow, error) { return historyTable.read(path) }

// runRow returns the row of a result.
func runRow(name string, seed uint64, scale, noise float64, r *train.Result) RunRow {
	return RunRow{Run: name, LR: r.LearningRate, Seed: seed, Scale: scale, LabelNoise: noise, Status: r.Status,
		Steps: r.Steps, TrainMSE: r.TrainMSE, TestMSE: r.TestMSE, GradNormSq: r.GradNormSq,
		SGDReg: termValue(r.Terms, regularizer.SGD{}.Name())}
}

// historyRows returns the history of a result as rows.
func historyRows(name string, r *train.Result) []HistoryRow {
	rows := make([]HistoryRow, len(r.History))
	for i, p := range r.History {
		rows[i] = HistoryRow{Run: name, LR: r.LearningRate, Step: p.Step, Loss: p.Loss,
			TrainMSE: p.TrainMSE, TestMSE: p.TestMSE, GradNormSq: p.GradNormSq,
			LabelNoiseReg: termValue(p.Terms, regularizer.LabelNoise{}.Name()),
			SGDReg:        termValue(p.Terms, regularizer.SGD{}.Name()),
			SGDNoiseReg:   termValue(p.Terms, regularizer.SGDNoise{}.Name())}
	}
	return rows
}
