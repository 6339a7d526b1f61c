package grids

import (
	"github.com/igr-project/igr/experiment"
	"github.com/igr-project/igr/internal/tidycsv"
	"github.com/igr-project/igr/train"
	"github.com/igr-project/igr/train/grid"
	"github.com/igr-project/igr/train/regime"
)

// Layout names the axes of a grid of runs as its tables show them: X, and Y
// for a map (empty for a grid of one axis, as a sweep over learning rates
// is). Every grid also varies the seed: over Seeds seeds, or along X or Y
// when one of them is "seed".
type Layout struct {
	X string `json:"x"`
	Y string `json:"y,omitempty"`
}

// SweepLayout is the layout of a sweep: learning rates along x.
var SweepLayout = Layout{X: "lr"}

// Grid returns the grid of runs of the layout: the seeds outermost (unless
// an axis is the seed), then the values of y, then those of x.
func (l Layout) Grid(x, y, seeds []float64) grid.Grid {
	var g grid.Grid
	if l.X != "seed" && l.Y != "seed" {
		g.Axes = append(g.Axes, grid.Axis{Name: "seed", Values: seeds})
	}
	if l.Y != "" {
		g.Axes = append(g.Axes, grid.Axis{Name: l.Y, Values: y})
	}
	g.Axes = append(g.Axes, grid.Axis{Name: l.X, Values: x})
	return g
}

// MapRow is one run of a grid: a row of map.csv, or of sweep.csv.
type MapRow struct {
	// X and Y are the run's values on the x and y axes; Y is 0 in a grid
	// of one axis. On a seed axis they equal Seed.
	X, Y       float64
	Seed       uint64       `csv:"seed"`
	Status     train.Status `csv:"status"`
	Steps      int          `csv:"steps"`
	TrainMSE   float64      `csv:"train_mse"`
	TestMSE    float64      `csv:"test_mse"`
	GradNormSq float64      `csv:"grad_norm_sq"`
	// Regime is the run's regime, read off its tracked sharpness and loss
	// (experiment.RegimeOf): stable, edge, catapult, diverged or
	// unclassified; empty where the run did not track its sharpness or was
	// interrupted. SharpnessMaxRatio is the largest ηS/2 along the run
	// (NaN where not tracked); SharpnessInit and SharpnessFinal are the
	// sharpness at the initial and the final parameters.
	Regime            regime.Regime `csv:"regime"`
	SharpnessInit     float64       `csv:"sharpness_init"`
	SharpnessFinal    float64       `csv:"sharpness_final"`
	SharpnessMaxRatio float64       `csv:"sharpness_max_ratio"`
}

// MapCell summarizes the runs of one cell over seeds: a row of
// map_cells.csv, or of sweep_bands.csv.
type MapCell struct {
	X, Y float64
	grid.Spread
	Regimes
}

// Regimes counts the runs of a cell by regime; the diverged ones are
// Spread.Diverged.
type Regimes struct {
	Stable       int `csv:"stable"`
	Edge         int `csv:"edge"`
	Catapult     int `csv:"catapult"`
	Unclassified int `csv:"unclassified"`
}

// add counts a run of regime g; diverged runs and runs without a regime
// are not counted here.
func (c *Regimes) add(g regime.Regime) {
	switch g {
	case regime.Stable:
		c.Stable++
	case regime.Edge:
		c.Edge++
	case regime.Catapult:
		c.Catapult++
	case regime.Unclassified:
		c.Unclassified++
	}
}

// axisColumns returns the columns of the layout's axes, x then y; an axis
// that is the seed has the seed column of the rows instead, unless cells
// (which have no seed column) are asked for.
func axisColumns[R any](l Layout, cells bool, x, y func(*R) *float64) []tidycsv.Column[R] {
	var cols []tidycsv.Column[R]
	if l.X != "seed" || cells {
		cols = append(cols, tidycsv.FloatColumn(l.X, x))
	}
	if l.Y != "" && (l.Y != "seed" || cells) {
		cols = append(cols, tidycsv.FloatColumn(l.Y, y))
	}
	return cols
}

// rowTable is the table of the layout's runs: the axes, then
// seed,status,steps,train_mse,test_mse,grad_norm_sq.
func (l Layout) rowTable() tidycsv.Schema[MapRow] {
	cols := axisColumns(l, false, func(r *MapRow) *float64 { return &r.X }, func(r *MapRow) *float64 { return &r.Y })
	return tidycsv.NewSchema(append(cols, tidycsv.ColumnsOf[MapRow]()...)...)
}

// rowsFile is a table of the layout's runs, name (map.csv, sweep.csv).
func (l Layout) rowsFile(name string, rows []MapRow) experiment.File {
	return experiment.File{Name: name, Write: func(path string) error { return l.rowTable().Write(path, rows) }}
}

// cellsFile is a table of the layout's cells, name (map_cells.csv,
// sweep_bands.csv).
func (l Layout) cellsFile(name string, cells []MapCell) experiment.File {
	return experiment.File{Name: name, Write: func(path string) error { return l.cellTable().Write(path, cells) }}
}

// cellTable is the table of the layout's cells: the axes, then the spread
// over seeds.
func (l Layout) cellTable() tidycsv.Schema[MapCell] {
	cols := axisColumns(l, true, func(r *MapCell) *float64 { return &r.X }, func(r *MapCell) *float64 { return &r.Y })
	return tidycsv.NewSchema(append(cols, tidycsv.ColumnsOf[MapCell]()...)...)
}

// RowColumns are the columns of the layout's runs (map.csv, sweep.csv).
func (l Layout) RowColumns() []string { return l.rowTable().Names() }

// CellColumns are the columns of the layout's cells (map_cells.csv,
// sweep_bands.csv).
func (l Layout) CellColumns() []string { return l.cellTable().Names() }

// ReadRows reads the runs of a grid with this layout (map.csv, sweep.csv).
func (l Layout) ReadRows(path string) ([]MapRow, error) {
	rows, err := l.rowTable().Read(path)
	for i := range rows {
		if l.X == "seed" {
			rows[i].X = float64(rows[i].Seed)
		}
		if l.Y == "seed" {
			rows[i].Y = float64(rows[i].Seed)
		}
	}
	return rows, err
}

// ReadCells reads the cells of a grid with this layout (map_cells.csv,
// sweep_bands.csv).
func (l Layout) ReadCells(path string) ([]MapCell, error) { return l.cellTable().Read(path) }

// values returns a run's value on every axis of g.
func (l Layout) values(r MapRow, g grid.Grid) []float64 {
	out := make([]float64, len(g.Axes))
	for k, a := range g.Axes {
		switch a.Name {
		case "seed":
			out[k] = float64(r.Seed)
		case l.X:
			out[k] = r.X
		case l.Y:
			out[k] = r.Y
		}
	}
	return out
}

// mapRow returns the row of a trained cell of g.
func (l Layout) mapRow(g grid.Grid, o grid.Outcome) MapRow {
	r := o.Result
	row := MapRow{Status: r.Status, Steps: r.Steps, TrainMSE: r.TrainMSE, TestMSE: r.TestMSE, GradNormSq: r.GradNormSq,
		SharpnessInit: r.SharpnessInit, SharpnessFinal: r.SharpnessFinal}
	row.Regime, row.SharpnessMaxRatio = experiment.RegimeOf(r, &o.Job.Settings)
	row.X, _ = g.Value(o.Cell, l.X)
	if l.Y != "" {
		row.Y, _ = g.Value(o.Cell, l.Y)
	}
	seed, _ := g.Value(o.Cell, "seed")
	row.Seed = uint64(seed)
	return row
}

// Cells summarizes runs over seeds: one cell per (x, y), in the order the
// cells first appear.
func Cells(rows []MapRow) []MapCell {
	type key struct{ x, y float64 }
	index := map[key]int{}
	var cells []MapCell
	var statuses [][]train.Status
	var values [][]float64
	var regimes []Regimes
	for _, r := range rows {
		k := key{r.X, r.Y}
		i, ok := index[k]
		if !ok {
			i = len(cells)
			index[k] = i
			cells = append(cells, MapCell{X: r.X, Y: r.Y})
			statuses, values, regimes = append(statuses, nil), append(values, nil), append(regimes, Regimes{})
		}
		statuses[i] = append(statuses[i], r.Status)
		values[i] = append(values[i], r.TestMSE)
		regimes[i].add(r.Regime)
	}
	for i := range cells {
		cells[i].Spread = grid.SpreadOf(statuses[i], values[i])
		cells[i].Regimes = regimes[i]
	}
	return cells
}

// RunRows returns the rows of a sweep as the rows of runs.csv-like tables.
func RunRows(rows []MapRow) []experiment.RunRow {
	out := make([]experiment.RunRow, len(rows))
	for i, r := range rows {
		out[i] = experiment.RunRow{LR: r.X, Seed: r.Seed, Status: r.Status, Steps: r.Steps,
			TrainMSE: r.TrainMSE, TestMSE: r.TestMSE, GradNormSq: r.GradNormSq, SharpnessInit: r.SharpnessInit, SharpnessFinal: r.SharpnessFinal}
	}
	return out
}
