package experiment

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/igr-project/igr/graph"
	"github.com/igr-project/igr/regularizer"
	"github.com/igr-project/igr/train"
	"github.com/igr-project/igr/train/grid"
)

// runSpec is everything that determines one training run as igr train takes
// it: the problem's configuration and the training settings. A cell of a
// sweep or a map is the run of its spec, so that it is bit for bit the run
// igr train makes with the same flags.
type runSpec struct {
	Config
	// LR is the step of GD.
	LR float64
	// Steps, if positive, runs exactly that many steps instead of stopping
	// at the tolerance.
	Steps int
	// Sigma, if positive, trains with label noise of that standard
	// deviation; it needs Steps.
	Sigma float64
	// Lambda, if positive, trains on L + λ‖∇L‖².
	Lambda float64
	// Batch, if positive, trains by minibatch SGD with batches of Batch
	// examples (1 to n; n is full-batch GD).
	Batch int
	// HistoryEvery, if positive, records the history; it changes no number.
	HistoryEvery int
}

// settings returns the training settings of the spec on its resolved setup.
func (r runSpec) settings(setup *Setup) train.Settings {
	st := setup.settings(r.LR)
	st.Steps = r.Steps
	st.LabelNoise = r.Sigma
	st.HistoryEvery = r.HistoryEvery
	st.Batch = r.Batch
	if r.Lambda > 0 {
		st.Penalties = []graph.Penalty{regularizer.GradientNorm{Lambda: r.Lambda}}
	}
	return st
}

// cost estimates the work of the run on its resolved setup, to start the
// longest runs of a grid first: its steps (GD to a tolerance takes about a
// fixed time steps × η) times the size of a step.
func (r runSpec) cost(s *Setup) float64 {
	steps := float64(r.Steps)
	if steps == 0 {
		steps = 1 / r.LR
	}
	work := steps * float64(s.N) * float64(s.Width) * float64(s.Dim)
	if r.Lambda > 0 {
		work *= 3 // differentiating through the gradient
	}
	if r.Batch > 0 && r.Batch < s.N {
		work *= float64(r.Batch) / float64(s.N) // a step sees a batch
	}
	return work
}

// check returns an error for training settings that cannot be run.
func (r runSpec) check() error {
	switch {
	case !(r.LR > 0) || math.IsInf(r.LR, 0):
		return fmt.Errorf("%w: learning rate must be a positive number, got %g", ErrConfig, r.LR)
	case r.Steps < 0 || r.HistoryEvery < 0:
		return fmt.Errorf("%w: steps must not be negative", ErrConfig)
	case r.Sigma < 0 || math.IsNaN(r.Sigma) || math.IsInf(r.Sigma, 0):
		return fmt.Errorf("%w: label noise σ must be a finite number ≥ 0, got %g", ErrConfig, r.Sigma)
	case r.Sigma > 0 && r.Steps == 0:
		return fmt.Errorf("%w: label-noise training needs a fixed number of steps", ErrConfig)
	case r.Lambda < 0 || math.IsNaN(r.Lambda) || math.IsInf(r.Lambda, 0):
		return fmt.Errorf("%w: λ must be a finite number ≥ 0, got %g", ErrConfig, r.Lambda)
	case r.Batch < 0:
		return fmt.Errorf("%w: batch size must be positive, got %d", ErrConfig, r.Batch)
	}
	return nil
}

// Hyperparameter is something a grid of runs can vary along an axis.
type Hyperparameter struct {
	// Name names the axis, and its column in the tables.
	Name string
	// Help says what the axis varies.
	Help string
	// whole: the values are whole numbers; min: the least value, excluded
	// when open.
	whole bool
	min   float64
	open  bool
	// set puts a value into a run's spec.
	set func(*runSpec, float64)
}

// maxWhole bounds whole-number axes (sizes and seeds) to what converts to
// an int and back exactly.
const maxWhole = 1 << 53

// Hyperparameters lists the axes of a map, in the order the help lists them.
var Hyperparameters = []Hyperparameter{
	{Name: "lr", Help: "learning rate η", open: true, set: func(r *runSpec, v float64) { r.LR = v }},
	{Name: "width", Help: "hidden units m", whole: true, min: 1, set: func(r *runSpec, v float64) { r.Width = int(v) }},
	{Name: "scale", Help: "output divisor", open: true, set: func(r *runSpec, v float64) { r.Scale = v }},
	{Name: "n", Help: "training examples", whole: true, min: 1, set: func(r *runSpec, v float64) { r.N = int(v) }},
	{Name: "dim", Help: "input dimension d", whole: true, min: 1, set: func(r *runSpec, v float64) { r.Dim = int(v) }},
	{Name: "sigma", Help: "label noise σ", set: func(r *runSpec, v float64) { r.Sigma = v }},
	{Name: "lambda", Help: "λ of the penalty λ‖∇L‖²", set: func(r *runSpec, v float64) { r.Lambda = v }},
	{Name: "batch", Help: "batch size B of minibatch SGD, 1 to n", whole: true, min: 1, set: func(r *runSpec, v float64) { r.Batch = int(v) }},
	{Name: "seed", Help: "seed of data and initialization", whole: true, set: func(r *runSpec, v float64) { r.Seed = uint64(v) }},
}

// HyperparameterNames lists the names of Hyperparameters.
func HyperparameterNames() []string {
	names := make([]string, len(Hyperparameters))
	for i, h := range Hyperparameters {
		names[i] = h.Name
	}
	return names
}

// hyperparameter returns the named hyperparameter.
func hyperparameter(name string) (Hyperparameter, error) {
	for _, h := range Hyperparameters {
		if h.Name == name {
			return h, nil
		}
	}
	return Hyperparameter{}, fmt.Errorf("%w: unknown axis %q (want %s)", ErrConfig, name, strings.Join(HyperparameterNames(), ", "))
}

// Check returns an error unless every value is one the axis takes.
func (h Hyperparameter) Check(values []float64) error {
	if len(values) == 0 {
		return fmt.Errorf("%w: axis %s has no values", ErrConfig, h.Name)
	}
	for _, v := range values {
		bound := "≥"
		if h.open {
			bound = ">"
		}
		switch {
		case math.IsNaN(v) || math.IsInf(v, 0):
			return fmt.Errorf("%w: %s %g is not a finite number", ErrConfig, h.Name, v)
		case v < h.min || h.open && v == h.min:
			return fmt.Errorf("%w: %s must be %s %g, got %g", ErrConfig, h.Name, bound, h.min, v)
		case h.whole && (v != math.Trunc(v) || v > maxWhole):
			return fmt.Errorf("%w: %s must be a whole number, got %g", ErrConfig, h.Name, v)
		}
	}
	return nil
}

// cellRuns makes the runs of the cells of a grid whose axes are
// hyperparameters: each cell is the base spec with the cell's value on every
// axis. The setups (data and initialization) are resolved once per distinct
// configuration and shared by the cells, which never modify them.
type cellRuns struct {
	grid   grid.Grid
	base   runSpec
	axes   []Hyperparameter // of the grid's axes, in order
	setups map[setupKey]*Setup
}

// setupKey is what distinguishes the setups of a grid's cells.
type setupKey struct {
	seed          uint64
	n, dim, width int
	scale         float64
}

func newCellRuns(g grid.Grid, base runSpec) (*cellRuns, error) {
	c := &cellRuns{grid: g, base: base, setups: map[setupKey]*Setup{}}
	for _, a := range g.Axes {
		h, err := hyperparameter(a.Name)
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
func (c *cellRuns) checkMemory(work Footprint) error {
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
		work.Graph = max(work.Graph, RegularizedGraph)
	}
	s, err := r.Config.resolve(work)
	if err != nil {
		return err
	}
	c.setups[keyOf(r)] = s
	c.base.MaxMemory = math.MaxInt64
	return nil
}

// spec returns the spec of a cell.
func (c *cellRuns) spec(cell grid.Cell) runSpec {
	r := c.base
	for k, h := range c.axes {
		h.set(&r, cell.Values[k])
	}
	return r
}

// keyOf is the key of a spec's setup.
func keyOf(r runSpec) setupKey { return setupKey{r.Seed, r.N, r.Dim, r.Width, r.Scale} }

// setup returns the resolved setup of a spec.
func (c *cellRuns) setup(r runSpec) (*Setup, error) {
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
func (c *cellRuns) run(cell grid.Cell) (runSpec, *Setup, train.Settings, error) {
	r := c.spec(cell)
	if err := r.check(); err != nil {
		return r, nil, train.Settings{}, err
	}
	s, err := c.setup(r)
	if err != nil {
		return r, nil, train.Settings{}, err
	}
	if err := s.checkBatch(r.Batch); err != nil {
		return r, nil, train.Settings{}, err
	}
	return r, s, r.settings(s), nil
}

// job returns the training of a cell.
func (c *cellRuns) job(cell grid.Cell) (train.Job, error) {
	_, s, st, err := c.run(cell)
	if err != nil {
		return train.Job{}, err
	}
	return train.Job{Problem: s.Problem, Settings: st}, nil
}

// cost estimates the work of a cell; see runSpec.cost.
func (c *cellRuns) cost(cell grid.Cell) float64 {
	r, s, _, err := c.run(cell)
	if err != nil {
		return 0
	}
	return r.cost(s)
}

// first returns the setup of the grid's first cell: its data set is the one
// an output folder shows.
func (c *cellRuns) first() (*Setup, error) {
	_, s, _, err := c.run(c.grid.Cell(0))
	return s, err
}

// fingerprint identifies the whole grid by what determines its results: the
// fingerprint of every cell's run, in canonical order.
func (c *cellRuns) fingerprint() (string, error) {
	var b strings.Builder
	for i := range c.grid.Len() {
		_, s, st, err := c.run(c.grid.Cell(i))
		if err != nil {
			return "", err
		}
		b.WriteString(fingerprint(s, &st))
	}
	return hashString(b.String()), nil
}

// seedValues returns the k seeds from seed on (k < 1 means 1), as the values
// of a seed axis.
func seedValues(seed uint64, k int) ([]float64, error) {
	k = max(k, 1)
	if seed > maxWhole-uint64(k) {
		return nil, fmt.Errorf("%w: seeds of a grid must be below 2^53, got %d", ErrConfig, seed)
	}
	out := make([]float64, k)
	for i := range out {
		out[i] = float64(seed + uint64(i))
	}
	return out, nil
}
