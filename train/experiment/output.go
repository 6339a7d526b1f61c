package experiment

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"time"

	"github.com/igr-project/igr/internal/atomicfile"
	"github.com/igr-project/igr/internal/kernel"
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

// ComputedBy records what computed a result: the matrix-product kernel
// (package kernel: avx2, gonum or openblas) and the CPU features it saw.
type ComputedBy struct {
	Kernel      string   `json:"kernel"`
	CPUFeatures []string `json:"cpu_features"`
}

// computedBy describes the kernel that new runs of this process use.
func computedBy() ComputedBy {
	return ComputedBy{Kernel: kernel.Default().Name(), CPUFeatures: kernel.Features()}
}

// runAll runs jobs in parallel with progress reported to setup.Log; names,
// if given, name the jobs in the reports (see startProgress). When ctx is
// cancelled it returns the results, those of unfinished runs with status
// interrupted, and an error wrapping ctx's: the caller writes its outputs,
// marked interrupted, and returns that error.
func runAll(ctx context.Context, setup *Setup, label string, jobs []train.Job, names ...string) ([]*train.Result, error) {
	rep := startProgress(setup.Log, label, jobs, names...)
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

// begin resolves c for a command that trains as work says and opens its
// output folder, with the data set written.
func begin(c Config, work Footprint) (*Setup, *folder, error) {
	setup, err := c.resolve(work)
	if err != nil {
		return nil, nil, err
	}
	out, err := openOutput(setup)
	return setup, out, err
}

// openOutput creates the output folder of setup and writes the data set to
// it: data.csv and the data figure.
func openOutput(setup *Setup) (*folder, error) {
	out, err := newFolder(setup.Out)
	if err != nil {
		return nil, err
	}
	if err := out.writeData(setup); err != nil {
		return nil, err
	}
	return out, nil
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
	return f.saveFigure("data")(DataFigure(s.Data()))
}

// writeSweepFigures writes sweep.csv and the sweep figure; over several
// seeds also sweep_bands.csv, and the figure shows the band.
func (f *folder) writeSweepFigures(rows []MapRow, seeds int, constantTestMSE float64) error {
	if err := SweepLayout.rowTable().write(f.path("sweep.csv"), rows); err != nil {
		return err
	}
	if seeds > 1 {
		return f.writeBands(rows, constantTestMSE)
	}
	return f.saveFigure("sweep")(SweepFigure(runRows(rows), constantTestMSE))
}

// runName names the history of a sweep's runs for seed, in a sweep over
// seeds seeds: "sweep" for one seed, "sweep_seed<N>" for several.
func runName(seeds int, seed uint64) string {
	if seeds == 1 {
		return RunSweep
	}
	return fmt.Sprintf("%s_seed%d", RunSweep, seed)
}

// wallSeconds is the time since start, in seconds to a tenth.
func wallSeconds(start time.Time) float64 { return math.Round(time.Since(start).Seconds()*10) / 10 }

// saveFigure returns a function that saves a figure as name.png and
// name.svg; a figure with nothing to draw (an interrupted run may have no
// history yet) is left out.
func (f *folder) saveFigure(name string) func(plots.Figure, error) error {
	return func(p plots.Figure, err error) error {
		if errors.Is(err, plots.ErrNothingToDraw) {
			return nil
		}
		if err != nil {
			return err
		}
		return plots.Save(p, f.path(name))
	}
}
