package main

import (
	"encoding/json"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/igr-project/igr/experiment"
	"github.com/igr-project/igr/experiment/grids"
	"github.com/igr-project/igr/experiment/spectrum"
	"github.com/igr-project/igr/internal/archtest"
	"github.com/igr-project/igr/train"
	"github.com/igr-project/igr/train/dataset"
	"github.com/igr-project/igr/train/regime"
)

// linearSpectrum are the eigenvalues of the Hessian of the linear model's
// loss on the data of linearData: the curvature is the same everywhere.
var linearSpectrum = []float64{10, 4, 2.5, 1, 0.5}

// linearData writes a data set on which -arch linear trains the quadratic
// loss L(w) = (1/n)‖Xw − y‖² with Hessian (2/n)XᵀX of eigenvalues
// linearSpectrum (archtest.LinearSpectrum), targets of a planted w, the
// test set the training set, and returns its path.
func linearData(t *testing.T) string {
	t.Helper()
	const rows = 40
	d := len(linearSpectrum)
	x, _ := archtest.LinearSpectrum(linearSpectrum, rows, true, 3)
	planted := []float64{1, -2, 0.5, 3, -1}
	y := make([]float64, rows)
	for i := range y {
		for j, w := range planted {
			y[i] += x[i*d+j] * w
		}
	}
	set := &dataset.Set{Dim: d, Train: dataset.Split{X: x, Y: y}, Test: dataset.Split{X: x, Y: y}}
	path := filepath.Join(t.TempDir(), "linear.csv")
	if err := set.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestRegimesOfAQuadraticLoss runs a map of the linear model's quadratic
// loss, whose Hessian has the eigenvalues of linearSpectrum at every point:
// GD is stable exactly when η < 2/λ_max = 0.2 and diverges above. Through
// the command line, map.csv must say so run by run, with the sharpness
// λ_max at both ends and sharpness_max_ratio ηλ_max/2; map_cells.csv must
// count the regimes; and summary.json must put λ₀ = λ_GF = λ_max, the lines
// 2/λ₀ = 2/λ_GF = 0.2 and η_div·λ₀ = 2 × 1.01.
func TestRegimesOfAQuadraticLoss(t *testing.T) {
	const lmax = 10.0
	factors := []float64{0.5, 0.9, 0.99, 1.01, 1.1}
	lrs := make([]string, len(factors))
	for i, c := range factors {
		lrs[i] = strings.TrimRight(strings.TrimRight(formatFloat(c*2/lmax), "0"), ".")
	}
	out := filepath.Join(t.TempDir(), "map")
	args := []string{"map", "-out", out, "-arch", "linear", "-data", linearData(t), "-x", "lr=" + strings.Join(lrs, ","),
		"-seeds", "2", "-tol", "1e-6", "-max-steps", "20000", "-track-sharpness", "5", "-quiet"}
	if code, _, stderr := runIgr(t, args...); code != 0 {
		t.Fatalf("exit status %d: %s", code, stderr)
	}
	m, err := grids.ReadMap(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Rows) != 2*len(factors) {
		t.Fatalf("%d runs, want %d", len(m.Rows), 2*len(factors))
	}
	for _, r := range m.Rows {
		c := r.X * lmax / 2
		want, status := regime.Stable, train.Converged
		if c > 1 {
			want, status = regime.Diverged, train.Diverged
		}
		if r.Regime != want || r.Status != status {
			t.Errorf("lr %g = %g × 2/λ_max, seed %d: %s, %s; want %s, %s", r.X, c, r.Seed, r.Regime, r.Status, want, status)
		}
		if math.Abs(r.SharpnessInit-lmax) > 1e-9*lmax || status == train.Converged && math.Abs(r.SharpnessFinal-lmax) > 1e-9*lmax {
			t.Errorf("lr %g: sharpness %.15g → %.15g, want %g", r.X, r.SharpnessInit, r.SharpnessFinal, lmax)
		}
		if math.Abs(r.SharpnessMaxRatio-c) > 1e-9*c {
			t.Errorf("lr %g: sharpness_max_ratio %.12g, want ηλ_max/2 = %g", r.X, r.SharpnessMaxRatio, c)
		}
	}
	for _, cell := range m.Cells {
		stable := 2
		if cell.X*lmax/2 > 1 {
			stable = 0
		}
		if cell.Stable != stable || cell.Diverged != 2-stable || cell.Edge+cell.Catapult+cell.Unclassified != 0 {
			t.Errorf("lr %g: cell %+v; want %d stable, the rest diverged", cell.X, cell, stable)
		}
	}
	row := m.Summary.Rows[0]
	near := func(got experiment.Number, want float64) bool { return math.Abs(float64(got)-want) <= 1e-9*want }
	if !near(row.Lambda0, lmax) || !near(row.TwoOverLambda0, 2/lmax) || !near(row.LambdaGF, lmax) || !near(row.TwoOverLambdaGF, 2/lmax) ||
		!near(row.FirstDivergedLRTimesLambda0, 2*1.01) || !near(row.FirstUnstableLR, 1.01*2/lmax) {
		t.Errorf("summary row %+v; want λ₀ = λ_GF = %g, η_div·λ₀ = 2.02, first unstable lr 0.202", row.RowCurvature, lmax)
	}
	for _, f := range []string{"map_regimes.png", "map_curvature.png", "map_regimes.svg"} {
		readString(t, filepath.Join(out, f))
	}
}

func formatFloat(v float64) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// TestTrackSharpnessThroughTrain: igr train -track-sharpness K writes a
// sharpness column into history.csv every K steps and at each of the first
// steps, the points recorded for the sharpness alone with NaN test MSE;
// runs.csv and summary.json give the sharpness at both ends, 2/η, the
// regime and sharpness_max_ratio. On the quadratic loss every value is
// λ_max.
func TestTrackSharpnessThroughTrain(t *testing.T) {
	const lmax, lr, every = 10.0, 0.04, 7
	out := filepath.Join(t.TempDir(), "train")
	args := []string{"train", "-out", out, "-arch", "linear", "-data", linearData(t), "-lr", "0.04", "-tol", "1e-9",
		"-track-sharpness", "7", "-quiet"}
	if code, _, stderr := runIgr(t, args...); code != 0 {
		t.Fatalf("exit status %d: %s", code, stderr)
	}
	header, _, _ := strings.Cut(readString(t, filepath.Join(out, "history.csv")), "\n")
	if want := strings.Join(experiment.HistoryColumns, ",") + ",sharpness"; header != want {
		t.Errorf("history.csv header %q, want %q", header, want)
	}
	history, err := experiment.ReadHistory(filepath.Join(out, "history.csv"))
	if err != nil {
		t.Fatal(err)
	}
	runs, err := experiment.ReadRuns(filepath.Join(out, "runs.csv"))
	if err != nil {
		t.Fatal(err)
	}
	last := runs[0].Steps
	if last <= experiment.EarlySteps+2*every {
		t.Fatalf("the run took %d steps: too few to see the schedule", last)
	}
	steps := map[int]bool{}
	for _, h := range history {
		steps[h.Step] = true
		tracked := h.Step%every == 0 || h.Step < experiment.EarlySteps || h.Step == last
		if tracked == math.IsNaN(h.Sharpness) {
			t.Errorf("step %d: sharpness %g", h.Step, h.Sharpness)
		}
		if tracked && math.Abs(h.Sharpness-lmax) > 1e-3*lmax {
			t.Errorf("step %d: sharpness %g, want %g", h.Step, h.Sharpness, lmax)
		}
		full := h.Step < experiment.EarlySteps || h.Step%10 == 0 || h.Step == last
		if full == math.IsNaN(h.TestMSE) {
			t.Errorf("step %d: test MSE %g; only the points recorded for the sharpness alone have none", h.Step, h.TestMSE)
		}
	}
	for s := range experiment.EarlySteps {
		if !steps[s] {
			t.Errorf("no point at step %d, one of the first %d", s, experiment.EarlySteps)
		}
	}
	if math.Abs(runs[0].SharpnessInit-lmax) > 1e-9*lmax || math.Abs(runs[0].SharpnessFinal-lmax) > 1e-9*lmax {
		t.Errorf("runs.csv: sharpness %.15g → %.15g, want %g", runs[0].SharpnessInit, runs[0].SharpnessFinal, lmax)
	}
	var sum struct {
		Runs []struct {
			SharpnessInit     float64 `json:"sharpness_init"`
			TwoOverEta        float64 `json:"two_over_eta"`
			SharpnessMaxRatio float64 `json:"sharpness_max_ratio"`
			Regime            string  `json:"regime"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(readString(t, filepath.Join(out, "summary.json"))), &sum); err != nil {
		t.Fatal(err)
	}
	s := sum.Runs[0]
	if math.Abs(s.TwoOverEta-2/lr) > 1e-12 || s.Regime != string(regime.Stable) || math.Abs(s.SharpnessMaxRatio-lr*lmax/2) > 1e-9 ||
		math.Abs(s.SharpnessInit-lmax) > 1e-9*lmax {
		t.Errorf("summary %+v; want 2/η %g, stable, max ratio %g", s, 2/lr, lr*lmax/2)
	}
	readString(t, filepath.Join(out, "sharpness.png"))
	// Without -track-sharpness, history.csv has no sharpness column.
	plain := filepath.Join(t.TempDir(), "plain")
	if code, _, stderr := runIgr(t, append([]string{"train", "-out", plain}, args[3:len(args)-3]...)...); code != 0 {
		t.Fatalf("exit status %d: %s", code, stderr)
	}
	if h := readString(t, filepath.Join(plain, "history.csv")); strings.Contains(h, "sharpness") {
		t.Errorf("untracked history.csv has a sharpness column: %q", h[:strings.Index(h, "\n")])
	}
}

// TestTrackSharpnessThroughNoiseAndCompare: noise and compare track every
// run with -track-sharpness, label each with a regime, and report the
// sharpness at both ends of every run or method; compare -sweep refuses
// the flag.
func TestTrackSharpnessThroughNoiseAndCompare(t *testing.T) {
	dir := t.TempDir()
	noise := filepath.Join(dir, "noise")
	if code, _, stderr := runIgr(t, append([]string{"noise", "-out", noise, "-lr", "0.05", "-steps", "300", "-track-sharpness", "20"}, tiny...)...); code != 0 {
		t.Fatalf("noise: exit status %d: %s", code, stderr)
	}
	compared := filepath.Join(dir, "compare")
	if code, _, stderr := runIgr(t, append([]string{"compare", "-out", compared, "-eta", "0.05", "-h", "0.02", "-noise-steps", "300",
		"-track-sharpness", "20"}, tiny...)...); code != 0 {
		t.Fatalf("compare: exit status %d: %s", code, stderr)
	}
	for _, c := range []struct{ dir, key string }{{noise, "runs"}, {compared, "methods"}} {
		var raw map[string]json.RawMessage
		sum := map[string][]map[string]any{}
		if err := json.Unmarshal([]byte(readString(t, filepath.Join(c.dir, "summary.json"))), &raw); err != nil {
			t.Fatal(err)
		}
		var list []map[string]any
		if err := json.Unmarshal(raw[c.key], &list); err != nil {
			t.Fatal(err)
		}
		sum[c.key] = list
		if len(sum[c.key]) < 2 {
			t.Fatalf("%s: %d %s", c.dir, len(sum[c.key]), c.key)
		}
		for _, r := range sum[c.key] {
			init, _ := r["sharpness_init"].(float64)
			g, _ := r["regime"].(string)
			if r["method"] == "central_flow" { // a flow, not a run of GD: its sharpness, no regime
				if !(init > 0) || g != "" {
					t.Errorf("compare: the central flow: sharpness_init %v, regime %q", r["sharpness_init"], g)
				}
				continue
			}
			if !(init > 0) || g == "" || r["sharpness_max_ratio"] == nil {
				t.Errorf("%s: %v: sharpness_init %v, regime %q, sharpness_max_ratio %v", filepath.Base(c.dir), r["run"], r["sharpness_init"], g, r["sharpness_max_ratio"])
			}
		}
		if h := readString(t, filepath.Join(c.dir, "history.csv")); !strings.HasSuffix(h[:strings.Index(h, "\n")], ",sharpness") {
			t.Errorf("%s: history.csv header %q", c.dir, h[:strings.Index(h, "\n")])
		}
		readString(t, filepath.Join(c.dir, "sharpness.png"))
	}
	header, _, _ := strings.Cut(readString(t, filepath.Join(compared, "compare.csv")), "\n")
	if !strings.HasSuffix(header, ",distance_from_implicit,sharpness_init,sharpness_final") {
		t.Errorf("compare.csv header %q", header)
	}
	code, _, stderr := runIgr(t, "compare", "-sweep", "-track-sharpness", "5", "-out", filepath.Join(dir, "sweep"), "-quiet")
	if code != 2 || !strings.Contains(stderr, "-track-sharpness tracks the methods of compare, not of compare -sweep") || strings.Count(stderr, "\n") != 1 {
		t.Errorf("compare -sweep -track-sharpness: status %d, %q", code, stderr)
	}
}

// spectrumOf runs igr spectrum on a run's folder with the extra flags and
// returns its spectrum.csv and summary.json.
func spectrumOf(t *testing.T, from string, extra ...string) ([]spectrum.Row, spectrum.Summary) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "spectrum")
	if code, _, stderr := runIgr(t, append([]string{"spectrum", "-from", from, "-out", out, "-quiet"}, extra...)...); code != 0 {
		t.Fatalf("spectrum %v: exit status %d: %s", extra, code, stderr)
	}
	rows, err := experiment.ReadTable[spectrum.Row](filepath.Join(out, "spectrum.csv"))
	if err != nil {
		t.Fatal(err)
	}
	var s spectrum.Summary
	if err := json.Unmarshal([]byte(readString(t, filepath.Join(out, "summary.json"))), &s); err != nil {
		t.Fatal(err)
	}
	readString(t, filepath.Join(out, "spectrum.png"))
	return rows, s
}

// TestSpectrumOfAQuadraticLoss: the spectrum of the linear model's loss is
// linearSpectrum wherever the run ended, its trace their sum; every
// eigenvalue from the dense Hessian, the top k from the Lanczos method.
func TestSpectrumOfAQuadraticLoss(t *testing.T) {
	run := filepath.Join(t.TempDir(), "run")
	if code, _, stderr := runIgr(t, "train", "-out", run, "-arch", "linear", "-data", linearData(t), "-lr", "0.04", "-quiet"); code != 0 {
		t.Fatalf("train: exit status %d: %s", code, stderr)
	}
	want, sum := []float64{10, 4, 2.5, 1, 0.5}, 18.0
	rows, s := spectrumOf(t, run)
	if len(rows) != len(want) || s.Method != "dense" {
		t.Fatalf("%d eigenvalues by %s, want %d by dense", len(rows), s.Method, len(want))
	}
	for i, r := range rows {
		if r.Index != i+1 || math.Abs(r.Eigenvalue-want[i]) > 1e-12*want[0] {
			t.Errorf("eigenvalue %d: %.15g, want %g", r.Index, r.Eigenvalue, want[i])
		}
	}
	if math.Abs(float64(s.Trace)-sum) > 1e-12*sum || math.Abs(float64(s.MostNegative)-0.5) > 1e-12 ||
		math.Abs(float64(s.TraceHutchinson)-sum) > 4*float64(s.TraceStdErr) || !(s.TraceStdErr > 0) {
		t.Errorf("trace %g, most negative %g, Hutchinson %g ± %g; want %g, 0.5", s.Trace, s.MostNegative, s.TraceHutchinson, s.TraceStdErr, sum)
	}
	if s.TopRatio == nil || math.Abs(float64(*s.TopRatio)-0.04*10/2) > 1e-12 {
		t.Errorf("ηλ₁/2 %v, want 0.2 (the run's lr 0.04 from its folder)", s.TopRatio)
	}
	rows, s = spectrumOf(t, run, "-k", "2")
	if len(rows) != 2 || s.Method != "lanczos" || math.Abs(rows[0].Eigenvalue-10) > 1e-9 || math.Abs(rows[1].Eigenvalue-4) > 1e-9 ||
		math.Abs(float64(s.MostNegative)-0.5) > 1e-9 {
		t.Errorf("-k 2: %v by %s, most negative %g; want 10, 4 and 0.5", rows, s.Method, s.MostNegative)
	}
}

// TestSpectrumOfATrainedNetwork: on a trained quadratic network (48
// parameters) the Lanczos method's top 5 and most negative eigenvalues
// agree with the dense spectrum, and Hutchinson's trace with the exact one
// within four standard errors; -init of the run's folder starts from what
// igr spectrum measured (sharpness_init is its top eigenvalue).
func TestSpectrumOfATrainedNetwork(t *testing.T) {
	dir := t.TempDir()
	run := filepath.Join(dir, "run")
	if code, _, stderr := runIgr(t, append([]string{"train", "-out", run, "-lr", "0.1"}, tiny...)...); code != 0 {
		t.Fatalf("train: exit status %d: %s", code, stderr)
	}
	dense, ds := spectrumOf(t, run)
	top, ts := spectrumOf(t, run, "-k", "5")
	if len(dense) != 48 || ds.Parameters != 48 {
		t.Fatalf("%d eigenvalues of %d parameters, want 48", len(dense), ds.Parameters)
	}
	scale := math.Abs(dense[0].Eigenvalue)
	for i, r := range top {
		if math.Abs(r.Eigenvalue-dense[i].Eigenvalue) > 1e-8*scale {
			t.Errorf("eigenvalue %d: Lanczos %.15g, dense %.15g", i+1, r.Eigenvalue, dense[i].Eigenvalue)
		}
	}
	if math.Abs(float64(ts.MostNegative-ds.MostNegative)) > 1e-8*scale || !(ds.MostNegative < 0) {
		t.Errorf("most negative eigenvalue: Lanczos %g, dense %g (want a negative one: the loss is not convex)", ts.MostNegative, ds.MostNegative)
	}
	if math.Abs(float64(ds.TraceHutchinson-ds.Trace)) > 4*float64(ds.TraceStdErr) {
		t.Errorf("Hutchinson's trace %g ± %g, exact %g", ds.TraceHutchinson, ds.TraceStdErr, ds.Trace)
	}
	again := filepath.Join(dir, "again")
	if code, _, stderr := runIgr(t, append([]string{"train", "-out", again, "-lr", "0.1", "-init", run, "-steps", "1"}, tiny...)...); code != 0 {
		t.Fatalf("train -init: exit status %d: %s", code, stderr)
	}
	runs, err := experiment.ReadRuns(filepath.Join(again, "runs.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(runs[0].SharpnessInit-dense[0].Eigenvalue) > 1e-9*scale {
		t.Errorf("-init %s starts at sharpness %.15g; the spectrum of that folder's top is %.15g", run, runs[0].SharpnessInit, dense[0].Eigenvalue)
	}
}
