package central

import (
	"fmt"
	"io"
	"math"
	"slices"
	"text/tabwriter"

	"github.com/igr-project/igr/experiment"
	"github.com/igr-project/igr/train"
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

type regimeSummary struct {
	Regime   string            `json:"regime"`
	Reason   string            `json:"regime_reason"`
	MaxRatio experiment.Number `json:"sharpness_max_ratio"`
	Reached  int               `json:"reached_edge_step"`
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

type summary struct {
	LR          experiment.Number `json:"lr"`
	TwoOverEta  experiment.Number `json:"two_over_eta"`
	Steps       int               `json:"steps"`
	Every       int               `json:"every"`
	Substeps    int               `json:"substeps"`
	Euler       int               `json:"euler_substeps"`
	Window      int               `json:"window"`
	Seed        uint64            `json:"seed"`
	Start       startSummary      `json:"start"`
	GD          gdSummary         `json:"gd"`
	CentralFlow flowSummary       `json:"central_flow"`
	Distances   distanceSummary   `json:"distances"`
	Predicted   predictedSummary  `json:"predicted_loss"`
	Cost        costSummary       `json:"cost"`
	WallSeconds experiment.Number `json:"wall_seconds"`
	Interrupted bool              `json:"interrupted"`
	experiment.ComputedBy
}

type startSummary struct {
	Step int               `json:"step"`
	T    experiment.Number `json:"t"`
	// Catapult: GD started above 2/η, outside the central flow's theory.
	Catapult         bool              `json:"catapult"`
	Note             string            `json:"note"`
	InitialSharpness experiment.Number `json:"initial_sharpness"`
	Sharpness        experiment.Number `json:"sharpness"`
	InitialLoss      experiment.Number `json:"initial_loss"`
	MaxLossBefore    experiment.Number `json:"max_loss_before_start"`
}

type gdSummary struct {
	Status string `json:"status"`
	regimeSummary
	FinalTrainMSE  experiment.Number `json:"final_train_mse"`
	FinalTestMSE   experiment.Number `json:"final_test_mse"`
	FinalSharpness experiment.Number `json:"final_sharpness"`
}

type flowSummary struct {
	FinalTrainMSE  experiment.Number `json:"final_train_mse"`
	FinalTestMSE   experiment.Number `json:"final_test_mse"`
	FinalSharpness experiment.Number `json:"final_sharpness"`
	// The central flow's test MSE over GD's, and its train MSE over GD's,
	// at the last row.
	TestMSERatio  experiment.Number `json:"test_mse_over_gd"`
	TrainMSERatio experiment.Number `json:"train_mse_over_gd"`
	// FirstEdgeT is the first row's time with a critical eigenvalue.
	FirstEdgeT experiment.Number `json:"first_edge_t"`
	EdgeRows   int               `json:"edge_rows"`
	// MaxRatioRows is the largest ηS/2 at the rows, MaxRatio at any
	// substep (eigensolves and Rayleigh quotients).
	MaxRatioRows     experiment.Number `json:"sharpness_max_ratio_rows"`
	MaxRatio         experiment.Number `json:"sharpness_max_ratio_substeps"`
	Substeps         int               `json:"substeps"`
	Eigensolves      int               `json:"eigensolves"`
	ThirdDerivatives int               `json:"third_derivatives"`
	InnerSolves      int               `json:"inner_solves"`
	MaxCritical      int               `json:"max_critical"`
}

type distanceSummary struct {
	Definition string `json:"definition"`
	// Final and largest relative distances of each flow from GD.
	FinalCentral  experiment.Number `json:"final_central_flow"`
	FinalGradient experiment.Number `json:"final_gradient_flow"`
	FinalModified experiment.Number `json:"final_modified_flow"`
	MaxCentral    experiment.Number `json:"max_central_flow"`
	MaxGradient   experiment.Number `json:"max_gradient_flow"`
	MaxModified   experiment.Number `json:"max_modified_flow"`
	// Closer is the number of rows after the start where the central flow
	// is nearer GD than both gradient flows, of Rows.
	Closer int `json:"rows_central_flow_nearest"`
	Rows   int `json:"rows"`
	// The absolute distances at the last row and how far GD moved.
	AbsCentral  experiment.Number `json:"final_absolute_central_flow"`
	AbsGradient experiment.Number `json:"final_absolute_gradient_flow"`
	AbsModified experiment.Number `json:"final_absolute_modified_flow"`
	GDMoved     experiment.Number `json:"final_gd_moved"`
}

type predictedSummary struct {
	Definition string `json:"definition"`
	// Over the rows where the central flow is on the edge and the window
	// fits: the median and largest |predicted − smoothed| / smoothed, and
	// the same for the flow's own loss L(w_CF), in percent.
	EdgeRows           int               `json:"edge_rows"`
	MedianPercent      experiment.Number `json:"median_abs_percent"`
	MaxPercent         experiment.Number `json:"max_abs_percent"`
	LossMedianPercent  experiment.Number `json:"flow_loss_median_abs_percent"`
	LossMaxPercent     experiment.Number `json:"flow_loss_max_abs_percent"`
	FinalPercent       experiment.Number `json:"final_percent"`
	FinalSmoothedGD    experiment.Number `json:"final_smoothed_gd_loss"`
	FinalPredictedLoss experiment.Number `json:"final_predicted_loss"`
}

type costSummary struct {
	GD          experiment.Number `json:"gd_seconds"`
	GDSharpness experiment.Number `json:"gd_sharpness_seconds"`
	Central     experiment.Number `json:"central_flow_seconds"`
	Gradient    experiment.Number `json:"gradient_flow_seconds"`
	Modified    experiment.Number `json:"modified_flow_seconds"`
	// Per unit of time (one GD step), in milliseconds.
	GDPerStep      experiment.Number `json:"gd_ms_per_step"`
	CentralPerUnit experiment.Number `json:"central_flow_ms_per_unit"`
}

func num(v float64) experiment.Number { return experiment.Number(v) }

func (r *Result) makeSummary(rs regimeSummary, times *clocks, wall float64, interrupted bool) summary {
	c := &r.settings
	eta := c.LR
	nan := num(math.NaN())
	s := summary{LR: num(eta), TwoOverEta: num(2 / eta), Steps: c.Steps, Every: c.Every, Substeps: c.Substeps, Euler: c.EulerSubsteps, Window: c.Window,
		Seed: r.seed, WallSeconds: num(wall), Interrupted: interrupted, ComputedBy: experiment.Provenance()}
	st := r.Start
	s.Start = startSummary{Step: st.Step, T: num(float64(st.Step) * eta), Catapult: st.Catapult(), Note: st.Note(eta),
		InitialSharpness: num(st.Initial), Sharpness: num(st.Sharpness), InitialLoss: num(st.InitialLoss), MaxLossBefore: num(st.MaxLoss)}
	status := train.Completed
	switch {
	case r.Diverged:
		status = train.Diverged
	case interrupted:
		status = train.Interrupted
	}
	s.GD = gdSummary{Status: string(status), regimeSummary: rs, FinalTrainMSE: nan, FinalTestMSE: nan, FinalSharpness: nan}
	s.CentralFlow = flowSummary{FinalTrainMSE: nan, FinalTestMSE: nan, FinalSharpness: nan, TestMSERatio: nan, TrainMSERatio: nan,
		FirstEdgeT: nan, MaxRatioRows: nan, MaxRatio: num(r.Stats.MaxSharpness * eta / 2), Substeps: r.Stats.Substeps,
		Eigensolves: r.Stats.Eigensolves, ThirdDerivatives: r.Stats.ThirdDerivatives, InnerSolves: r.Stats.InnerSolves, MaxCritical: r.Stats.MaxCritical}
	s.Distances = distanceSummary{Definition: DistanceDefinition, FinalCentral: nan, FinalGradient: nan, FinalModified: nan,
		MaxCentral: nan, MaxGradient: nan, MaxModified: nan, AbsCentral: nan, AbsGradient: nan, AbsModified: nan, GDMoved: nan}
	s.Predicted = predictedSummary{Definition: fmt.Sprintf("100·(predicted_loss − GD's loss smoothed over %d steps) / the smoothed loss", c.Window),
		MedianPercent: nan, MaxPercent: nan, LossMedianPercent: nan, LossMaxPercent: nan, FinalPercent: nan, FinalSmoothedGD: nan, FinalPredictedLoss: nan}
	if n := len(r.samples); n > 0 {
		last := r.samples[n-1]
		s.GD.FinalTrainMSE, s.GD.FinalTestMSE, s.GD.FinalSharpness = num(last.GDLoss), num(last.GDTestMSE), num(last.GDSharpness)
	}
	if n := len(r.Rows); n > 0 {
		last := r.Rows[n-1]
		f := &s.CentralFlow
		f.FinalTrainMSE, f.FinalTestMSE, f.FinalSharpness = num(last.TrainMSE), num(last.TestMSE), num(last.Sharpness)
		f.TestMSERatio, f.TrainMSERatio = num(last.TestMSE/last.GDTestMSE), num(last.TrainMSE/last.GDLoss)
		maxRatio := 0.0
		for _, x := range r.Rows {
			maxRatio = math.Max(maxRatio, x.Sharpness*eta/2)
			if x.Critical > 0 {
				if f.EdgeRows == 0 {
					f.FirstEdgeT = num(x.T)
				}
				f.EdgeRows++
			}
		}
		f.MaxRatioRows = num(maxRatio)

		d := &s.Distances
		d.FinalCentral, d.FinalGradient, d.FinalModified = num(last.DistanceGD), num(last.DistanceGradientFlow), num(last.DistanceModifiedFlow)
		d.AbsCentral, d.AbsGradient, d.AbsModified, d.GDMoved = num(last.AbsCentral), num(last.AbsGradient), num(last.AbsModified), num(last.Moved)
		var mc, mg, mm float64
		for _, x := range r.Rows[1:] {
			mc, mg, mm = math.Max(mc, x.DistanceGD), math.Max(mg, x.DistanceGradientFlow), math.Max(mm, x.DistanceModifiedFlow)
			d.Rows++
			if x.DistanceGD < x.DistanceGradientFlow && x.DistanceGD < x.DistanceModifiedFlow {
				d.Closer++
			}
		}
		d.MaxCentral, d.MaxGradient, d.MaxModified = num(mc), num(mg), num(mm)

		p := &s.Predicted
		var pred, own []float64
		for _, x := range r.Rows {
			if x.Critical > 0 && !math.IsNaN(x.GDSmoothed) {
				pred = append(pred, math.Abs(percent(x.PredictedLoss, x.GDSmoothed)))
				own = append(own, math.Abs(percent(x.TrainMSE, x.GDSmoothed)))
			}
		}
		p.EdgeRows = len(pred)
		p.MedianPercent, p.MaxPercent = num(median(pred)), num(maximum(pred))
		p.LossMedianPercent, p.LossMaxPercent = num(median(own)), num(maximum(own))
		p.FinalPercent, p.FinalSmoothedGD, p.FinalPredictedLoss = num(percent(last.PredictedLoss, last.GDSmoothed)), num(last.GDSmoothed), num(last.PredictedLoss)
	}
	steps := float64(max(r.Steps, 1))
	units := float64(max(r.Steps-r.Start.Step, 1))
	s.Cost = costSummary{GD: num(times.gd.total.Seconds()), GDSharpness: num(times.gdSharpness.total.Seconds()),
		Central: num(times.central.total.Seconds()), Gradient: num(times.gradient.total.Seconds()), Modified: num(times.modified.total.Seconds()),
		GDPerStep: num(1e3 * times.gd.total.Seconds() / steps), CentralPerUnit: num(1e3 * times.central.total.Seconds() / units)}
	return s
}

// percent is 100·(a − b)/b.
func percent(a, b float64) float64 { return 100 * (a - b) / b }

// median is the median of v, NaN for none.
func median(v []float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	s := slices.Clone(v)
	slices.Sort(s)
	if n := len(s); n%2 == 1 {
		return s[n/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// maximum is the largest of v, NaN for none.
func maximum(v []float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	return slices.Max(v)
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
		float64(s.CentralFlow.FirstEdgeT), float64(s.CentralFlow.FinalTestMSE), float64(s.GD.FinalTestMSE), float64(s.CentralFlow.TestMSERatio))
	fmt.Fprintf(w, "final distance from GD, relative: central flow %.3g, gradient flow %.3g, modified flow %.3g; central flow nearest at %d of %d rows\n",
		float64(s.Distances.FinalCentral), float64(s.Distances.FinalGradient), float64(s.Distances.FinalModified), s.Distances.Closer, s.Distances.Rows)
	_, err := fmt.Fprintf(w, "predicted loss vs GD's loss smoothed over %d steps, on the edge (%d rows): median |error| %.3g%%, largest %.3g%% (the flow's own loss: %.3g%%, %.3g%%)\n",
		r.settings.Window, s.Predicted.EdgeRows, float64(s.Predicted.MedianPercent), float64(s.Predicted.MaxPercent),
		float64(s.Predicted.LossMedianPercent), float64(s.Predicted.LossMaxPercent))
	return err
}
