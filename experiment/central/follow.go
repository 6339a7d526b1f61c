package central

import (
	"context"
	"errors"
	"fmt"
	"math"

	"gorgonia.org/tensor"

	"github.com/igr-project/igr/train"
	"github.com/igr-project/igr/train/centralflow"
)

// Graph is the size of the central flow's graphs in multiples of n×width
// values, for train.Footprint: the loss, its Hessian-vector product, its
// third derivative and the test error (centralflow.Network). Measured as
// the peak resident memory of igr central on the edge at n = width = 2000
// (1.83 GB), which its estimate with the two gradient flows' graphs
// (train.PlainGraph and train.RegularizedGraph), 2.35 GB, exceeds by 28%.
const Graph = 3 * train.RegularizedGraph

// NewNetwork returns the central flow's landscape of a problem: the
// training MSE of its architecture on its data, in float64, at its
// initialization.
func NewNetwork(p *train.Problem) (*centralflow.Network, error) {
	net, err := centralflow.NewNetwork(p.Arch, p.Data, p.Init.As(tensor.Float64), nil)
	if err != nil {
		return nil, fmt.Errorf("central: %w", err)
	}
	return net, nil
}

// Start is where the central flow of GD with step η starts: GD's first
// iterate whose sharpness is at most 2/η, the initialization unless GD
// starts above the edge (a catapult, outside the theory).
type Start struct {
	centralflow.EdgeStart
	// InitialLoss is the training loss at the initialization.
	InitialLoss float64
}

// Catapult reports whether GD started above 2/η.
func (s *Start) Catapult() bool { return s.Step > 0 }

// Note says, in one sentence, where the flow starts and, for a catapult,
// that the start is outside the theory.
func (s *Start) Note(eta float64) string {
	if !s.Catapult() {
		return fmt.Sprintf("GD starts below the edge (sharpness %.4g ≤ 2/η = %.4g): the flows start from the initialization", s.Initial, 2/eta)
	}
	loss := fmt.Sprintf("GD's loss rose from %.4g to %.4g", s.InitialLoss, s.MaxLoss)
	if !(s.MaxLoss > s.InitialLoss) {
		loss = fmt.Sprintf("GD's loss did not rise above its initial %.4g", s.InitialLoss)
	}
	return fmt.Sprintf("GD starts above the edge (sharpness %.4g > 2/η = %.4g), a catapult, outside the central flow's theory: "+
		"%s, and its sharpness fell to %.4g at step %d, GD's first iterate below 2/η, where the flows start",
		s.Initial, 2/eta, loss, s.Sharpness, s.Step)
}

// ErrNoStart is returned, wrapped, when GD diverges, or its sharpness
// stays above 2/η, before the flow can start.
var ErrNoStart = errors.New("central: GD's sharpness did not fall below 2/η")

// FindStart runs GD with step eta on net from w0 to its first iterate with
// sharpness at most 2/η, at most maxSteps steps. It returns an error
// wrapping ErrNoStart when there is none.
func FindStart(ctx context.Context, net *centralflow.Network, w0 []float64, eta float64, maxSteps int) (*Start, error) {
	es, err := centralflow.FirstBelowEdge(ctx, net, w0, eta, maxSteps)
	if ctx.Err() != nil {
		return nil, fmt.Errorf("central: %w", ctx.Err())
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNoStart, err)
	}
	loss, err := net.Gradient(w0, make([]float64, len(w0)))
	if err != nil {
		return nil, fmt.Errorf("central: %w", err)
	}
	return &Start{EdgeStart: *es, InitialLoss: loss}, nil
}

// Followed is what Follow computed.
type Followed struct {
	// Start is where the flow started.
	Start *Start
	// Final is the flow's last point, W its parameters there.
	Final centralflow.Point
	W     []float64
	Stats centralflow.Stats
}

// Follow integrates the central flow of GD with step eta on problem p from
// the start (the initialization, or GD's first iterate below 2/η, found
// within the first horizon steps), to time horizon in GD steps, and calls
// observe at each of times (GD steps, increasing) that is not before the
// start, and at the horizon, with the point and its parameters (which
// observe must neither keep nor modify). When GD diverges, or stays above
// the edge until the horizon, before the flow can start, the error wraps
// ErrNoStart.
func Follow(ctx context.Context, p *train.Problem, eta float64, horizon int, times []int, observe func(k int, pt centralflow.Point, w []float64) error) (*Followed, error) {
	net, err := NewNetwork(p)
	if err != nil {
		return nil, err
	}
	defer net.Close()
	w0 := p.Init.As(tensor.Float64).Flat()
	start, err := FindStart(ctx, net, w0, eta, horizon)
	if err != nil {
		return nil, err
	}
	var at []float64
	for _, k := range times {
		if k >= start.Step && k < horizon && (len(at) == 0 || float64(k) > at[len(at)-1]) {
			at = append(at, float64(k))
		}
	}
	if len(at) == 0 || at[len(at)-1] < float64(horizon) {
		at = append(at, float64(horizon))
	}
	res, err := centralflow.Run(ctx, net, start.W, at, &centralflow.Settings{LearningRate: eta, Start: float64(start.Step)},
		func(pt centralflow.Point, w []float64) error {
			if observe == nil {
				return nil
			}
			return observe(int(math.Round(pt.T)), pt, w)
		})
	if err != nil {
		return nil, fmt.Errorf("central: %w", err)
	}
	return &Followed{Start: start, Final: res.Points[len(res.Points)-1], W: res.W, Stats: res.Stats}, nil
}
