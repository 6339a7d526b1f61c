package experiment

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"

	"gorgonia.org/tensor"

	"github.com/igr-project/igr/graph"
	"github.com/igr-project/igr/internal/random"
	"github.com/igr-project/igr/internal/torchrand"
	"github.com/igr-project/igr/train"
	"github.com/igr-project/igr/train/dataset"
)

// The blog's sizes, every experiment's defaults.
const (
	DefaultN     = train.BlogN
	DefaultDim   = train.BlogDim
	DefaultWidth = train.BlogWidth
)

// ErrConfig is returned, wrapped, when settings cannot be used: bad values,
// unreadable files, shapes that disagree, an output folder that holds other
// results.
var ErrConfig = errors.New("experiment: invalid configuration")

// Output says where an experiment writes and how it reports. Every
// experiment's settings embed it.
type Output struct {
	// Out is the output folder; it is created if needed. Empty means
	// out/<the experiment's name>. A folder holding the results of another
	// experiment, or of another configuration of this one, is refused unless
	// Force is set.
	Out   string `igr:"out"`
	Force bool   `igr:"force"`

	// Log receives progress reports. Nil means none.
	Log io.Writer
}

// output returns the Output of settings that embed one.
func (o *Output) output() *Output { return o }

// Config holds what every experiment that trains shares: the problem (data,
// initialization, architecture), how a run stops, and how runs are computed.
// The zero value of each field means its default.
type Config struct {
	Output

	// Seed seeds the data, the initialization and the label noise.
	Seed uint64 `igr:"seed"`

	// N is the number of training examples (the test set has as many).
	// Zero means DefaultN.
	N int `igr:"n" default:"200"`

	// Dim is the input dimension d. Zero means DefaultDim, or the data
	// file's.
	Dim int `igr:"dim"`

	// Width is the number of hidden units m. Zero means DefaultWidth, or the
	// initialization file's.
	Width int `igr:"width"`

	// Scale divides the network's output. Zero means 1.
	Scale float64 `igr:"scale" default:"1"`

	// Arch names the architecture, one of Architectures. Empty means
	// "quadratic".
	Arch string `igr:"arch" default:"quadratic"`

	// RNG names the random generator: "igr" (the default; separate seeded
	// streams for data, initialization and label noise) or "torch"
	// (PyTorch's CPU generator, number for number: torch.manual_seed(Seed)
	// then randn(2n, d) for the data; manual_seed(Seed) then xavier_normal_
	// for A, and label noise drawn after it from the same generator, as the
	// blog's code does). The order of the examples in minibatch SGD always
	// comes from the project's own random.Batch stream of Seed: PyTorch's
	// data loaders draw theirs otherwise.
	RNG string `igr:"rng" default:"igr"`

	// Dtype is what training computes in: "float64" (the default) or
	// "float32", as PyTorch's default tensors.
	Dtype string `igr:"dtype" default:"float64"`

	// DataFile, if set, is a data set to use instead of generating one.
	DataFile string `igr:"data"`

	// InitFile, if set, is where the initial parameters come from: a file
	// holding the first-layer matrix A (Dim×Width, no header), the other
	// parameters starting at zero, or a folder holding every parameter in
	// its ParamsFile, read by ReadParams (the output folder of igr train,
	// which writes its final parameters so). Starting from a trained
	// params_A.csv alone, with b = 0, starts from the zero predictor; from
	// the trained run's folder, from the trained network itself (a
	// checkpoint continues a run bit for bit, the history included).
	InitFile string `igr:"init"`

	// Tol is the training-MSE goal. Zero means train.DefaultTol.
	Tol float64 `igr:"tol" default:"0.0001"`

	// MaxSteps caps runs that stop on convergence. Zero means
	// train.DefaultMaxSteps.
	MaxSteps int `igr:"max-steps" default:"1000000"`

	// Workers is the number of runs trained in parallel. Zero means
	// GOMAXPROCS.
	Workers int `igr:"workers"`

	// MaxMemory is the memory in bytes a command may use: one whose
	// estimated footprint (see train.Footprint) is larger is refused before
	// it allocates anything. Zero means the memory available to the process.
	MaxMemory Bytes `igr:"max-memory"`
}

// Configuration returns the Config of settings that embed one.
func (c *Config) Configuration() *Config { return c }

// ConfigPrepare returns the Prepare step of an experiment that resolves its
// settings' Config for work and needs nothing else of the preparation: its
// state is the Setup.
func ConfigPrepare[S interface{ Configuration() *Config }](work train.Footprint) func(S) (*Prepared[*Setup], error) {
	return func(s S) (*Prepared[*Setup], error) { return PrepareSetup(s.Configuration(), work) }
}

// PrepareSetup resolves c for work into the preparation of an experiment
// whose state is the Setup.
func PrepareSetup(c *Config, work train.Footprint) (*Prepared[*Setup], error) {
	setup, err := c.ResolveFor(work)
	if err != nil {
		return nil, err
	}
	return &Prepared[*Setup]{Data: setup.Data(), Identity: SetupIdentity(setup), State: setup}, nil
}

// Architectures lists the architectures a Config can name.
var Architectures = map[string]func(dim, width int, scale float64) graph.Architecture{
	"quadratic": func(d, m int, s float64) graph.Architecture { return graph.Quadratic{Dim: d, Width: m, Scale: s} },
	"tanh":      func(d, m int, s float64) graph.Architecture { return graph.Tanh{Dim: d, Width: m, Scale: s} },
	// The linear model w·x, whose loss is a quadratic with the Hessian
	// (2/n)XᵀX/s²: curvature, stability and regimes known in closed form
	// from the data. It has no hidden units: the width is ignored.
	"linear": func(d, _ int, s float64) graph.Architecture { return graph.Linear{Dim: d, Scale: s} },
}

// Setup is a Config resolved into the problem it trains.
type Setup struct {
	Config
	Problem *train.Problem
	// newNoise returns the label-noise generator of a seed.
	newNoise func(seed uint64) graph.NormalSource
}

// generators returns the sources of the data and the initialization of rng,
// and its label-noise generator for a seed and an architecture.
func generators(rng string, seed uint64) (data, init graph.NormalSource, noise func(graph.Architecture, uint64) graph.NormalSource) {
	if rng == "torch" {
		return torchrand.NewFloat64(seed), torchrand.NewFloat64(seed), func(arch graph.Architecture, s uint64) graph.NormalSource {
			g := torchrand.NewFloat64(s)
			arch.Init(g) // the noise follows the initialization's draws
			return g
		}
	}
	return random.New(seed, random.Data), random.New(seed, random.Init),
		func(_ graph.Architecture, s uint64) graph.NormalSource { return random.New(s, random.Noise) }
}

// Data is the data set of the setup.
func (s *Setup) Data() *dataset.Set { return s.Problem.Data }

// Resolve checks c, loads or generates the data and the initialization, and
// returns the problem they define. It writes nothing. It refuses, with a
// *train.MemoryError, sizes whose data and one run of plain gradient descent
// would not fit in memory (see Config.MaxMemory).
func (c Config) Resolve() (*Setup, error) { return c.ResolveFor(train.Footprint{}) }

// ResolveFor is Resolve for a command whose runs, data sets and graphs are
// those of work; it fills in the sizes.
func (c Config) ResolveFor(work train.Footprint) (*Setup, error) {
	Defaults(&c)
	if err := Check(&c); err != nil {
		return nil, err
	}
	if c.Workers == 0 {
		c.Workers = runtime.GOMAXPROCS(0)
	}
	dataSrc, initSrc, noise := generators(c.RNG, c.Seed)
	var data *dataset.Set
	var err error
	n := c.N // the examples of each split, for the memory estimate
	if c.DataFile != "" {
		if data, err = dataset.ReadFile(c.DataFile, c.N); err != nil {
			return nil, fmt.Errorf("%w: -data: %w", ErrConfig, err)
		}
		if c.Dim != 0 && c.Dim != data.Dim {
			return nil, fmt.Errorf("%w: -dim is %d but %s has %d input columns", ErrConfig, c.Dim, c.DataFile, data.Dim)
		}
		c.Dim = data.Dim
		n = max(data.Train.Len(), data.Test.Len())
	} else if c.Dim == 0 {
		c.Dim = DefaultDim
	}
	var a []float64
	var given graph.Params // every parameter, from a folder
	if c.InitFile != "" {
		var rows, cols int
		if fi, err := os.Stat(c.InitFile); err == nil && fi.IsDir() {
			var arch graph.Architecture
			if arch, given, err = ReadParams(c.InitFile, c.Dim, func(w int) graph.Architecture { return Architectures[c.Arch](c.Dim, w, c.Scale) }); err != nil {
				return nil, err
			}
			cols = arch.Params()[0].Cols
		} else if a, rows, cols, err = dataset.ReadMatrixFile(c.InitFile); err != nil {
			return nil, fmt.Errorf("%w: -init: %w", ErrConfig, err)
		} else if rows != c.Dim {
			return nil, fmt.Errorf("%w: %s has %d rows, the data have dimension %d", ErrConfig, c.InitFile, rows, c.Dim)
		}
		if c.Width != 0 && c.Width != cols {
			return nil, fmt.Errorf("%w: -width is %d but %s has %d columns", ErrConfig, c.Width, c.InitFile, cols)
		}
		c.Width = cols
	}
	if c.Width == 0 {
		c.Width = DefaultWidth
	}
	work.N, work.Dim, work.Width, work.Dtype, work.Workers = n, c.Dim, c.Width, c.Dtype, c.Workers
	work.Sharpness = true // every run measures it (Setup.Settings)
	if err := train.CheckMemory(work, int64(c.MaxMemory)); err != nil {
		return nil, err
	}
	if data == nil {
		if data, err = dataset.Generate(dataSrc, c.N, c.Dim); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrConfig, err)
		}
	}
	arch := Architectures[c.Arch](c.Dim, c.Width, c.Scale)
	var init graph.Params
	switch {
	case given != nil:
		init = given
	case a != nil:
		init = graph.ZeroParams(arch.Params())
		if first := arch.Params()[0]; first.Rows*first.Cols != len(a) {
			return nil, fmt.Errorf("%w: %s is %d×%d, but %s of the %s network is %d×%d", ErrConfig, c.InitFile, c.Dim, c.Width,
				first.Name, arch.Name(), first.Rows, first.Cols)
		}
		copy(init.Data(0), a)
	default:
		init = arch.Init(initSrc)
	}
	newNoise := func(s uint64) graph.NormalSource { return noise(arch, s) }
	return &Setup{Config: c, Problem: &train.Problem{Arch: arch, Data: data, Init: init}, newNoise: newNoise}, nil
}

// WithScale returns the problem with the same data and initial parameters
// and the network output divided by scale instead.
func (s *Setup) WithScale(scale float64) *train.Problem {
	p := *s.Problem
	p.Arch = Architectures[s.Arch](s.Dim, s.Width, scale)
	return &p
}

// Settings returns the training settings of the Config for learning rate
// lr: its tolerance, step cap, dtype, and the seeds and generator of its
// label noise and minibatch order. Every run measures its sharpness at the
// initial and the final parameters (train.Settings.Sharpness).
func (s *Setup) Settings(lr float64) train.Settings {
	dtype := tensor.Float64
	if s.Dtype == "float32" {
		dtype = tensor.Float32
	}
	return train.Settings{LearningRate: lr, Tol: s.Tol, MaxSteps: s.MaxSteps, NoiseSeed: s.Seed, NewNoise: s.newNoise, Dtype: dtype,
		BatchSeed: s.Seed, Sharpness: true}
}

// CheckBatch returns an error unless batch is a batch size for the setup's
// training set: 0 (full batch) or 1 to n.
func (s *Setup) CheckBatch(batch int) error {
	if n := s.Data().Train.Len(); batch < 0 || batch > n {
		return fmt.Errorf("%w: batch size must be between 1 and the %d training examples, got %d", ErrConfig, n, batch)
	}
	return nil
}

// EpochSteps is the number of steps of an epoch of minibatch SGD with
// batches of batch on the setup's training set, or 0 for batch 0.
func (s *Setup) EpochSteps(batch int) int {
	if batch == 0 {
		return 0
	}
	n := s.Data().Train.Len()
	return (n + batch - 1) / batch
}
