package train

import (
	"encoding"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"

	"github.com/igr-project/igr/graph"
	"github.com/igr-project/igr/internal/atomicfile"
)

// Checkpoint is the state of a run at the start of a step: enough to continue
// it to the bit-identical result of a run that was never stopped.
type Checkpoint struct {
	// Step is the number of steps taken; Params are θ at that step.
	Step   int
	Params graph.Params
	// Noise is the state of the label-noise generator, nil without noise.
	Noise []byte
	// Batches is the state of the generator of the order of the examples in
	// minibatch SGD, after it drew Order, the permutation of the epoch under
	// way; both nil in full-batch runs.
	Batches []byte
	Order   []int
	// History holds the points recorded so far.
	History []Point
	// SharpnessInit is the run's Result.SharpnessInit (NaN when not
	// measured); Tracker is the state of the sharpness tracker
	// (curvature.Tracker.State: the next start vector and the last
	// estimate's vector), nil when the run does not track sharpness.
	SharpnessInit float64
	Tracker       [2][]float64
	// Fingerprint identifies the run (settings, data, initialization); a
	// checkpoint resumes only the run it was taken from.
	Fingerprint string
}

// ErrCheckpoint is returned, wrapped, for a checkpoint that cannot resume a
// run.
var ErrCheckpoint = errors.New("train: unusable checkpoint")

// checkpointFile is the JSON form of a Checkpoint. Numbers that must come
// back bit for bit are stored as base64 of their little-endian IEEE 754
// bits.
type checkpointFile struct {
	Version     int         `json:"version"`
	Fingerprint string      `json:"fingerprint"`
	Step        int         `json:"step"`
	Shapes      [][2]int    `json:"shapes"`
	Params      string      `json:"params"`
	Noise       []byte      `json:"noise,omitempty"`
	Batches     []byte      `json:"batches,omitempty"`
	Order       []int       `json:"order,omitempty"`
	History     []pointFile `json:"history,omitempty"`
	// Sharpness: SharpnessInit, then the tracker's two vectors, absent
	// without sharpness.
	SharpnessInit string `json:"sharpness_init,omitempty"`
	TrackerStart  string `json:"tracker_start,omitempty"`
	TrackerLast   string `json:"tracker_last,omitempty"`
}

type pointFile struct {
	Step      int      `json:"step"`
	Values    string   `json:"values"` // loss, train, test, grad norm, then terms
	Terms     []string `json:"terms,omitempty"`
	Sharpness string   `json:"sharpness,omitempty"` // absent when not measured
}

func encodeFloats(v []float64) string {
	b := make([]byte, 8*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint64(b[8*i:], math.Float64bits(x))
	}
	return base64.StdEncoding.EncodeToString(b)
}

func decodeFloats(s string) ([]float64, error) {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(b)%8 != 0 {
		return nil, fmt.Errorf("%w: malformed numbers", ErrCheckpoint)
	}
	v := make([]float64, len(b)/8)
	for i := range v {
		v[i] = math.Float64frombits(binary.LittleEndian.Uint64(b[8*i:]))
	}
	return v, nil
}

// WriteFile writes c to path atomically.
func (c *Checkpoint) WriteFile(path string) error {
	f := checkpointFile{Version: 1, Fingerprint: c.Fingerprint, Step: c.Step, Params: encodeFloats(c.Params.Flat()), Noise: c.Noise,
		Batches: c.Batches, Order: c.Order}
	for _, p := range c.Params {
		f.Shapes = append(f.Shapes, [2]int{p.Shape()[0], p.Shape()[1]})
	}
	for _, p := range c.History {
		v := []float64{p.Loss, p.TrainMSE, p.TestMSE, p.GradNormSq}
		var names []string
		for _, t := range p.Terms {
			v = append(v, t.Value)
			names = append(names, t.Name)
		}
		pf := pointFile{Step: p.Step, Values: encodeFloats(v), Terms: names}
		if !math.IsNaN(p.Sharpness) {
			pf.Sharpness = encodeFloats([]float64{p.Sharpness})
		}
		f.History = append(f.History, pf)
	}
	if !math.IsNaN(c.SharpnessInit) {
		f.SharpnessInit = encodeFloats([]float64{c.SharpnessInit})
	}
	if c.Tracker[0] != nil {
		f.TrackerStart, f.TrackerLast = encodeFloats(c.Tracker[0]), encodeFloats(c.Tracker[1])
	}
	b, err := json.Marshal(f)
	if err != nil {
		return fmt.Errorf("train: checkpoint: %w", err)
	}
	if err := atomicfile.WriteBytes(path, b); err != nil {
		return fmt.Errorf("train: checkpoint: %w", err)
	}
	return nil
}

// ReadCheckpoint reads a checkpoint written by WriteFile.
func ReadCheckpoint(path string) (*Checkpoint, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	var f checkpointFile
	if err := json.Unmarshal(b, &f); err != nil || f.Version != 1 {
		return nil, fmt.Errorf("%w: %s is not a checkpoint of this version", ErrCheckpoint, path)
	}
	flat, err := decodeFloats(f.Params)
	if err != nil {
		return nil, err
	}
	c := &Checkpoint{Step: f.Step, Noise: f.Noise, Batches: f.Batches, Order: f.Order, Fingerprint: f.Fingerprint,
		SharpnessInit: math.NaN()}
	n := 0
	for _, s := range f.Shapes {
		if s[0] <= 0 || s[1] <= 0 {
			return nil, fmt.Errorf("%w: bad shape %v", ErrCheckpoint, s)
		}
		c.Params = append(c.Params, graph.NewMatrix(s[0], s[1], nil))
		n += s[0] * s[1]
	}
	if n != len(flat) || f.Step < 0 {
		return nil, fmt.Errorf("%w: %s holds %d numbers for %d parameters", ErrCheckpoint, path, len(flat), n)
	}
	c.Params.SetFlat(flat)
	for _, p := range f.History {
		v, err := decodeFloats(p.Values)
		if err != nil || len(v) != 4+len(p.Terms) {
			return nil, fmt.Errorf("%w: malformed history", ErrCheckpoint)
		}
		pt := Point{Step: p.Step, Loss: v[0], TrainMSE: v[1], TestMSE: v[2], GradNormSq: v[3], Sharpness: math.NaN()}
		for i, name := range p.Terms {
			pt.Terms = append(pt.Terms, Term{Name: name, Value: v[4+i]})
		}
		if p.Sharpness != "" {
			if pt.Sharpness, err = decodeFloat(p.Sharpness); err != nil {
				return nil, err
			}
		}
		c.History = append(c.History, pt)
	}
	if f.SharpnessInit != "" {
		if c.SharpnessInit, err = decodeFloat(f.SharpnessInit); err != nil {
			return nil, err
		}
	}
	if f.TrackerStart != "" {
		start, err := decodeFloats(f.TrackerStart)
		if err != nil {
			return nil, err
		}
		last, err := decodeFloats(f.TrackerLast)
		if err != nil {
			return nil, err
		}
		if len(start) != n || (len(last) != n && len(last) != 0) {
			return nil, fmt.Errorf("%w: sharpness tracker of %d and %d numbers for %d parameters", ErrCheckpoint, len(start), len(last), n)
		}
		if len(last) == 0 {
			last = nil
		}
		c.Tracker = [2][]float64{start, last}
	}
	return c, nil
}

// decodeFloat decodes one number stored by encodeFloats.
func decodeFloat(s string) (float64, error) {
	v, err := decodeFloats(s)
	if err != nil || len(v) != 1 {
		return 0, fmt.Errorf("%w: malformed number", ErrCheckpoint)
	}
	return v[0], nil
}

// snapshot returns the state of the run at the start of step, res holding
// what it recorded so far.
func (r *runner) snapshot(step int, res *Result) (*Checkpoint, error) {
	c := &Checkpoint{Step: step, Params: r.params.Clone(), History: append([]Point(nil), res.History...),
		Fingerprint: r.cfg.Fingerprint, SharpnessInit: res.SharpnessInit}
	if r.sharpness != nil && r.sharpness.tracker != nil {
		c.Tracker[0], c.Tracker[1] = r.sharpness.tracker.State()
	}
	if r.source != nil {
		m, ok := r.source.(encoding.BinaryMarshaler)
		if !ok {
			return nil, fmt.Errorf("train: the label-noise generator %T cannot be saved", r.source)
		}
		var err error
		if c.Noise, err = m.MarshalBinary(); err != nil {
			return nil, fmt.Errorf("train: %w", err)
		}
	}
	if r.batches != nil {
		var err error
		if c.Batches, err = r.batches.perm.MarshalBinary(); err != nil {
			return nil, fmt.Errorf("train: %w", err)
		}
		c.Order = append([]int(nil), r.batches.order...)
	}
	return c, nil
}

// restore puts the run in the state of c.
func (r *runner) restore(c *Checkpoint) error {
	if c.Fingerprint != r.cfg.Fingerprint {
		return fmt.Errorf("%w: it was taken from another run (settings, data or initialization differ)", ErrCheckpoint)
	}
	if len(c.Params) != len(r.params) {
		return fmt.Errorf("%w: %d parameters, the run has %d", ErrCheckpoint, len(c.Params), len(r.params))
	}
	for i := range c.Params {
		if !c.Params[i].Shape().Eq(r.params[i].Shape()) {
			return fmt.Errorf("%w: parameter %d has shape %v, the run's %v", ErrCheckpoint, i, c.Params[i].Shape(), r.params[i].Shape())
		}
	}
	r.params.CopyFrom(c.Params)
	if (r.source == nil) != (c.Noise == nil) {
		return fmt.Errorf("%w: label noise differs", ErrCheckpoint)
	}
	if r.source != nil {
		u, ok := r.source.(encoding.BinaryUnmarshaler)
		if !ok {
			return fmt.Errorf("train: the label-noise generator %T cannot be restored", r.source)
		}
		if err := u.UnmarshalBinary(c.Noise); err != nil {
			return fmt.Errorf("%w: %w", ErrCheckpoint, err)
		}
	}
	if (r.batches == nil) != (c.Batches == nil) {
		return fmt.Errorf("%w: minibatch SGD differs", ErrCheckpoint)
	}
	if r.batches != nil {
		if !isPermutation(c.Order, r.batches.n) {
			return fmt.Errorf("%w: the order of the epoch is not a permutation of the %d training examples", ErrCheckpoint, r.batches.n)
		}
		if err := r.batches.perm.UnmarshalBinary(c.Batches); err != nil {
			return fmt.Errorf("%w: %w", ErrCheckpoint, err)
		}
		copy(r.batches.order, c.Order)
	}
	if r.sharpness != nil && r.sharpness.tracker != nil && c.Tracker[0] != nil {
		if err := r.sharpness.tracker.Restore(c.Tracker[0], c.Tracker[1]); err != nil {
			return fmt.Errorf("%w: %w", ErrCheckpoint, err)
		}
	}
	return nil
}

// isPermutation reports whether order is a permutation of 0, …, n−1.
func isPermutation(order []int, n int) bool {
	if len(order) != n {
		return false
	}
	seen := make([]bool, n)
	for _, v := range order {
		if v < 0 || v >= n || seen[v] {
			return false
		}
		seen[v] = true
	}
	return true
}
