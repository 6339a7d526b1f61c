package experiment

import (
	"fmt"
	"strings"

	"github.com/igr-project/igr/graph"
	"github.com/igr-project/igr/regularizer"
	"github.com/igr-project/igr/train"
	"github.com/igr-project/igr/train/grid"
)

// RunSpec is everything that determines one training run as igr train takes
// it: the problem's configuration and the training settings. A cell of a
// sweep or a map is the run of its spec, so that it is bit for bit the run
// igr train makes with the same flags.
type RunSpec struct {
	Config
	Training
	// HistoryEvery, if positive, records the history; it changes no number.
	HistoryEvery int `igr:"history-every"`
	// TrackSharpness, if positive, measures the sharpness every that many
	// steps and at each of the first EarlySteps steps into the history
	// (TrackSettings), from which the run's regime is read (RegimeOf); it
	// changes no number of the run.
	TrackSharpness int `igr:"track-sharpness"`
}

// Training is how one run trains: the settings of igr train that every
// cell of a map shares unless an axis varies them.
type Training struct {
	// LR is the step of GD. Zero means 0.01.
	LR float64 `igr:"lr" default:"0.01"`
	// Steps, if positive, runs exactly that many steps instead of stopping
	// at the tolerance.
	Steps int `igr:"steps"`
	// Sigma, if positive, trains with label noise of that standard
	// deviation; it needs Steps.
	Sigma float64 `igr:"sigma"`
	// Lambda, if positive, trains on L + λ‖∇L‖².
	Lambda float64 `igr:"lambda"`
	// Batch, if positive, trains by minibatch SGD with batches of Batch
	// examples (1 to n; n is full-batch GD).
	Batch int `igr:"batch"`
}

// Settings returns the training settings of the spec on its resolved setup.
func (r RunSpec) Settings(setup *Setup) train.Settings {
	st := TrackSettings(setup.Settings(r.LR), r.TrackSharpness)
	st.Steps = r.Steps
	st.LabelNoise = r.Sigma
	st.HistoryEvery = r.HistoryEvery
	st.Batch = r.Batch
	if r.Lambda > 0 {
		st.Penalties = []graph.Penalty{regularizer.GradientNorm{Lambda: r.Lambda}}
	}
	return st
}

// Cost estimates the work of the run on its resolved setup, to start the
// longest runs of a grid first: its steps (GD to a tolerance takes about a
// fixed time steps × η) times the size of a step.
func (r RunSpec) Cost(s *Setup) float64 {
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

// Check returns an error for a spec that cannot be run: a parameter out of
// its range, or label noise without a fixed number of steps.
func (r RunSpec) Check() error {
	if err := Check(&r); err != nil {
		return err
	}
	if r.Sigma > 0 && r.Steps == 0 {
		return fmt.Errorf("%w: -sigma needs -steps: label-noise training runs a fixed number of steps", ErrConfig)
	}
	return nil
}

// Graph is the size of the run's graph in train.Footprint's units: a graph
// differentiated through its gradient when it trains on a penalty or
// records the SGD regularizer.
func (r RunSpec) Graph() float64 {
	if r.Lambda > 0 || r.Batch > 0 {
		return train.RegularizedGraph
	}
	return train.PlainGraph
}

// Axis is a hyperparameter a grid of runs can vary: a parameter, and how a
// value of it sets a run's spec.
type Axis struct {
	*Param
	// Help says what the axis varies, for labels.
	Help string
	set  func(*RunSpec, float64)
}

// Axes lists the hyperparameters of a map, in the order the help lists them.
var Axes = []Axis{
	{params["lr"], "learning rate η", func(r *RunSpec, v float64) { r.LR = v }},
	{params["width"], "hidden units m", func(r *RunSpec, v float64) { r.Width = int(v) }},
	{params["scale"], "output divisor", func(r *RunSpec, v float64) { r.Scale = v }},
	{params["n"], "training examples", func(r *RunSpec, v float64) { r.N = int(v) }},
	{params["dim"], "input dimension d", func(r *RunSpec, v float64) { r.Dim = int(v) }},
	{params["sigma"], "label noise σ", func(r *RunSpec, v float64) { r.Sigma = v }},
	{params["lambda"], "λ of the penalty λ‖∇L‖²", func(r *RunSpec, v float64) { r.Lambda = v }},
	{params["batch"], "batch size B of minibatch SGD, 1 to n", func(r *RunSpec, v float64) { r.Batch = int(v) }},
	{params["seed"], "seed of data and initialization", func(r *RunSpec, v float64) { r.Seed = uint64(v) }},
}

// AxisNames lists the names of Axes.
func AxisNames() []string {
	names := make([]string, len(Axes))
	for i, a := range Axes {
		names[i] = a.Name
	}
	return names
}

// LookupAxis returns the named axis.
func LookupAxis(name string) (Axis, error) {
	for _, a := range Axes {
		if a.Name == name {
			return a, nil
		}
	}
	return Axis{}, fmt.Errorf("%w: unknown axis %q (want %s)", ErrConfig, name, strings.Join(AxisNames(), ", "))
}

// Set puts a value of the axis into a run's spec.
func (a Axis) Set(r *RunSpec, v float64) { a.set(r, v) }

// Check returns an error unless every value is one the axis takes: the
// parameter's check, and whole numbers for the sizes, the batch and the
// seed.
func (a Axis) Check(values []float64) error {
	if len(values) == 0 {
		return fmt.Errorf("%w: axis %s has no values", ErrConfig, a.Name)
	}
	for _, v := range values {
		if err := a.checkValue(v); err != nil {
			return fmt.Errorf("%w: %s %w", ErrConfig, a.Name, err)
		}
	}
	return nil
}

// ParseAxis parses an axis of a map, AXIS=VALUES, given as the flag named
// flagName (-x, -y).
func ParseAxis(flagName, s string) (grid.Axis, error) {
	name, values, ok := strings.Cut(s, "=")
	if !ok {
		return grid.Axis{}, fmt.Errorf("%w: %s %q is not AXIS=VALUES (AXIS one of %s)", ErrConfig, flagName, s, strings.Join(AxisNames(), ", "))
	}
	a := grid.Axis{Name: strings.TrimSpace(name)}
	var err error
	if a.Values, err = grid.ParseValues(values); err != nil {
		return a, fmt.Errorf("%w: %s %s: %w", ErrConfig, flagName, a.Name, err)
	}
	return a, nil
}

// SeedValues returns the k seeds from seed on (k < 1 means 1), as the values
// of a seed axis.
func SeedValues(seed uint64, k int) ([]float64, error) {
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
