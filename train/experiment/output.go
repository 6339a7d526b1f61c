package experiment

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"

	"github.com/igr-project/igr/internal/atomicfile"
	"github.com/igr-project/igr/train"
	"github.com/igr-project/igr/train/plots"
)

// Number is a float64 that JSON encodes as null when it is NaN or infinite,
// which JSON cannot represent.
type Number float64

// MarshalJSON writes the number, or null when it is not finite.
func (n Number) MarshalJSON() ([]byte, error) {
	f := float64(n)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return []byte("null"), nil
	}
	return json.Marshal(f)
}

// UnmarshalJSON reads a number, or null as NaN.
func (n *Number) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*n = Number(math.NaN())
		return nil
	}
	var f float64
	err := json.Unmarshal(b, &f)
	*n = Number(f)
	return err
}

// runAll runs jobs in parallel with progress reported to setup.Log. When ctx
// is cancelled it returns the results, those of unfinished runs with status
// interrupted, and an error wrapping ctx's: the caller writes its outputs,
// marked interrupted, and returns that error.
func runAll(ctx context.Context, setup *Setup, label string, jobs []train.Job) ([]*train.Result, error) {
	rep := startProgress(setup.Log, label, jobs)
	results, err := train.RunAll(ctx, jobs, setup.Workers)
	rep.Stop()
	switch {
	case err == nil:
		return results, nil
	case ctx.Err() != nil:
		return results, fmt.Errorf("experiment: interrupted; what was computed is in %s: %w", setup.Out, err)
	}
	return nil, fmt.Errorf("experiment: %w", err)
}

// interrupted reports whether err is the interruption runAll returns.
func interrupted(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// folder is an output folder being written.
type folder struct{ dir string }

func newFolder(dir string) (*folder, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("experiment: %w", err)
	}
	return &folder{dir}, nil
}

func (f *folder) path(name string) string { return filepath.Join(f.dir, name) }

// writeJSON writes v as indented JSON to name atomically.
func (f *folder) writeJSON(name string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("experiment: %s: %w", name, err)
	}
	if err := atomicfile.WriteBytes(f.path(name), append(b, '\n')); err != nil {
		return fmt.Errorf("experiment: %w", err)
	}
	return nil
}

// writeData writes data.csv and the data figure.
func (f *folder) writeData(s *Setup) error {
	if err := s.Data().WriteFile(f.path("data.csv")); err != nil {
		return fmt.Errorf("experiment: %w", err)
	}
	d := s.Data()
	column := func(x []float64) []float64 {
		out := make([]float64, len(x)/d.Dim)
		for i := range out {
			out[i] = x[i*d.Dim]
		}
		return out
	}
	p, err := plots.Data(plots.XY{X: column(d.Train.X), Y: d.Train.Y}, plots.XY{X: column(d.Test.X), Y: d.Test.Y})
	if err != nil {
		return err
	}
	return plots.Save(p, f.path("data"))
}

// writeSweep writes sweep.csv and the sweep figure.
func (f *folder) writeSweep(rows []RunRow, title string, refs ...plots.Reference) error {
	if err := WriteRuns(f.path("sweep.csv"), SweepColumns, rows); err != nil {
		return err
	}
	pts := make([]plots.SweepPoint, len(rows))
	for i, r := range rows {
		pts[i] = plots.SweepPoint{LR: r.LR, TestMSE: r.TestMSE, Status: string(r.Status)}
	}
	p, err := plots.Sweep(title, pts, refs...)
	if err != nil {
		return err
	}
	return plots.Save(p, f.path("sweep"))
}

// CurvesOf returns the training and test MSE along each named run's history,
// one color per run, training solid and test dashed.
func CurvesOf(history []HistoryRow, runs ...string) []plots.Curve {
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
	return curves
}

// writeCurves writes the loss-curve figure of the named runs.
func (f *folder) writeCurves(name, title string, history []HistoryRow, runs ...string) error {
	p, err := plots.Curves(title, "MSE", CurvesOf(history, runs...))
	if errors.Is(err, plots.ErrNothingToDraw) {
		return nil // an interrupted run may have no history yet
	}
	if err != nil {
		return err
	}
	return plots.Save(p, f.path(name))
}

// sweepRows returns the rows of a sweep's results.
func sweepRows(seed uint64, scale float64, results []*train.Result) []RunRow {
	rows := make([]RunRow, 0, len(results))
	for _, r := range results {
		if r != nil {
			rows = append(rows, runRow("sweep", seed, scale, 0, r))
		}
	}
	return rows
}
