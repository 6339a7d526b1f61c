package experiment

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/igr-project/igr/train/dataset"
	"github.com/igr-project/igr/train/grid"
)

// maxMapRuns bounds the runs of a map, against typos in its values.
const maxMapRuns = 1_000_000

// MapSettings configure Map. Every cell of a map is the run igr train makes
// with the same flags and the cell's values: X and Y override the Config
// and the settings below for their hyperparameter.
type MapSettings struct {
	Config

	// X and Y are the axes: a hyperparameter (one of Hyperparameters) and
	// its values, columns along x and rows along y. An empty Y.Name makes
	// a map of one row.
	X, Y grid.Axis

	// LR is the step of GD when lr is not an axis. Zero means 0.01.
	LR float64

	// Steps, if positive, makes every run take exactly that many steps
	// instead of stopping at the tolerance; label noise needs it.
	Steps int

	// Sigma, if positive, trains every run with label noise of that
	// standard deviation when sigma is not an axis.
	Sigma float64

	// Lambda, if positive, trains every run on L + λ‖∇L‖² when lambda is
	// not an axis.
	Lambda float64

	// Batch, if positive, trains every run by minibatch SGD with batches of
	// Batch examples when batch is not an axis.
	Batch int

	// Seeds, if more than 1, trains every cell for that many data and
	// initialization seeds, Seed, Seed+1, …, and summarizes the cell over
	// them. It must be 1 when an axis is the seed.
	Seeds int

	// Shard, if its Count is positive, trains only that shard's cells;
	// Merge combines the shards' folders.
	Shard Shard

	// Reference, if set, is the output folder of a sweep (or of
	// reproduce) on the same configuration: its least median test MSE over
	// the learning rates is drawn as a reference line, and every row says
	// whether its best reaches it. Its batch size may differ from the
	// map's: a sweep of full-batch GD is the reference of a map of SGD.
	Reference string
}

// MapSummary is the summary.json of Map: the axes, the configuration (of
// the first cell; the axes vary theirs), and per row of y the numbers a map
// is read for. It holds no timing, so that a map gives the same bytes on one
// machine or merged from shards; the wall time is in timing.json.
type MapSummary struct {
	X grid.Axis `json:"x"`
	Y grid.Axis `json:"y"`

	Seed       uint64 `json:"seed"`
	Seeds      int    `json:"seeds"`
	Runs       int    `json:"runs"`
	TotalSteps int    `json:"total_steps"`

	// What every run is, where no axis says otherwise.
	LR       Number `json:"lr"`
	Steps    int    `json:"steps"`
	Sigma    Number `json:"sigma"`
	Lambda   Number `json:"lambda"`
	Batch    int    `json:"batch"`
	Tol      Number `json:"tol"`
	MaxSteps int    `json:"max_steps"`
	N        int    `json:"n"`
	Dim      int    `json:"dim"`
	Width    int    `json:"width"`
	Scale    Number `json:"scale"`
	Arch     string `json:"arch"`
	RNG      string `json:"rng"`
	Dtype    string `json:"dtype"`

	// ConstantTestMSE is the test MSE of the predictor that always says
	// 1, on the first cell's test set.
	ConstantTestMSE Number `json:"constant_test_mse"`

	// Reference is the reference sweep's best, if one was given.
	Reference *MapReference `json:"reference,omitempty"`

	// Rows has one entry per value of y, in order.
	Rows []MapRowSummary `json:"rows"`

	Interrupted bool `json:"interrupted"`
}

// MapRowSummary is what one row of a map (one value of y) says. Only cells
// in which every seed finished (converged, or completed its fixed steps)
// compete for the best; numbers that do not exist are null.
type MapRowSummary struct {
	Y Number `json:"y"`
	// BestX is the x of the least median test MSE, BestTestMSE that
	// error.
	BestX       Number `json:"best_x"`
	BestTestMSE Number `json:"best_test_mse"`
	// FirstDivergedLR is, when x is lr, the smallest learning rate at
	// which some seed diverged.
	FirstDivergedLR Number `json:"first_diverged_lr"`
	// SmallestX is the least x of the row (the smallest learning rate
	// when x is lr), SmallestXTestMSE its median test MSE and
	// SmallestXOverBest that divided by the best.
	SmallestX         Number `json:"smallest_x"`
	SmallestXTestMSE  Number `json:"smallest_x_test_mse"`
	SmallestXOverBest Number `json:"smallest_x_over_best"`
	// ReachesReference says whether the best is at most the reference's
	// test MSE; absent without a reference.
	ReachesReference *bool `json:"reaches_reference,omitempty"`
}

// MapReference is the best of a reference sweep: the learning rate with the
// least median test MSE over its seeds, among those at which every seed
// converged.
type MapReference struct {
	Name    string `json:"name"`
	Dir     string `json:"dir"`
	LR      Number `json:"lr"`
	TestMSE Number `json:"test_mse"`
	Seeds   int    `json:"seeds"`
}

// Layout is the layout of the map's tables.
func (s *MapSummary) Layout() Layout { return Layout{X: s.X.Name, Y: s.Y.Name} }

// MapResult is what Map computed, or what ReadMap read.
type MapResult struct {
	Summary MapSummary
	Rows    []MapRow
	Cells   []MapCell
	Out     string
	// WallSeconds and StepsPerSecond are the cost of the run, also in
	// timing.json; zero when read or merged.
	WallSeconds    float64
	StepsPerSecond float64
	Workers        int
}

// The outputs of Map.
const (
	MapTable      = "map.csv"
	MapCellsTable = "map_cells.csv"
)

// Map trains a grid of runs over two hyperparameters (and seeds), in
// parallel, and writes to s.Out data.csv (of the first cell), map.csv (one
// row per run: the axes, then seed,status,steps,train_mse,test_mse,
// grad_norm_sq), map_cells.csv (each cell over seeds: counts by status and
// the min, median, max and mean test MSE), summary.json, timing.json, the
// heat map figure map (median test MSE on a log colour scale) and the figure
// map_lines (test MSE against x, one line per row). With a Shard it trains
// only the shard's cells and writes data.csv, map.csv, timing.json and
// shard.json, for Merge.
func Map(ctx context.Context, s *MapSettings) (*MapResult, error) {
	start := time.Now()
	var c MapSettings
	if s != nil {
		c = *s
	}
	layout, g, base, err := c.resolve()
	if err != nil {
		return nil, err
	}
	run, err := newGridRun("map", layout, g, base, c.Shard, Footprint{Graph: PlainGraph})
	if err != nil {
		return nil, err
	}
	setup := run.setup
	spec := MapSummary{X: c.X, Y: c.Y, Seed: setup.Seed, Seeds: max(c.Seeds, 1), Runs: g.Len(),
		LR: Number(base.LR), Steps: base.Steps, Sigma: Number(base.Sigma), Lambda: Number(base.Lambda), Batch: base.Batch,
		Tol: Number(defaultFloat(setup.Tol, 1e-4)), MaxSteps: defaultInt(setup.MaxSteps, 1_000_000),
		N: setup.N, Dim: setup.Dim, Width: setup.Width, Scale: Number(setup.Scale), Arch: setup.Arch, RNG: setup.RNG, Dtype: setup.Dtype}
	if c.Y.Values == nil {
		spec.Y.Values = []float64{}
	}
	if layout.X == "seed" || layout.Y == "seed" {
		spec.Seeds = 1
	}
	if c.Reference != "" {
		if spec.Reference, err = loadReference(c.Reference, &spec); err != nil {
			return nil, err
		}
	}
	out, rows, _, stop, err := run.start(ctx, "map")
	if err != nil {
		return nil, err
	}
	var res *MapResult
	if c.Shard.Whole() {
		res, err = out.finishMap(spec, setup.Data().Test, rows, stop != nil)
	} else {
		res = &MapResult{Summary: spec, Rows: rows}
		err = run.writeShard(out, 0, spec, rows, nil, stop != nil)
	}
	if err != nil {
		return nil, err
	}
	res.Out, res.Workers = setup.Out, setup.Workers
	res.WallSeconds = wallSeconds(start)
	steps := 0
	for _, r := range rows {
		steps += r.Steps
	}
	if res.WallSeconds > 0 {
		res.StepsPerSecond = math.Round(float64(steps) / res.WallSeconds)
	}
	timing := struct {
		WallSeconds    float64 `json:"wall_seconds"`
		Runs           int     `json:"runs"`
		Steps          int     `json:"steps"`
		StepsPerSecond float64 `json:"steps_per_second"`
		Workers        int     `json:"workers"`
		Cores          int     `json:"cores"`
		ComputedBy
	}{res.WallSeconds, len(rows), steps, res.StepsPerSecond, setup.Workers, runtime.NumCPU(), computedBy()}
	if err := out.writeJSON("timing.json", timing); err != nil {
		return nil, err
	}
	return res, stop
}

// resolve checks the map's axes against each other and against the other
// settings, and returns its layout, its grid and the spec of a run before
// the axes set their values.
func (c *MapSettings) resolve() (Layout, grid.Grid, runSpec, error) {
	l := Layout{X: c.X.Name, Y: c.Y.Name}
	base := runSpec{Config: c.Config, LR: defaultFloat(c.LR, 0.01), Steps: c.Steps, Sigma: c.Sigma, Lambda: c.Lambda, Batch: c.Batch}
	fail := func(format string, a ...any) (Layout, grid.Grid, runSpec, error) {
		return l, grid.Grid{}, base, fmt.Errorf("%w: "+format, append([]any{ErrConfig}, a...)...)
	}
	axes := []grid.Axis{c.X}
	if l.Y != "" {
		axes = append(axes, c.Y)
	}
	has := map[string]bool{}
	for _, a := range axes {
		if _, err := hyperparameter(a.Name); err != nil {
			return l, grid.Grid{}, base, err
		}
		has[a.Name] = true
	}
	switch {
	case l.X == "":
		return fail("a map needs an x axis")
	case l.X == l.Y:
		return fail("x and y are both %s: a map needs two different axes", l.X)
	case c.Seeds < 0:
		return fail("the number of seeds must be positive, got %d", c.Seeds)
	case has["seed"] && c.Seeds > 1:
		return fail("seed is an axis: -seeds repeats every cell over seeds and must be 1")
	case has["sigma"] && c.Steps <= 0:
		return fail("the sigma axis trains label-noise GD for a fixed number of steps: give -steps")
	case has["width"] && c.InitFile != "":
		return fail("the width axis needs generated initializations: -init fixes the width")
	case has["dim"] && (c.DataFile != "" || c.InitFile != ""):
		return fail("the dim axis needs generated data: -data and -init fix the dimension")
	case has["n"] && c.DataFile != "":
		return fail("the n axis needs generated data: -data fixes the training set")
	case has["seed"] && c.DataFile != "" && c.InitFile != "" && c.Sigma == 0 && !has["sigma"]:
		return fail("the seed axis changes nothing: -data and -init fix the data and the initialization, and there is no label noise")
	}
	seeds, err := seedValues(c.Seed, c.Seeds)
	if err != nil {
		return l, grid.Grid{}, base, err
	}
	g := l.Grid(c.X.Values, c.Y.Values, seeds)
	if n := float64(len(c.X.Values)) * float64(max(1, len(c.Y.Values))) * float64(len(seeds)); n > maxMapRuns {
		return fail("the map has %.0f runs, more than %d", n, maxMapRuns)
	}
	return l, g, base, nil
}

// loadReference reads the best of the sweep in dir (its sweep.csv) and
// checks that the sweep was made on the map's configuration.
func loadReference(dir string, m *MapSummary) (*MapReference, error) {
	rows, err := SweepLayout.ReadRows(filepath.Join(dir, "sweep.csv"))
	if err != nil {
		return nil, fmt.Errorf("%w: reference %s is not the output of a sweep: %w", ErrConfig, dir, err)
	}
	ref := &MapReference{Dir: dir, LR: Number(math.NaN()), TestMSE: Number(math.NaN())}
	for _, c := range Cells(rows) {
		ref.Seeds = max(ref.Seeds, c.Seeds)
		if c.Finished() && (math.IsNaN(float64(ref.TestMSE)) || c.Median < float64(ref.TestMSE)) {
			ref.LR, ref.TestMSE = Number(c.X), Number(c.Median)
		}
	}
	if math.IsNaN(float64(ref.TestMSE)) {
		return nil, fmt.Errorf("%w: reference %s: no learning rate converged for every seed", ErrConfig, dir)
	}
	method := "GD"
	if b, err := os.ReadFile(filepath.Join(dir, "summary.json")); err == nil {
		var s SweepSummary
		if err := json.Unmarshal(b, &s); err == nil {
			if err := sameConfig(dir, &s, m, ref.Seeds); err != nil {
				return nil, err
			}
			if s.Batch > 0 {
				method = fmt.Sprintf("SGD (B %d)", s.Batch)
			}
		}
	}
	ref.Name = fmt.Sprintf("%s at its best lr %g (reference)", method, float64(ref.LR))
	if ref.Seeds > 1 {
		ref.Name = fmt.Sprintf("%s at its best lr %g (reference, median of %d seeds)", method, float64(ref.LR), ref.Seeds)
	}
	return ref, nil
}

// sameConfig returns an error naming what differs between a reference
// sweep's configuration and the map's, where no axis of the map varies it.
func sameConfig(dir string, s *SweepSummary, m *MapSummary, seeds int) error {
	axis := map[string]bool{m.X.Name: true, m.Y.Name: true}
	var diffs []string
	differ := func(name string, ref, mine any) {
		if !axis[name] && fmt.Sprint(ref) != fmt.Sprint(mine) {
			diffs = append(diffs, fmt.Sprintf("%s %v, the map's %v", name, ref, mine))
		}
	}
	differ("seed", s.Seed, m.Seed)
	differ("seed", seeds, m.Seeds)
	differ("n", s.N, m.N)
	differ("dim", s.Dim, m.Dim)
	differ("width", s.Width, m.Width)
	if s.Scale != 0 {
		differ("scale", float64(s.Scale), float64(m.Scale))
	}
	differ("arch", s.Arch, m.Arch)
	if len(diffs) > 0 {
		return fmt.Errorf("%w: reference %s was made on another configuration: %s", ErrConfig, dir, strings.Join(diffs, "; "))
	}
	return nil
}

// finishMap writes the outputs of a whole map: map.csv, map_cells.csv,
// summary.json and the figures. Map and Merge both end here, so that they
// write the same bytes.
func (f *folder) finishMap(spec MapSummary, test dataset.Split, rows []MapRow, stopped bool) (*MapResult, error) {
	res := &MapResult{Summary: spec, Rows: rows, Cells: Cells(rows)}
	sum := &res.Summary
	sum.Interrupted = stopped
	sum.ConstantTestMSE = Number(dataset.ConstantMSE(test, 1))
	sum.TotalSteps = 0
	for _, r := range rows {
		sum.TotalSteps += r.Steps
	}
	sum.Rows = summarizeRows(sum, res.Cells)
	l := sum.Layout()
	if err := l.rowTable().write(f.path(MapTable), rows); err != nil {
		return nil, err
	}
	if err := l.cellTable().write(f.path(MapCellsTable), res.Cells); err != nil {
		return nil, err
	}
	if err := f.saveFigure("map")(MapFigure(sum, res.Cells)); err != nil {
		return nil, err
	}
	if err := f.saveFigure("map_lines")(MapLinesFigure(sum, res.Cells)); err != nil {
		return nil, err
	}
	return res, f.writeJSON("summary.json", sum)
}

// rowValues returns the values of y, or one value for a map of one row.
func (s *MapSummary) rowValues() []float64 {
	if s.Y.Name == "" {
		return []float64{0}
	}
	return s.Y.Values
}

// summarizeRows reads the numbers of every row of a map off its cells.
func summarizeRows(s *MapSummary, cells []MapCell) []MapRowSummary {
	nan := Number(math.NaN())
	var out []MapRowSummary
	for _, y := range s.rowValues() {
		r := MapRowSummary{Y: Number(y), BestX: nan, BestTestMSE: nan, FirstDivergedLR: nan,
			SmallestX: nan, SmallestXTestMSE: nan, SmallestXOverBest: nan}
		if s.Y.Name == "" {
			r.Y = nan
		}
		for _, c := range cells {
			if c.Y != y {
				continue
			}
			if c.Finished() && (math.IsNaN(float64(r.BestTestMSE)) || c.Median < float64(r.BestTestMSE)) {
				r.BestX, r.BestTestMSE = Number(c.X), Number(c.Median)
			}
			if s.X.Name == "lr" && c.Diverged > 0 && (math.IsNaN(float64(r.FirstDivergedLR)) || c.X < float64(r.FirstDivergedLR)) {
				r.FirstDivergedLR = Number(c.X)
			}
			if math.IsNaN(float64(r.SmallestX)) || c.X < float64(r.SmallestX) {
				r.SmallestX, r.SmallestXTestMSE = Number(c.X), nan
				if c.Finished() {
					r.SmallestXTestMSE = Number(c.Median)
				}
			}
		}
		r.SmallestXOverBest = r.SmallestXTestMSE / r.BestTestMSE
		if s.Reference != nil {
			reaches := r.BestTestMSE <= s.Reference.TestMSE
			r.ReachesReference = &reaches
		}
		out = append(out, r)
	}
	return out
}

// ReadMap reads the output folder of a map (or of a merge of its shards):
// summary.json, map.csv and map_cells.csv.
func ReadMap(dir string) (*MapResult, error) {
	b, err := os.ReadFile(filepath.Join(dir, "summary.json"))
	if err != nil {
		return nil, fmt.Errorf("experiment: %w", err)
	}
	res := &MapResult{Out: dir}
	if err := json.Unmarshal(b, &res.Summary); err != nil {
		return nil, fmt.Errorf("experiment: %s: %w", filepath.Join(dir, "summary.json"), err)
	}
	if res.Summary.X.Name == "" {
		return nil, fmt.Errorf("experiment: %s is not the summary of a map", filepath.Join(dir, "summary.json"))
	}
	l := res.Summary.Layout()
	if res.Rows, err = l.ReadRows(filepath.Join(dir, MapTable)); err != nil {
		return nil, err
	}
	if res.Cells, err = l.ReadCells(filepath.Join(dir, MapCellsTable)); err != nil {
		return nil, err
	}
	return res, nil
}

// describe says what every run of the map is, for titles: "GD at lr 0.01
// on L + λ‖∇L‖², to train MSE < 0.0001".
func (s *MapSummary) describe() string {
	axis := map[string]bool{s.X.Name: true, s.Y.Name: true}
	d := "GD"
	switch {
	case axis["batch"]:
		d = "SGD"
	case s.Batch > 0:
		d = fmt.Sprintf("SGD (B %d)", s.Batch)
	}
	switch {
	case axis["sigma"]:
		d = "label-noise " + d
	case s.Sigma > 0:
		d = fmt.Sprintf("label-noise %s (σ %g)", d, float64(s.Sigma))
	}
	if !axis["lr"] {
		d += fmt.Sprintf(" at lr %g", float64(s.LR))
	}
	switch {
	case axis["lambda"]:
		d += " on L + λ‖∇L‖²"
	case s.Lambda > 0:
		d += fmt.Sprintf(" on L + %g‖∇L‖²", float64(s.Lambda))
	}
	if s.Steps > 0 {
		return d + fmt.Sprintf(", %d steps", s.Steps)
	}
	return d + fmt.Sprintf(", to train MSE < %g", float64(s.Tol))
}

// announce prints the work of a plan before it starts: the grid, the runs
// and the steps they take at most (or exactly, with a fixed number).
func announce(w io.Writer, label string, plan *grid.Plan, steps, maxSteps, workers int) {
	if w == nil {
		return
	}
	var dims []string
	for k := len(plan.Grid.Axes) - 1; k >= 0; k-- {
		a := plan.Grid.Axes[k]
		dims = append(dims, fmt.Sprintf("%d %s", len(a.Values), a.Name))
	}
	runs := fmt.Sprintf("%d runs", len(plan.Jobs))
	if !plan.Shard.Whole() {
		runs = fmt.Sprintf("shard %s: %d of %d runs", plan.Shard, len(plan.Jobs), plan.Grid.Len())
	}
	work := fmt.Sprintf("at most %d steps (%d per run)", int64(len(plan.Jobs))*int64(maxSteps), maxSteps)
	if steps > 0 {
		work = fmt.Sprintf("%d steps (%d per run)", int64(len(plan.Jobs))*int64(steps), steps)
	}
	fmt.Fprintf(w, "igr: %s: %s = %s on %d workers, %s\n", label, strings.Join(dims, " × "), runs, workers, work)
}

// WriteTable prints the numbers of every row and the cost of the map.
func (r *MapResult) WriteTable(w io.Writer) error {
	s := &r.Summary
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	y := s.Y.Name
	if y == "" {
		y = "row"
	}
	header := fmt.Sprintf("%s\tbest %s\tbest test MSE\t", y, s.X.Name)
	if s.X.Name == "lr" {
		header += "first diverging lr\t"
	}
	header += fmt.Sprintf("test MSE at %s %s\tratio to best", s.X.Name, "min")
	if s.Reference != nil {
		header += "\treaches reference"
	}
	fmt.Fprintln(tw, header)
	f := func(v Number, format string) string {
		if math.IsNaN(float64(v)) {
			return "—"
		}
		return fmt.Sprintf(format, float64(v))
	}
	for _, row := range s.Rows {
		line := fmt.Sprintf("%s\t%s\t%s\t", f(row.Y, "%g"), f(row.BestX, "%g"), f(row.BestTestMSE, "%.4g"))
		if s.X.Name == "lr" {
			line += f(row.FirstDivergedLR, "%g") + "\t"
		}
		line += fmt.Sprintf("%s\t%s", f(row.SmallestXTestMSE, "%.4g"), f(row.SmallestXOverBest, "%.3g×"))
		if row.ReachesReference != nil {
			line += fmt.Sprintf("\t%v", *row.ReachesReference)
		}
		fmt.Fprintln(tw, line)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if s.Reference != nil {
		fmt.Fprintf(w, "\nreference: %s, test MSE %.4g\n", s.Reference.Name, float64(s.Reference.TestMSE))
	}
	if r.WallSeconds > 0 {
		_, err := fmt.Fprintf(w, "\n%d runs, %d steps in %.1f s on %d workers: %.0f steps/s\n", len(r.Rows), s.TotalSteps, r.WallSeconds, r.Workers, r.StepsPerSecond)
		return err
	}
	return nil
}
