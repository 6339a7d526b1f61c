package grids

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"text/tabwriter"

	"github.com/igr-project/igr/experiment"
	"github.com/igr-project/igr/train"
	"github.com/igr-project/igr/train/dataset"
	"github.com/igr-project/igr/train/grid"
	"github.com/igr-project/igr/train/plots"
)

// maxMapRuns bounds the runs of a map, against typos in its values.
const maxMapRuns = 1_000_000

func init() {
	axes := "AXIS one of " + listAxes() + "; VALUES FROM:TO:STEP, log:FROM:TO:N (N log-spaced values) or a comma-separated list"
	experiment.Declare(
		&experiment.Param{Name: "x", Usage: "axis of the columns, `AXIS=VALUES`: " + axes +
			". sigma trains label-noise GD for a fixed -steps; lambda trains GD at step -lr on L + λ‖∇L‖²; batch trains minibatch SGD. " +
			"A flag of the same name as an axis is refused"},
		&experiment.Param{Name: "y", Usage: "axis of the rows, `AXIS=VALUES` as -x (none: a map of one row)"},
		&experiment.Param{Name: "reference", Usage: "output `folder` of a sweep on the same configuration: its best test MSE is drawn and every row's best compared with it"},
	)
}

// listAxes lists the axes a map can vary, with what they vary.
func listAxes() string {
	var out []string
	for _, a := range experiment.Axes {
		out = append(out, a.Name+" ("+a.Help+")")
	}
	return joinComma(out)
}

func joinComma(items []string) string {
	s := ""
	for i, it := range items {
		if i > 0 {
			s += ", "
		}
		s += it
	}
	return s
}

// MapSettings configure Map. Every cell of a map is the run igr train makes
// with the same flags and the cell's values: X and Y override the Config
// and the Training for their hyperparameter.
type MapSettings struct {
	experiment.Config
	// Training is every run's, where no axis varies it. Label noise (a
	// positive Sigma, or a sigma axis) needs Steps.
	experiment.Training

	// X and Y are the axes: a hyperparameter (one of experiment.Axes) and
	// its values, columns along x and rows along y. An empty Y.Name makes
	// a map of one row.
	X grid.Axis `igr:"x"`
	Y grid.Axis `igr:"y"`

	// Seeds, if more than 1, trains every cell for that many data and
	// initialization seeds, Seed, Seed+1, …, and summarizes the cell over
	// them. It must be 1 when an axis is the seed.
	Seeds int `igr:"seeds" default:"1" usage:"train every cell for this many seeds (-seed, -seed+1, …) and draw the median"`

	// Shard, if its Count is positive, trains only that shard's cells;
	// Merge combines the shards' folders.
	Shard experiment.Shard `igr:"shard"`

	// Reference, if set, is the output folder of a sweep (or of
	// reproduce) on the same configuration: its least median test MSE over
	// the learning rates is drawn as a reference line, and every row says
	// whether its best reaches it. Its batch size may differ from the
	// map's: a sweep of full-batch GD is the reference of a map of SGD.
	Reference string `igr:"reference"`

	// TrackSharpness is the interval in steps at which every run tracks
	// its sharpness, from which map.csv reads its regime and
	// sharpness_max_ratio (experiment.TrackSettings). Zero means
	// DefaultTrackSharpness.
	TrackSharpness int `igr:"track-sharpness" default:"10"`
}

// AxisNames are the names of the map's axes, which no other setting of the
// same name may set.
func (c *MapSettings) AxisNames() []string { return []string{c.X.Name, c.Y.Name} }

// MapSummary is the summary.json of Map: the axes, the configuration (of
// the first cell) where no axis varies it, and per row of y the numbers a
// map is read for. It holds no timing, so that a map gives the same bytes
// on one machine or merged from shards; the wall time is in timing.json.
type MapSummary struct {
	X grid.Axis `json:"x"`
	Y grid.Axis `json:"y"`

	Seed       *uint64 `json:"seed,omitempty"`
	Seeds      int     `json:"seeds"`
	Runs       int     `json:"runs"`
	TotalSteps int     `json:"total_steps"`

	// What every run is, where no axis says otherwise: a setting an axis
	// varies is absent.
	LR       *experiment.Number `json:"lr,omitempty"`
	Steps    int                `json:"steps"`
	Sigma    *experiment.Number `json:"sigma,omitempty"`
	Lambda   *experiment.Number `json:"lambda,omitempty"`
	Batch    *int               `json:"batch,omitempty"`
	Tol      experiment.Number  `json:"tol"`
	MaxSteps int                `json:"max_steps"`
	N        *int               `json:"n,omitempty"`
	Dim      *int               `json:"dim,omitempty"`
	Width    *int               `json:"width,omitempty"`
	Scale    *experiment.Number `json:"scale,omitempty"`
	Arch     string             `json:"arch"`
	RNG      string             `json:"rng"`
	Dtype    string             `json:"dtype"`
	// TrackSharpness is the interval at which the runs tracked their
	// sharpness; 0 (absent) when they did not.
	TrackSharpness int `json:"track_sharpness,omitempty"`

	// ConstantTestMSE is the test MSE of the predictor that always says
	// 1, on the first cell's test set.
	ConstantTestMSE experiment.Number `json:"constant_test_mse"`

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
	Y experiment.Number `json:"y"`
	// BestX is the x of the least median test MSE, BestTestMSE that
	// error.
	BestX       experiment.Number `json:"best_x"`
	BestTestMSE experiment.Number `json:"best_test_mse"`
	// FirstDivergedLR is, when x is lr, the smallest learning rate at
	// which some seed diverged.
	FirstDivergedLR experiment.Number `json:"first_diverged_lr"`
	// SmallestX is the least x of the row (the smallest learning rate
	// when x is lr), SmallestXTestMSE its median test MSE and
	// SmallestXOverBest that divided by the best.
	SmallestX         experiment.Number `json:"smallest_x"`
	SmallestXTestMSE  experiment.Number `json:"smallest_x_test_mse"`
	SmallestXOverBest experiment.Number `json:"smallest_x_over_best"`
	// ReachesReference says whether the best is at most the reference's
	// test MSE; absent without a reference.
	ReachesReference *bool `json:"reaches_reference,omitempty"`
	// The curvature of the row, when x is lr (see RowCurvature).
	RowCurvature
}

// MapReference is the best of a reference sweep: the learning rate with the
// least median test MSE over its seeds, among those at which every seed
// converged.
type MapReference struct {
	Name    string            `json:"name"`
	Dir     string            `json:"dir"`
	LR      experiment.Number `json:"lr"`
	TestMSE experiment.Number `json:"test_mse"`
	Seeds   int               `json:"seeds"`
}

// Layout is the layout of the map's tables.
func (s *MapSummary) Layout() Layout { return Layout{X: s.X.Name, Y: s.Y.Name} }

// has reports whether name is an axis of the map.
func (s *MapSummary) has(name string) bool {
	return name != "" && (s.X.Name == name || s.Y.Name == name)
}

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

	shard   experiment.Shard
	resumed string
	files   []experiment.File
}

// The outputs of Map.
const (
	MapTable      = "map.csv"
	MapCellsTable = "map_cells.csv"
)

// mapRun is what Map prepared: its grid and its summary without results.
type mapRun struct {
	run  *Run
	spec MapSummary
}

// Map trains a grid of runs over two hyperparameters (and seeds), in
// parallel, and writes to its folder data.csv (of the first cell), map.csv
// (one row per run: the axes, then seed,status,steps,train_mse,test_mse,
// grad_norm_sq), map_cells.csv (each cell over seeds: counts by status and
// the min, median, max and mean test MSE), summary.json, timing.json, the
// heat map figure map (median test MSE on a log colour scale) and the
// figure map_lines (test MSE against x, one line per row). With a Shard it
// trains only the shard's cells and writes data.csv, map.csv, timing.json
// and shard.json, for Merge.
var Map = &experiment.Experiment[*MapSettings, *mapRun, *MapResult]{
	Name:    "map",
	Summary: "train on a grid of two hyperparameters (and seeds), in parallel, and draw the test MSE as a heat map",
	Usage:   "-x AXIS=VALUES [-y AXIS=VALUES] [-seeds K] [-lr η] [-steps N] [-batch B] [-out DIR] [flags]",
	Prepare: func(c *MapSettings) (*experiment.Prepared[*mapRun], error) {
		layout, g, base, err := c.resolve()
		if err != nil {
			return nil, err
		}
		run, err := newRun("map", layout, g, base, c.Shard, train.Footprint{Graph: train.PlainGraph})
		if err != nil {
			return nil, err
		}
		spec := c.summary(run.Setup(), g.Len())
		if c.Reference != "" {
			if spec.Reference, err = loadReference(c.Reference, &spec); err != nil {
				return nil, err
			}
		}
		return &experiment.Prepared[*mapRun]{Data: run.Setup().Data(), Identity: run.Identity(), State: &mapRun{run, spec}}, nil
	},
	Execute: func(ctx context.Context, c *MapSettings, m *mapRun, env *experiment.Env) (*MapResult, error) {
		plan, err := m.run.Plan()
		if err != nil {
			return nil, err
		}
		rows, _, stop := m.run.Train(ctx, env, plan, "map")
		if rows == nil && stop != nil {
			return nil, stop
		}
		setup := m.run.Setup()
		var res *MapResult
		if c.Shard.Whole() {
			res = finishMap(m.spec, setup.Data().Test, rows, stop != nil)
		} else {
			res = &MapResult{Summary: m.spec, Rows: rows}
			if res.files, err = m.run.shardFiles(0, m.spec, rows, nil, stop != nil); err != nil {
				return nil, err
			}
		}
		res.Out, res.Workers, res.shard = env.Dir, setup.Workers, c.Shard
		res.WallSeconds, res.resumed = env.WallSeconds(), env.Resumed()
		steps := 0
		for _, r := range rows {
			steps += r.Steps
		}
		if res.WallSeconds > 0 {
			res.StepsPerSecond = math.Round(float64(steps) / res.WallSeconds)
		}
		res.files = append(res.files, experiment.JSONFile("timing.json", struct {
			WallSeconds    float64 `json:"wall_seconds"`
			Runs           int     `json:"runs"`
			Steps          int     `json:"steps"`
			StepsPerSecond float64 `json:"steps_per_second"`
			Workers        int     `json:"workers"`
			Cores          int     `json:"cores"`
			FromJournal    int64   `json:"runs_from_journal"`
			Computed       int64   `json:"runs_computed"`
			experiment.ComputedBy
		}{res.WallSeconds, len(rows), steps, res.StepsPerSecond, setup.Workers, runtime.NumCPU(),
			env.FromJournal.Load(), env.Computed.Load(), experiment.Provenance()}))
		return res, stop
	},
}

// summary is the map's summary without results, on the first cell's setup
// of a grid of runs runs.
func (c *MapSettings) summary(setup *experiment.Setup, runs int) MapSummary {
	s := MapSummary{X: c.X, Y: c.Y, Seeds: max(c.Seeds, 1), Runs: runs, Steps: c.Steps,
		Tol: experiment.Number(setup.Tol), MaxSteps: setup.MaxSteps, Arch: setup.Arch, RNG: setup.RNG, Dtype: setup.Dtype,
		TrackSharpness: c.TrackSharpness}
	if c.Y.Values == nil {
		s.Y.Values = []float64{}
	}
	number := func(name string, v float64) *experiment.Number {
		if s.has(name) {
			return nil
		}
		n := experiment.Number(v)
		return &n
	}
	whole := func(name string, v int) *int {
		if s.has(name) {
			return nil
		}
		return &v
	}
	s.LR, s.Sigma, s.Lambda, s.Scale = number("lr", c.LR), number("sigma", c.Sigma), number("lambda", c.Lambda), number("scale", setup.Scale)
	s.Batch, s.N, s.Dim, s.Width = whole("batch", c.Batch), whole("n", setup.N), whole("dim", setup.Dim), whole("width", setup.Width)
	if s.has("seed") {
		s.Seeds = 1
	} else {
		seed := setup.Seed
		s.Seed = &seed
	}
	return s
}

// resolve checks the map's axes against each other and against the other
// settings, and returns its layout, its grid and the spec of a run before
// the axes set their values.
func (c *MapSettings) resolve() (Layout, grid.Grid, experiment.RunSpec, error) {
	l := Layout{X: c.X.Name, Y: c.Y.Name}
	base := experiment.RunSpec{Config: c.Config, Training: c.Training, TrackSharpness: c.TrackSharpness}
	fail := func(format string, a ...any) (Layout, grid.Grid, experiment.RunSpec, error) {
		return l, grid.Grid{}, base, fmt.Errorf("%w: "+format, append([]any{experiment.ErrConfig}, a...)...)
	}
	if l.X == "" {
		return fail("map needs an axis: -x AXIS=VALUES (AXIS one of %s)", joinComma(experiment.AxisNames()))
	}
	axes := []grid.Axis{c.X}
	if l.Y != "" {
		axes = append(axes, c.Y)
	}
	has := map[string]bool{}
	for _, a := range axes {
		if _, err := experiment.LookupAxis(a.Name); err != nil {
			return l, grid.Grid{}, base, err
		}
		has[a.Name] = true
	}
	switch {
	case l.X == l.Y:
		return fail("x and y are both %s: a map needs two different axes", l.X)
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
	seeds, err := experiment.SeedValues(c.Seed, c.Seeds)
	if err != nil {
		return l, grid.Grid{}, base, err
	}
	g := l.Grid(c.X.Values, c.Y.Values, seeds)
	if n := float64(len(c.X.Values)) * float64(max(1, len(c.Y.Values))) * float64(len(seeds)); n > maxMapRuns {
		return fail("the map has %.0f runs, more than %d", n, maxMapRuns)
	}
	return l, g, base, nil
}

// finishMap returns the result and the files of a whole map: map.csv,
// map_cells.csv, summary.json and the figures. Map and Merge both end here,
// so that they write the same bytes.
func finishMap(spec MapSummary, test dataset.Split, rows []MapRow, stopped bool) *MapResult {
	res := &MapResult{Summary: spec, Rows: rows, Cells: Cells(rows)}
	sum := &res.Summary
	sum.Interrupted = stopped
	sum.ConstantTestMSE = experiment.Number(dataset.ConstantMSE(test, 1))
	sum.TotalSteps = 0
	for _, r := range rows {
		sum.TotalSteps += r.Steps
	}
	sum.Rows = summarizeRows(sum, res.Cells)
	addCurvature(sum, rows, res.Cells)
	l := sum.Layout()
	res.files = []experiment.File{
		l.rowsFile(MapTable, rows),
		l.cellsFile(MapCellsTable, res.Cells),
		experiment.FigureFile("map", func() (*plots.HeatMapFigure, error) { return MapFigure(sum, res.Cells) }),
		experiment.FigureFile("map_lines", func() (*plots.Plot, error) { return MapLinesFigure(sum, res.Cells) }),
	}
	if sum.TrackSharpness > 0 {
		res.files = append(res.files, experiment.FigureFile("map_regimes", func() (*plots.CategoryMapFigure, error) {
			return MapRegimesFigure(sum, res.Cells)
		}))
	}
	if sum.X.Name == "lr" {
		res.files = append(res.files, experiment.FigureFile("map_curvature", func() (*plots.HeatMapFigure, error) {
			return MapCurvatureFigure(sum, res.Cells)
		}))
	}
	res.files = append(res.files, experiment.JSONFile("summary.json", sum))
	return res
}

// Files are what Map writes: see Map.
func (r *MapResult) Files() []experiment.File { return r.files }

// rowValues returns the values of y, or one value for a map of one row.
func (s *MapSummary) rowValues() []float64 {
	if s.Y.Name == "" {
		return []float64{0}
	}
	return s.Y.Values
}

// summarizeRows reads the numbers of every row of a map off its cells.
func summarizeRows(s *MapSummary, cells []MapCell) []MapRowSummary {
	nan := experiment.Number(math.NaN())
	var out []MapRowSummary
	for _, y := range s.rowValues() {
		r := MapRowSummary{Y: experiment.Number(y), BestX: nan, BestTestMSE: nan, FirstDivergedLR: nan,
			SmallestX: nan, SmallestXTestMSE: nan, SmallestXOverBest: nan}
		if s.Y.Name == "" {
			r.Y = nan
		}
		for _, c := range cells {
			if c.Y != y {
				continue
			}
			if c.Finished() && (math.IsNaN(float64(r.BestTestMSE)) || c.Median < float64(r.BestTestMSE)) {
				r.BestX, r.BestTestMSE = experiment.Number(c.X), experiment.Number(c.Median)
			}
			if s.X.Name == "lr" && c.Diverged > 0 && (math.IsNaN(float64(r.FirstDivergedLR)) || c.X < float64(r.FirstDivergedLR)) {
				r.FirstDivergedLR = experiment.Number(c.X)
			}
			if math.IsNaN(float64(r.SmallestX)) || c.X < float64(r.SmallestX) {
				r.SmallestX, r.SmallestXTestMSE = experiment.Number(c.X), nan
				if c.Finished() {
					r.SmallestXTestMSE = experiment.Number(c.Median)
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
		return nil, fmt.Errorf("grids: %w", err)
	}
	res := &MapResult{Out: dir}
	if err := json.Unmarshal(b, &res.Summary); err != nil {
		return nil, fmt.Errorf("grids: %s: %w", filepath.Join(dir, "summary.json"), err)
	}
	if res.Summary.X.Name == "" {
		return nil, fmt.Errorf("grids: %s is not the summary of a map", filepath.Join(dir, "summary.json"))
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
	d := "GD"
	switch {
	case s.has("batch"):
		d = "SGD"
	case *s.Batch > 0:
		d = fmt.Sprintf("SGD (B %d)", *s.Batch)
	}
	switch {
	case s.has("sigma"):
		d = "label-noise " + d
	case *s.Sigma > 0:
		d = fmt.Sprintf("label-noise %s (σ %g)", d, float64(*s.Sigma))
	}
	if !s.has("lr") {
		d += fmt.Sprintf(" at lr %g", float64(*s.LR))
	}
	switch {
	case s.has("lambda"):
		d += " on L + λ‖∇L‖²"
	case *s.Lambda > 0:
		d += fmt.Sprintf(" on L + %g‖∇L‖²", float64(*s.Lambda))
	}
	if s.Steps > 0 {
		return d + fmt.Sprintf(", %d steps", s.Steps)
	}
	return d + fmt.Sprintf(", to train MSE < %g", float64(s.Tol))
}

// WriteTable prints the numbers of every row and the cost of the map.
func (r *MapResult) WriteTable(w io.Writer) error {
	if err := writeResumed(w, r.resumed); err != nil {
		return err
	}
	if !r.shard.Whole() {
		return writeShard(w, r.shard, len(r.Rows))
	}
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
	f := func(v experiment.Number, format string) string {
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
	if err := s.writeCurvature(w); err != nil {
		return err
	}
	if r.WallSeconds > 0 {
		_, err := fmt.Fprintf(w, "\n%d runs, %d steps in %.1f s on %d workers: %.0f steps/s\n", len(r.Rows), s.TotalSteps, r.WallSeconds, r.Workers, r.StepsPerSecond)
		return err
	}
	return nil
}
