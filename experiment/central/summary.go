package central

import (
	"fmt"
	"math"
	"slices"

	"github.com/igr-project/igr/experiment"
	"github.com/igr-project/igr/train"
)

// summary is summary.json.
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
	Final final `json:"final"`
}

// regimeSummary is GD's regime (package train/regime).
type regimeSummary struct {
	Regime   string            `json:"regime"`
	Reason   string            `json:"regime_reason"`
	MaxRatio experiment.Number `json:"sharpness_max_ratio"`
	Reached  int               `json:"reached_edge_step"`
}

// final is where GD or the central flow ended: its training and test MSE
// and its sharpness at the last row (NaN before any row).
type final struct {
	TrainMSE  experiment.Number `json:"train_mse"`
	TestMSE   experiment.Number `json:"test_mse"`
	Sharpness experiment.Number `json:"sharpness"`
}

func finalOf(trainMSE, testMSE, sharpness float64) final {
	return final{TrainMSE: num(trainMSE), TestMSE: num(testMSE), Sharpness: num(sharpness)}
}

type flowSummary struct {
	Final final `json:"final"`
	// The central flow's test MSE over GD's, and its train MSE over GD's,
	// at the last row.
	TestMSERatio  experiment.Number `json:"test_mse_over_gd"`
	TrainMSERatio experiment.Number `json:"train_mse_over_gd"`
	// FirstEdgeT is the first row's time with a critical eigenvalue.
	FirstEdgeT experiment.Number `json:"first_edge_t"`
	EdgeRows   int               `json:"edge_rows"`
	// MaxRatioRows is the largest ηS/2 at the rows, MaxRatio at any
	// substep (eigensolves and Rayleigh quotients).
	MaxRatioRows experiment.Number `json:"sharpness_max_ratio_rows"`
	MaxRatio     experiment.Number `json:"sharpness_max_ratio_substeps"`
	Work         workSummary       `json:"work"`
}

// workSummary is what the central flow computed (centralflow.Stats).
type workSummary struct {
	Substeps         int `json:"substeps"`
	Eigensolves      int `json:"eigensolves"`
	ThirdDerivatives int `json:"third_derivatives"`
	InnerSolves      int `json:"inner_solves"`
	MaxCritical      int `json:"max_critical"`
}

type distanceSummary struct {
	Definition string `json:"definition"`
	// The relative distances at the last row, and the largest after the
	// start.
	Final flowDistances `json:"final"`
	Max   flowDistances `json:"max"`
	// Closer is the number of rows after the start where the central flow
	// is nearer GD than both gradient flows, of Rows.
	Closer int `json:"rows_central_flow_nearest"`
	Rows   int `json:"rows"`
	// The absolute distances at the last row and how far GD moved.
	FinalAbsolute flowDistances     `json:"final_absolute"`
	GDMoved       experiment.Number `json:"final_gd_moved"`
}

// flowDistances are the distances of the central flow, gradient flow and
// the modified flow from GD's iterate.
type flowDistances struct {
	CentralFlow  experiment.Number `json:"central_flow"`
	GradientFlow experiment.Number `json:"gradient_flow"`
	ModifiedFlow experiment.Number `json:"modified_flow"`
}

func distancesOf(central, gradient, modified float64) flowDistances {
	return flowDistances{CentralFlow: num(central), GradientFlow: num(gradient), ModifiedFlow: num(modified)}
}

type predictedSummary struct {
	Definition string `json:"definition"`
	// Over the rows where the central flow is on the edge and the window
	// fits: |predicted − smoothed| / smoothed, and the same for the flow's
	// own loss L(w_CF).
	EdgeRows      int               `json:"edge_rows"`
	Error         percentErrors     `json:"error"`
	FlowLossError percentErrors     `json:"flow_loss_error"`
	FinalPercent  experiment.Number `json:"final_percent"`
	// GD's smoothed loss and the predicted loss at the last row.
	FinalSmoothedGD    experiment.Number `json:"final_smoothed_gd_loss"`
	FinalPredictedLoss experiment.Number `json:"final_predicted_loss"`
}

// percentErrors are the median and the largest of some |errors|, in
// percent (NaN for none).
type percentErrors struct {
	Median experiment.Number `json:"median_abs_percent"`
	Max    experiment.Number `json:"max_abs_percent"`
}

func percentErrorsOf(v []float64) percentErrors {
	return percentErrors{Median: num(median(v)), Max: num(maximum(v))}
}

type costSummary struct {
	clocks
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
	none, noDistances := finalOf(math.NaN(), math.NaN(), math.NaN()), distancesOf(math.NaN(), math.NaN(), math.NaN())
	s.GD = gdSummary{Status: string(status), regimeSummary: rs, Final: none}
	work := r.Stats
	s.CentralFlow = flowSummary{Final: none, TestMSERatio: nan, TrainMSERatio: nan, FirstEdgeT: nan, MaxRatioRows: nan,
		MaxRatio: num(work.MaxSharpness * eta / 2), Work: workSummary{Substeps: work.Substeps, Eigensolves: work.Eigensolves,
			ThirdDerivatives: work.ThirdDerivatives, InnerSolves: work.InnerSolves, MaxCritical: work.MaxCritical}}
	s.Distances = distanceSummary{Definition: DistanceDefinition, Final: noDistances, Max: noDistances, FinalAbsolute: noDistances, GDMoved: nan}
	s.Predicted = predictedSummary{Definition: fmt.Sprintf("100·(predicted_loss − GD's loss smoothed over %d steps) / the smoothed loss", c.Window),
		Error: percentErrorsOf(nil), FlowLossError: percentErrorsOf(nil), FinalPercent: nan, FinalSmoothedGD: nan, FinalPredictedLoss: nan}
	if n := len(r.samples); n > 0 {
		last := r.samples[n-1]
		s.GD.Final = finalOf(last.GDLoss, last.GDTestMSE, last.GDSharpness)
	}
	if n := len(r.Rows); n > 0 {
		last := r.Rows[n-1]
		f := &s.CentralFlow
		f.Final = finalOf(last.TrainMSE, last.TestMSE, last.Sharpness)
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
		d.Final = distancesOf(last.DistanceGD, last.DistanceGradientFlow, last.DistanceModifiedFlow)
		d.FinalAbsolute = distancesOf(last.AbsCentral, last.AbsGradient, last.AbsModified)
		d.GDMoved = num(last.Moved)
		var mc, mg, mm float64
		for _, x := range r.Rows[1:] {
			mc, mg, mm = math.Max(mc, x.DistanceGD), math.Max(mg, x.DistanceGradientFlow), math.Max(mm, x.DistanceModifiedFlow)
			d.Rows++
			if x.DistanceGD < x.DistanceGradientFlow && x.DistanceGD < x.DistanceModifiedFlow {
				d.Closer++
			}
		}
		d.Max = distancesOf(mc, mg, mm)

		p := &s.Predicted
		var pred, own []float64
		for _, x := range r.Rows {
			if x.Critical > 0 && !math.IsNaN(x.GDSmoothed) {
				pred = append(pred, math.Abs(percent(x.PredictedLoss, x.GDSmoothed)))
				own = append(own, math.Abs(percent(x.TrainMSE, x.GDSmoothed)))
			}
		}
		p.EdgeRows = len(pred)
		p.Error, p.FlowLossError = percentErrorsOf(pred), percentErrorsOf(own)
		p.FinalPercent, p.FinalSmoothedGD, p.FinalPredictedLoss = num(percent(last.PredictedLoss, last.GDSmoothed)), num(last.GDSmoothed), num(last.PredictedLoss)
	}
	steps := float64(max(r.Steps, 1))
	units := float64(max(r.Steps-r.Start.Step, 1))
	s.Cost = costSummary{clocks: *times,
		GDPerStep: num(1e3 * times.GD.total.Seconds() / steps), CentralPerUnit: num(1e3 * times.Central.total.Seconds() / units)}
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
