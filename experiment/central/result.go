package central

import (
	"fmt"
	"io"
	"math"
	"text/tabwriter"

	"github.com/igr-project/igr/experiment"
	"github.com/igr-project/igr/train/centralflow"
	"github.com/igr-project/igr/train/plots"
	"github.com/igr-project/igr/train/regime"
)

// Row compares the flows with GD at one time: a row of central.csv (the
// exported fields with a column; see the package documentation).
type Row struct {
	// Step is GD's step k; T = k·η.
	Step int
	T    float64 `csv:"t"`
	// The central flow's training and test MSE, sharpness, number of
	// critical eigenvalues, tr Σ and predicted time-averaged loss.
	TrainMSE      float64 `csv:"train_mse"`
	TestMSE       float64 `csv:"test_mse"`
	Sharpness     float64 `csv:"sharpness"`
	Critical      int     `csv:"critical"`
	SigmaTrace    float64 `csv:"sigma_trace"`
	PredictedLoss float64 `csv:"predicted_loss"`
	// GDLoss is GD's training loss at step k.
	GDLoss float64 `csv:"gd_loss"`
	// The distances of the central flow, gradient flow and the modified
	// flow from GD's iterate, relative to ‖w_k − w_start‖ (0 at the start).
	DistanceGD           float64 `csv:"distance_gd"`
	DistanceGradientFlow float64 `csv:"distance_gradient_flow"`
	DistanceModifiedFlow float64 `csv:"distance_modified_flow"`

	// Flow: the flows have started (k ≥ the start); the rows before the
	// start (a catapult) hold GD's numbers only and are not written.
	Flow bool
	// GD's sharpness and test MSE at step k, and its loss smoothed over the
	// window (NaN where the window does not fit).
	GDSharpness, GDTestMSE, GDSmoothed float64
	// Moved is ‖w_k − w_start‖; the absolute distances of the three flows
	// from w_k.
	Moved, AbsCentral, AbsGradient, AbsModified float64
}

// DistanceDefinition is what the distance columns of central.csv hold.
const DistanceDefinition = "distance_gd, distance_gradient_flow and distance_modified_flow are ‖w_flow(t) − w_GD(t)‖ for the central flow, " +
	"gradient flow and the modified flow of L + (η/4)‖∇L‖², divided by ‖w_GD(t) − w_GD(start)‖, how far GD has moved since the flows started (0 at the start)"

// Result is what Central computed.
type Result struct {
	// Rows are the rows of central.csv: from the start on.
	Rows []Row
	// Start is where the flows started.
	Start *Start
	// Steps is GD's last step; Diverged says GD diverged there.
	Steps    int
	Diverged bool
	// Regime is GD's regime (package train/regime), Reason why.
	Regime regime.Regime
	Reason string
	// Stats is the central flow's work.
	Stats centralflow.Stats
	Out   string

	settings Settings
	seed     uint64
	gdLoss   []float64 // GD's loss at every step, to Steps + Window/2
	samples  []Row     // every row, those before the start too
	summary  summary
}

// finish smooths GD's loss at the rows, labels GD's regime and makes the
// summary.
func (r *Result) finish(times *clocks, wall float64, interrupted bool) {
	half := r.settings.Window / 2
	for i := range r.samples {
		r.samples[i].GDSmoothed = smoothed(r.gdLoss, r.samples[i].Step, half)
	}
	for _, s := range r.samples {
		if s.Flow {
			r.Rows = append(r.Rows, s)
		}
	}
	eta := r.settings.LR
	steps := min(r.Steps+1, len(r.gdLoss))
	rs := regimeSummary{Regime: string(regime.Unclassified), MaxRatio: experiment.Number(math.NaN()), Reached: -1}
	if reg, err := classify(eta, r.Diverged, r.gdLoss[:steps], r.samples); err == nil {
		rs = regimeSummary{Regime: string(reg.Regime), Reason: reg.Reason, MaxRatio: experiment.Number(reg.MaxRatio), Reached: reg.Reached}
	} else {
		rs.Reason = err.Error()
	}
	r.Regime, r.Reason = regime.Regime(rs.Regime), rs.Reason
	r.summary = r.makeSummary(rs, times, wall, interrupted)
}

// smoothed is the trapezoidal mean of loss over steps k − half, …, k + half,
// the ends weighted ½, or NaN where the window does not fit.
func smoothed(loss []float64, k, half int) float64 {
	if k-half < 0 || k+half >= len(loss) {
		return math.NaN()
	}
	if half == 0 {
		return loss[k]
	}
	s := (loss[k-half] + loss[k+half]) / 2
	for j := k - half + 1; j < k+half; j++ {
		s += loss[j]
	}
	return s / float64(2*half)
}

// Files are central.csv, summary.json and the figures; none for a run
// interrupted before GD's start was found.
func (r *Result) Files() []experiment.File {
	if r == nil {
		return nil
	}
	eta := r.settings.LR
	return []experiment.File{
		experiment.TableFile("central.csv", r.Rows),
		experiment.JSONFile("summary.json", r.summary),
		experiment.FigureFile("central_loss", func() (*plots.Plot, error) {
			return LossFigure(r.gdLoss[:min(r.Steps+1, len(r.gdLoss))], r.samples, eta)
		}),
		experiment.FigureFile("central_sharpness", func() (*plots.Plot, error) { return SharpnessFigure(r.samples, eta) }),
		experiment.FigureFile("central_distance", func() (*plots.Plot, error) { return DistanceFigure(r.Rows, eta) }),
	}
}

// WriteTable prints where the flows started, every tenth row, GD's regime
// and the headline comparisons.
func (r *Result) WriteTable(w io.Writer) error {
	s := &r.summary
	eta := r.settings.LR
	if r.Start.Catapult() {
		fmt.Fprintf(w, "Outside the theory: %s.\n\n", r.Start.Note(eta))
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "step\tt\tGD loss\tsmoothed\tpredicted\tCF loss\tCF ηS/2\tGD ηS/2\t|CF−GD|\t|GF−GD|\t|MF−GD|\n")
	stride := max(1, len(r.Rows)/10)
	for i, x := range r.Rows {
		if i%stride == 0 || i == len(r.Rows)-1 {
			fmt.Fprintf(tw, "%d\t%.4g\t%.4g\t%.4g\t%.4g\t%.4g\t%.4f\t%.4f\t%.3g\t%.3g\t%.3g\n", x.Step, x.T, x.GDLoss, x.GDSmoothed,
				x.PredictedLoss, x.TrainMSE, x.Sharpness*eta/2, x.GDSharpness*eta/2, x.DistanceGD, x.DistanceGradientFlow, x.DistanceModifiedFlow)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "\nDistances |flow − GD| relative to how far GD moved since the start (step %d).\n", r.Start.Step)
	fmt.Fprintf(w, "GD: %s after %d steps, regime %s (%s)\n", s.GD.Status, r.Steps, s.GD.Regime, s.GD.Reason)
	fmt.Fprintf(w, "central flow: first on the edge at t = %.4g; test MSE %.4g (GD %.4g, ratio %.3g)\n",
		float64(s.CentralFlow.FirstEdgeT), float64(s.CentralFlow.Final.TestMSE), float64(s.GD.Final.TestMSE), float64(s.CentralFlow.TestMSERatio))
	d := &s.Distances
	fmt.Fprintf(w, "final distance from GD, relative: central flow %.3g, gradient flow %.3g, modified flow %.3g; central flow nearest at %d of %d rows\n",
		float64(d.Final.CentralFlow), float64(d.Final.GradientFlow), float64(d.Final.ModifiedFlow), d.Closer, d.Rows)
	p := &s.Predicted
	_, err := fmt.Fprintf(w, "predicted loss vs GD's loss smoothed over %d steps, on the edge (%d rows): median |error| %.3g%%, largest %.3g%% (the flow's own loss: %.3g%%, %.3g%%)\n",
		r.settings.Window, p.EdgeRows, float64(p.Error.Median), float64(p.Error.Max), float64(p.FlowLossError.Median), float64(p.FlowLossError.Max))
	return err
}
