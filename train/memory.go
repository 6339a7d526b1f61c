package train

import (
	"fmt"
	"math"
	"runtime"
	"strconv"
	"strings"

	"github.com/igr-project/igr/internal/sysmem"
)

// The graph's buffers of one run, in multiples of n×width values (the
// network's hidden activations and what its derivatives keep of them),
// measured as the peak resident memory of igr (/usr/bin/time -f %M) at
// n = width = 2000, float64, one run at a time, less that of the data: 7 for
// plain gradient descent (train, sweep); 11 to 18 for a graph that is
// differentiated through its gradient once (noise and reproduce record the
// label-noise regularizer, compare -sweep trains on (η/4)‖∇L‖², sharpness
// takes Hessian-vector products, flow integrates the flow of
// L + (η/4)‖∇L‖²); 26 to 29 for compare, whose runs record both
// regularizers and train on one. For every command at those sizes, and for
// train at n = 200,000 or width = 100,000, Footprint.Bytes was within −10%
// and +45% of the measured peak.
const (
	PlainGraph       = 8
	RegularizedGraph = 16
)

// What measuring the sharpness (Settings.Sharpness, TrackSharpness) adds to
// a run, measured as the peak resident memory of igr train -max-steps 3
// (which measures it at both ends) less that of the same run without it:
// the graph of Hessian-vector products, in multiples of n×width float64
// values (+167 MB at n = 20,000, width 200, where the parameters are few),
// and the vectors of the Lanczos method, in copies of the parameters,
// float64, garbage included (+1.48 GB at n = 200, width 20,000, 620,000
// parameters; +212 MB at n = width = 2,000; +8.2 GB at n = 200, width
// 100,000).
const (
	sharpnessGraph   = 5
	sharpnessVectors = 270
)

// The sizes of the blog's problem: n training examples, input dimension d
// and hidden units m. They are every experiment's defaults, and the sizes a
// MemoryError weighs a footprint's against.
const (
	BlogN     = 200
	BlogDim   = 30
	BlogWidth = 100
)

// Per-item costs of the estimate, in bytes, measured the same way.
const (
	baseBytes        = 32 << 20 // the program itself
	rowBytes         = 800      // per example of the data set written out: data.csv and the data figure
	cellBytes        = 48       // per number of that data set (inputs and target)
	paramCopies      = 3        // copies of the parameters a run holds: its own, gradient, initialization
	dataCopiesPerRun = 1        // a run's own view of the inputs it trains and tests on
)

// Footprint is what sets the memory a command needs: the sizes of its
// models, how many data sets it holds and how many runs it trains, how many
// at a time. The zero value of each count means one.
type Footprint struct {
	// N is the number of training examples; the test set has as many.
	N int
	// Dim is the input dimension d, Width the hidden units m.
	Dim, Width int
	// Dtype is what training computes in: "float32" halves the graph's
	// buffers. Empty means float64.
	Dtype string
	// DataSets is the number of data sets held at once (one per seed).
	DataSets int
	// Runs is the number of runs; Workers how many train at a time (zero
	// means GOMAXPROCS).
	Runs, Workers int
	// Graph is the size of one run's graph buffers in multiples of
	// N×Width values: PlainGraph, RegularizedGraph. Zero means PlainGraph.
	Graph float64
	// Snapshots is the number of copies of the parameters kept for later
	// (a trajectory), beyond those of the runs.
	Snapshots int
	// Sharpness says every run also measures its sharpness
	// (Settings.Sharpness, TrackSharpness): it holds the graph of the
	// Hessian-vector products and the vectors of the Lanczos method.
	Sharpness bool
}

// Concurrent is the number of runs that train at a time: the fewer of Runs
// and Workers.
func (f Footprint) Concurrent() int {
	workers := f.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	return min(max(f.Runs, 1), workers)
}

// Bytes estimates the peak memory of the command in bytes: the program, the
// data sets, the graphs and parameters of the runs that train at a time, and
// the snapshots. It is computed in float64 so that absurd sizes do not
// overflow.
func (f Footprint) Bytes() float64 {
	n, d, m := float64(f.N), float64(f.Dim), float64(f.Width)
	elem := 8.0
	if f.Dtype == "float32" {
		elem = 4
	}
	graph := f.Graph
	if graph <= 0 {
		graph = PlainGraph
	}
	rows := 2 * n // training and test sets
	params := (d + 1) * m * 8
	// The first data set is written out and drawn; the others (seeds) are
	// held with their initializations.
	data := rows*(rowBytes+cellBytes*(d+1)) + float64(max(f.DataSets, 1)-1)*(rows*(d+1)*8+params)
	run := graph*n*m*elem + paramCopies*params + dataCopiesPerRun*rows*(d+1)*elem
	if f.Sharpness {
		run += sharpnessGraph*n*m*8 + sharpnessVectors*params
	}
	return baseBytes + data + float64(f.Concurrent())*run + float64(max(f.Snapshots, 0))*params
}

// MemoryError says that a command would need more memory than it may use.
type MemoryError struct {
	// Flag names the size that weighs most, as on the command line
	// ("-width 1000000000"); empty if none is far above its default.
	Flag string
	// Footprint is what was estimated; Need its estimate in bytes.
	Footprint Footprint
	Need      float64
	// Limit is the memory in bytes the command may use, and Source where
	// that number comes from.
	Limit  int64
	Source string
}

func (e *MemoryError) Error() string {
	f := e.Footprint
	runs := "1 run"
	if c := f.Concurrent(); c > 1 {
		runs = fmt.Sprintf("%d runs", c)
	}
	what := "this run"
	if e.Flag != "" {
		what = e.Flag
	}
	return fmt.Sprintf("train: %s needs about %s of memory (n %d, dim %d, width %d, %s at a time), more than the %s %s; use smaller sizes%s or set -max-memory",
		what, FormatBytes(e.Need), f.N, f.Dim, f.Width, runs, FormatBytes(float64(e.Limit)), e.Source, fewerWorkers(f))
}

// Unwrap makes a MemoryError an ErrSettings: sizes that cannot be run.
func (e *MemoryError) Unwrap() error { return ErrSettings }

// fewerWorkers suggests -workers when runs train in parallel.
func fewerWorkers(f Footprint) string {
	if f.Concurrent() > 1 {
		return ", fewer -workers"
	}
	return ""
}

// CheckMemory returns a *MemoryError if f is estimated to need more than
// limit bytes. A limit of zero means the memory this machine has available
// (sysmem.Available); if that is not known, nothing is refused.
func CheckMemory(f Footprint, limit int64) error {
	source := "given by -max-memory"
	if limit <= 0 {
		var ok bool
		if limit, source, ok = sysmem.Available(); !ok {
			return nil
		}
	}
	need := f.Bytes()
	if need <= float64(limit) {
		return nil
	}
	return &MemoryError{Flag: heaviest(f), Footprint: f, Need: need, Limit: limit, Source: source}
}

// heaviest names the flag to make smaller: the one whose default (one
// worker, one seed) would shrink the estimate most. It returns "" if none
// would halve it.
func heaviest(f Footprint) string {
	need := f.Bytes()
	best, bestFactor := "", 2.0
	for _, c := range []struct {
		flag  string
		value int
		reset func(*Footprint)
	}{
		{"-n", f.N, func(g *Footprint) { g.N = min(g.N, BlogN) }},
		{"-width", f.Width, func(g *Footprint) { g.Width = min(g.Width, BlogWidth) }},
		{"-dim", f.Dim, func(g *Footprint) { g.Dim = min(g.Dim, BlogDim) }},
		{"-seeds", max(f.DataSets, 1), func(g *Footprint) { g.DataSets = 1 }},
		{"-workers", f.Concurrent(), func(g *Footprint) { g.Workers = 1 }},
	} {
		g := f
		c.reset(&g)
		if factor := need / g.Bytes(); factor >= bestFactor {
			best, bestFactor = fmt.Sprintf("%s %d", c.flag, c.value), factor
		}
	}
	return best
}

// FormatBytes writes a number of bytes with a binary unit and three
// significant digits (four from 1000 to 1023): 512 B, 1.5 KiB, 23.4 GiB,
// 1020 MiB.
func FormatBytes(b float64) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}
	u := 0
	for b >= 1023.5 && u < len(units)-1 {
		b /= 1024
		u++
	}
	digits := 0
	switch {
	case u == 0:
	case b < 9.995:
		digits = 2
	case b < 99.95:
		digits = 1
	}
	s := strconv.FormatFloat(b, 'f', digits, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s + " " + units[u]
}

// ParseBytes reads a memory size: a number of bytes, or a number followed by
// K, M, G or T (powers of 1024, as Slurm's --mem reads them), optionally
// with "B" or "iB": 16G, 512MiB, 1.5T, 2000000000.
func ParseBytes(s string) (int64, error) {
	t := strings.TrimSpace(s)
	upper := strings.ToUpper(t)
	upper = strings.TrimSuffix(strings.TrimSuffix(upper, "IB"), "B")
	scale := 1.0
	if upper != "" {
		if i := strings.IndexByte("KMGTP", upper[len(upper)-1]); i >= 0 {
			scale = math.Pow(1024, float64(i+1))
			upper = upper[:len(upper)-1]
		}
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(upper), 64)
	if err != nil || !(v > 0) || v*scale >= math.MaxInt64 {
		return 0, fmt.Errorf("%w: memory size %q is not a positive size such as 16G, 512M or 2000000000", ErrSettings, s)
	}
	return int64(math.Ceil(v * scale)), nil
}
