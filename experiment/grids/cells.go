package grids

import (
	"math"
	"slices"
	"strings"

	"github.com/igr-project/igr/experiment"
	"github.com/igr-project/igr/train"
	"github.com/igr-project/igr/train/grid"
)

// cells makes the runs of the cells of a grid whose axes are
// hyperparameters (experiment.Axes): each cell is the base spec with the
// cell's value on every axis. The setups (data and initialization) are
// resolved once per distinct configuration and shared by the cells, which
// never modify them.
type cells struct {
	grid   grid.Grid
	base   experiment.RunSpec
	axes   []experiment.Axis // of the grid's axes, in order
	setups map[setupKey]*experiment.Setup
}

// setupKey is what distinguishes the setups of a grid's cells.
type setupKey struct {
	seed          uint64
	n, dim, width int
	scale         float64
}

func newCells(g grid.Grid, base experiment.RunSpec) (*cells, error) {
	c := &cells{grid: g, base: base, setups: map[setupKey]*experiment.Setup{}}
	for _, a := range g.Axes {
		h, err := experiment.LookupAxis(a.Name)
		if err != nil {
			return nil, err
		}
		if err := h.Check(a.Values); err != nil {
			return nil, err
		}
		c.axes = append(c.axes, h)
	}
	return c, nil
}

// checkMemory refuses, before anything large is allocated, a grid whose
// largest cell (every axis at its largest value, a cell of the grid) would
// not fit in memory trained work.Runs times, as many at a time as there are
// workers, with the data sets of all the grid's setups held at once, which
// the cache does. It resolves that cell; the other cells are resolved
// without a check of their own, which would count their memory twice.
func (c *cells) checkMemory(work train.Footprint) error {
	largest := grid.Cell{Values: make([]float64, len(c.grid.Axes))}
	work.DataSets = 1
	for k, a := range c.grid.Axes {
		largest.Values[k] = slices.Max(a.Values)
		switch a.Name {
		case "seed", "n", "dim", "width", "scale":
			work.DataSets *= len(a.Values)
		}
	}
	r := c.spec(largest)
	if r.Lambda > 0 {
		work.Graph = max(work.Graph, train.RegularizedGraph)
	}
	s, err := r.Config.ResolveFor(work)
	if err != nil {
		return err
	}
	c.setups[keyOf(r)] = s
	c.base.MaxMemory = math.MaxInt64
	return nil
}

// spec returns the spec of a cell.
func (c *cells) spec(cell grid.Cell) experiment.RunSpec {
	r := c.base
	for k, h := range c.axes {
		h.Set(&r, cell.Values[k])
	}
	return r
}

// keyOf is the key of a spec's setup.
func keyOf(r experiment.RunSpec) setupKey { return setupKey{r.Seed, r.N, r.Dim, r.Width, r.Scale} }

// setup returns the resolved setup of a spec.
func (c *cells) setup(r experiment.RunSpec) (*experiment.Setup, error) {
	key := keyOf(r)
	if s, ok := c.setups[key]; ok {
		return s, nil
	}
	s, err := r.Config.Resolve()
	if err != nil {
		return nil, err
	}
	c.setups[key] = s
	return s, nil
}

// run returns a cell's spec, setup and training settings.
func (c *cells) run(cell grid.Cell) (experiment.RunSpec, *experiment.Setup, train.Settings, error) {
	r := c.spec(cell)
	if err := r.Check(); err != nil {
		return r, nil, train.Settings{}, err
	}
	s, err := c.setup(r)
	if err != nil {
		return r, nil, train.Settings{}, err
	}
	if err := s.CheckBatch(r.Batch); err != nil {
		return r, nil, train.Settings{}, err
	}
	return r, s, r.Settings(s), nil
}

// job returns the training of a cell.
func (c *cells) job(cell grid.Cell) (train.Job, error) {
	_, s, st, err := c.run(cell)
	if err != nil {
		return train.Job{}, err
	}
	return train.Job{Problem: s.Problem, Settings: st}, nil
}

// cost estimates the work of a cell; see experiment.RunSpec.Cost.
func (c *cells) cost(cell grid.Cell) float64 {
	r, s, _, err := c.run(cell)
	if err != nil {
		return 0
	}
	return r.Cost(s)
}

// first returns the setup of the grid's first cell: its data set is the one
// an output folder shows.
func (c *cells) first() (*experiment.Setup, error) {
	_, s, _, err := c.run(c.grid.Cell(0))
	return s, err
}

// fingerprint identifies the whole grid by what determines its results: the
// fingerprint of every cell's run, in canonical order.
func (c *cells) fingerprint() (string, error) {
	var b strings.Builder
	for i := range c.grid.Len() {
		_, s, st, err := c.run(c.grid.Cell(i))
		if err != nil {
			return "", err
		}
		b.WriteString(experiment.RunFingerprint(s, &st))
	}
	return experiment.HashString(b.String()), nil
}
