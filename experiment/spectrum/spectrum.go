package spectrum

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"path/filepath"
	"strconv"
	"text/tabwriter"

	"github.com/igr-project/igr/experiment"
	"github.com/igr-project/igr/graph"
	"github.com/igr-project/igr/train"
	"github.com/igr-project/igr/train/curvature"
	"github.com/igr-project/igr/train/dataset"
	"github.com/igr-project/igr/train/plots"
)

func init() {
	experiment.Declare(
		&experiment.Param{Name: "from", Usage: "output `folder` of a run (igr train's -out): its data.csv and a params_<name>.csv for every parameter"},
		&experiment.Param{Name: "k", Usage: "the top `K` eigenvalues, by the Lanczos method (default: every eigenvalue, from the dense Hessian, up to 5000 parameters; the top 20 above)",
			Whole: true, Range: experiment.Positive},
		&experiment.Param{Name: "probes", Usage: "random ±1 vectors of Hutchinson's estimate of the trace", Whole: true, Range: experiment.Positive},
	)
}

// DefaultTop is how many of the top eigenvalues Spectrum computes where the
// dense Hessian does not fit and no K is given.
const DefaultTop = 20

// Settings configure Spectrum.
type Settings struct {
	experiment.Output
	// From is the output folder of a run: data.csv (with its split
	// column) and the run's parameters, params_<name>.csv.
	From string `igr:"from"`
	// K, if positive, asks for the top K eigenvalues by the Lanczos
	// method. Zero means every eigenvalue from the dense Hessian up to
	// curvature.DefaultMaxDense parameters, the top DefaultTop above.
	K int `igr:"k"`
	// Probes is the number of probes of Hutchinson's trace. Zero means
	// curvature.DefaultProbes.
	Probes int `igr:"probes" default:"100"`
	// Seed seeds the probes and the Lanczos method's start.
	Seed uint64 `igr:"seed" usage:"seed of the trace's probes and of the Lanczos method's start"`
	// Arch and Scale are the run's network; empty and zero mean the
	// folder's, as its manifest.json records them (quadratic and 1 without
	// one).
	Arch  string  `igr:"arch" usage:"architecture of the run (default: the folder's, from its manifest.json; quadratic without one)"`
	Scale float64 `igr:"scale" usage:"output divisor of the run (default: the folder's, from its manifest.json; 1 without one)"`
}

// Row is one eigenvalue: a row of spectrum.csv.
type Row struct {
	Index      int     `csv:"index"` // from 1, the largest first
	Eigenvalue float64 `csv:"eigenvalue"`
}

// Summary is summary.json.
type Summary struct {
	From       string `json:"from"`
	Arch       string `json:"arch"`
	Parameters int    `json:"parameters"`
	// Method is "dense" (every eigenvalue, curvature.Dense) or "lanczos"
	// (the top K, curvature.Top; the most negative by curvature.Bottom).
	Method string `json:"method"`
	K      int    `json:"k"`
	// TrainMSE is the training MSE at the parameters.
	TrainMSE experiment.Number `json:"train_mse"`
	// Top is the largest eigenvalue, the sharpness; MostNegative the
	// smallest (algebraically), Negative how many are below zero (dense
	// only).
	Top          experiment.Number `json:"top_eigenvalue"`
	MostNegative experiment.Number `json:"most_negative_eigenvalue"`
	Negative     *int              `json:"negative_eigenvalues,omitempty"`
	// Trace is the exact trace, Σλ (dense only, null otherwise);
	// TraceHutchinson and TraceStdErr are Hutchinson's estimate with
	// Probes probes and its standard error.
	Trace           experiment.Number `json:"trace"`
	TraceHutchinson experiment.Number `json:"trace_hutchinson"`
	TraceStdErr     experiment.Number `json:"trace_hutchinson_stderr"`
	Probes          int               `json:"probes"`
	// MaxResidual is the largest residual ‖Hy − θy‖ of the eigenpairs
	// (lanczos), which bounds their error; Asymmetry the dense Hessian's
	// max |H_ij − H_ji| / max |H_ij| before symmetrizing (dense).
	MaxResidual *experiment.Number `json:"max_residual,omitempty"`
	Asymmetry   *experiment.Number `json:"asymmetry,omitempty"`
	// LR is the run's learning rate η when its folder names one; then
	// TwoOverEta is 2/η and TopRatio ηλ₁/2, the stability ratio.
	LR          *experiment.Number `json:"lr,omitempty"`
	TwoOverEta  *experiment.Number `json:"two_over_eta,omitempty"`
	TopRatio    *experiment.Number `json:"top_ratio,omitempty"`
	WallSeconds experiment.Number  `json:"wall_seconds"`
	experiment.ComputedBy
}

// Result is what Spectrum computed.
type Result struct {
	Rows    []Row
	Summary Summary
	Out     string
}

// run is what Spectrum read of the folder.
type run struct {
	arch   graph.Architecture
	data   *dataset.Set
	params graph.Params
	lr     float64 // NaN when the folder does not say
}

// Spectrum computes the spectrum of the Hessian of the training MSE at the
// parameters of a run's folder and writes data.csv, spectrum.csv,
// summary.json and the figure spectrum to its own (see the package
// documentation).
var Spectrum = &experiment.Experiment[*Settings, *run, *Result]{
	Name:    "spectrum",
	Summary: "the spectrum of the Hessian where a run ended: all eigenvalues or the top k, the most negative, the trace",
	Usage:   "-from DIR [-k K] [-probes N] [-out DIR] [flags]",
	Prepare: prepare,
	Execute: execute,
}

// prepare reads the run's folder and checks k against its parameters.
func prepare(c *Settings) (*experiment.Prepared[*run], error) {
	if c.From == "" {
		return nil, fmt.Errorf("%w: spectrum needs -from DIR, the output folder of a run (igr train -out DIR)", experiment.ErrConfig)
	}
	r := &run{lr: math.NaN()}
	arch, scale, n := "quadratic", 1.0, experiment.DefaultN
	m, err := experiment.ReadManifest(c.From)
	switch {
	case err == nil:
		if v := m.Settings["arch"]; v != "" {
			arch = v
		}
		scale = parsed(m.Settings["scale"], scale)
		n = int(parsed(m.Settings["n"], float64(n)))
		r.lr = parsed(m.Settings["lr"], r.lr)
	case !errors.Is(err, fs.ErrNotExist):
		return nil, err
	}
	if c.Arch != "" {
		arch = c.Arch
	}
	if c.Scale != 0 {
		scale = c.Scale
	}
	newArch, ok := experiment.Architectures[arch]
	if !ok {
		return nil, fmt.Errorf("%w: %s names an unknown architecture %q", experiment.ErrConfig, filepath.Join(c.From, experiment.ManifestFile), arch)
	}
	dataPath := filepath.Join(c.From, "data.csv")
	if r.data, err = dataset.ReadFile(dataPath, n); errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s has no data.csv: -from takes the output folder of a run (igr train -out DIR)", experiment.ErrConfig, c.From)
	} else if err != nil {
		return nil, fmt.Errorf("%w: %w", experiment.ErrConfig, err)
	}
	if r.arch, r.params, err = experiment.ReadParams(c.From, r.data.Dim, func(w int) graph.Architecture { return newArch(r.data.Dim, w, scale) }); err != nil {
		return nil, err
	}
	p := r.params.Len()
	if c.K > p {
		return nil, fmt.Errorf("%w: -k %d is above the %d parameters of the network", experiment.ErrConfig, c.K, p)
	}
	work := train.Footprint{N: max(r.data.Train.Len(), r.data.Test.Len()), Dim: r.data.Dim, Width: r.arch.Params()[0].Cols, Sharpness: true}
	if c.K == 0 && p <= curvature.DefaultMaxDense {
		work.Snapshots = 3 * p // the dense Hessian, its symmetric copy and the eigensolver's work, p² numbers each
	}
	if err := train.CheckMemory(work, 0); err != nil {
		return nil, err
	}
	h := sha256.New()
	for _, part := range [][]float64{r.data.Train.X, r.data.Train.Y, r.params.Flat()} {
		fmt.Fprintln(h, part)
	}
	fmt.Fprintln(h, r.arch.Name(), scale)
	return &experiment.Prepared[*run]{Data: r.data, Identity: hex.EncodeToString(h.Sum(nil))[:16], State: r}, nil
}

// parsed is the number s, or def when s is empty or not a number.
func parsed(s string, def float64) float64 {
	if v, err := strconv.ParseFloat(s, 64); err == nil {
		return v
	}
	return def
}

func execute(ctx context.Context, c *Settings, r *run, env *experiment.Env) (*Result, error) {
	d := r.data
	h, err := curvature.NewHessian(r.arch, d.Train.Inputs(d.Dim), d.Train.Targets(), r.params, nil)
	if err != nil {
		return nil, fmt.Errorf("spectrum: %w", err)
	}
	defer h.Close()
	p := h.Len()
	nan := experiment.Number(math.NaN())
	sum := Summary{From: c.From, Arch: r.arch.Name(), Parameters: p, K: c.K, Trace: nan}
	var values []float64
	if c.K == 0 && p <= curvature.DefaultMaxDense {
		sp, err := curvature.Dense(ctx, h, nil)
		if err != nil {
			return nil, fmt.Errorf("spectrum: %w", err)
		}
		values = sp.Values
		negative := 0
		for _, v := range values {
			if v < 0 {
				negative++
			}
		}
		asym := experiment.Number(sp.Asymmetry)
		sum.Method, sum.K, sum.Trace, sum.Negative, sum.Asymmetry = "dense", p, experiment.Number(sp.Trace()), &negative, &asym
		sum.MostNegative = experiment.Number(values[p-1])
	} else {
		k := c.K
		if k == 0 {
			k = min(DefaultTop, p)
		}
		top, err := curvature.Top(ctx, h, k, &curvature.EigenSettings{Seed: c.Seed})
		if err != nil {
			return nil, fmt.Errorf("spectrum: top %d eigenvalues: %w", k, err)
		}
		bottom, err := curvature.Bottom(ctx, h, 1, &curvature.EigenSettings{Seed: c.Seed})
		if err != nil {
			return nil, fmt.Errorf("spectrum: most negative eigenvalue: %w", err)
		}
		values = top.Values
		res := 0.0
		for _, v := range append(top.Residuals, bottom.Residuals...) {
			res = math.Max(res, v)
		}
		residual := experiment.Number(res)
		sum.Method, sum.K, sum.MostNegative, sum.MaxResidual = "lanczos", k, experiment.Number(bottom.Values[0]), &residual
	}
	sum.Top = experiment.Number(values[0])
	tr, err := curvature.Trace(ctx, h, &curvature.TraceSettings{Probes: c.Probes, Seed: c.Seed})
	if err != nil {
		return nil, fmt.Errorf("spectrum: trace: %w", err)
	}
	sum.TraceHutchinson, sum.TraceStdErr, sum.Probes = experiment.Number(tr.Trace), experiment.Number(tr.StdErr), tr.Probes
	sum.TrainMSE = experiment.Number(h.Loss())
	if !math.IsNaN(r.lr) {
		lr, two, ratio := experiment.Number(r.lr), experiment.Number(2/r.lr), experiment.Number(r.lr*values[0]/2)
		sum.LR, sum.TwoOverEta, sum.TopRatio = &lr, &two, &ratio
	}
	sum.WallSeconds = experiment.Number(env.WallSeconds())
	sum.ComputedBy = experiment.Provenance()
	res := &Result{Summary: sum, Out: env.Dir}
	for i, v := range values {
		res.Rows = append(res.Rows, Row{Index: i + 1, Eigenvalue: v})
	}
	return res, nil
}

// Files are spectrum.csv, summary.json and the figure spectrum.
func (r *Result) Files() []experiment.File {
	return []experiment.File{
		experiment.TableFile("spectrum.csv", r.Rows),
		experiment.JSONFile("summary.json", r.Summary),
		experiment.FigureFile("spectrum", func() (*plots.Plot, error) { return Figure(r.Rows, &r.Summary) }),
	}
}

// WriteTable prints the top eigenvalues (at most experiment.ConsoleRows),
// the most negative one and the trace.
func (r *Result) WriteTable(w io.Writer) error {
	if err := experiment.WriteSeries(w, "index\teigenvalue", len(r.Rows), func(i int) string {
		return fmt.Sprintf("%d\t%.6g", r.Rows[i].Index, r.Rows[i].Eigenvalue)
	}, "spectrum.csv"); err != nil {
		return err
	}
	s := &r.Summary
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "\nparameters\t%d (%s)\n", s.Parameters, s.Method)
	fmt.Fprintf(tw, "top eigenvalue\t%.6g\n", float64(s.Top))
	if s.TwoOverEta != nil {
		fmt.Fprintf(tw, "2/η\t%.6g (ηλ₁/2 = %.4g)\n", float64(*s.TwoOverEta), float64(*s.TopRatio))
	}
	fmt.Fprintf(tw, "most negative eigenvalue\t%.6g\n", float64(s.MostNegative))
	if !math.IsNaN(float64(s.Trace)) {
		fmt.Fprintf(tw, "trace\t%.6g\n", float64(s.Trace))
	}
	fmt.Fprintf(tw, "trace, Hutchinson (%d probes)\t%.6g ± %.3g\n", s.Probes, float64(s.TraceHutchinson), float64(s.TraceStdErr))
	return tw.Flush()
}
