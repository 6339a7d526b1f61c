package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/igr-project/igr/experiment"
	"github.com/igr-project/igr/experiment/grids"
	"github.com/igr-project/igr/experiment/instruments"
	"github.com/igr-project/igr/train"
	"github.com/igr-project/igr/train/curvature"
)

// TestVerifySlopes checks the blog's derivation: one GD step is O(η²) from the
// flow of L and O(η³) from the flow of L + (η/4)‖∇L‖².
func TestVerifySlopes(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	if code, _, stderr := runIgr(t, "verify", "-out", out, "-n", "60", "-dim", "10", "-width", "20", "-quiet"); code != 0 {
		t.Fatalf("exit status %d: %s", code, stderr)
	}
	var s struct {
		Plain    float64 `json:"slope_plain_flow"`
		Modified float64 `json:"slope_modified_flow"`
	}
	if err := json.Unmarshal([]byte(readString(t, filepath.Join(out, "summary.json"))), &s); err != nil {
		t.Fatal(err)
	}
	if math.Abs(s.Plain-2) > 0.2 || math.Abs(s.Modified-3) > 0.2 {
		t.Errorf("slopes %.3f and %.3f, want 2 and 3 within 0.2", s.Plain, s.Modified)
	}
	rows, err := experiment.ReadTable[instruments.VerifyRow](filepath.Join(out, "verify.csv"))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if !(r.ModifiedIntegration < 1e-3*r.Modified) || !(r.PlainIntegration < 1e-3*r.Plain) {
			t.Errorf("η = %g: integration error %g/%g is not far below the measured %g/%g", r.Eta,
				r.PlainIntegration, r.ModifiedIntegration, r.Plain, r.Modified)
		}
	}
	readString(t, filepath.Join(out, "verify.png"))
}

// TestVerifyWarmupTakesTheFlags: the warm-up to θ₀ trains as the flags say,
// -dtype among them, as every run does: in float32 the warm-up, the step and
// the flows are float32's, and verify.csv differs from float64's.
func TestVerifyWarmupTakesTheFlags(t *testing.T) {
	dir := t.TempDir()
	tables := map[string]string{}
	for _, dtype := range []string{"float64", "float32"} {
		out := filepath.Join(dir, dtype)
		args := []string{"verify", "-out", out, "-n", "20", "-dim", "4", "-width", "5", "-etas", "0.01,0.1", "-substeps", "4",
			"-warmup-steps", "3", "-dtype", dtype, "-quiet"}
		if code, _, stderr := runIgr(t, args...); code != 0 {
			t.Fatalf("%s: exit status %d: %s", dtype, code, stderr)
		}
		tables[dtype] = readString(t, filepath.Join(out, "verify.csv"))
	}
	if tables["float64"] == tables["float32"] {
		t.Error("verify -dtype float32 computed what float64 did: the flag does not reach the run")
	}
}

// TestSharpnessEndToEnd: igr sharpness measures every -every steps and at
// each of the first 100, and at the initialization its value is the top
// eigenvalue of the dense Hessian of the same problem.
func TestSharpnessEndToEnd(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	if code, _, stderr := runIgr(t, "sharpness", "-out", out, "-n", "60", "-dim", "10", "-width", "20", "-lr", "0.05",
		"-steps", "150", "-every", "25", "-quiet"); code != 0 {
		t.Fatalf("exit status %d: %s", code, stderr)
	}
	rows, err := experiment.ReadTable[instruments.SharpnessRow](filepath.Join(out, "sharpness.csv"))
	if err != nil {
		t.Fatal(err)
	}
	var steps, want []int
	for _, r := range rows {
		steps = append(steps, r.Step)
	}
	for s := range experiment.EarlySteps {
		want = append(want, s)
	}
	if want = append(want, 100, 125, 150); !slices.Equal(steps, want) {
		t.Fatalf("sharpness.csv at steps %v, want 0 to 99, 100, 125, 150", steps)
	}
	for _, r := range rows {
		if !(r.Sharpness > 0) || r.TwoOverEta != 40 {
			t.Errorf("step %d: sharpness %g, 2/η %g", r.Step, r.Sharpness, r.TwoOverEta)
		}
	}
	setup, err := experiment.Config{N: 60, Dim: 10, Width: 20}.Resolve()
	if err != nil {
		t.Fatal(err)
	}
	d := setup.Data()
	h, err := curvature.NewHessian(setup.Problem.Arch, d.Train.Inputs(d.Dim), d.Train.Targets(), setup.Problem.Init, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	dense, err := curvature.Dense(context.Background(), h, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := dense.Values[0]; math.Abs(rows[0].Sharpness-want) > 1e-9*want {
		t.Errorf("sharpness at the initialization %.15g, the dense Hessian's top eigenvalue %.15g", rows[0].Sharpness, want)
	}
	readString(t, filepath.Join(out, "sharpness.png"))
}

// TestFlowEndToEnd: at a small step, GD stays closer to the flow of
// L + (η/4)‖∇L‖² than to the flow of L, at every matched time.
func TestFlowEndToEnd(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	if code, _, stderr := runIgr(t, "flow", "-out", out, "-n", "60", "-dim", "10", "-width", "20", "-lr", "0.01",
		"-steps", "60", "-substeps", "4", "-quiet"); code != 0 {
		t.Fatalf("exit status %d: %s", code, stderr)
	}
	rows, err := experiment.ReadTable[instruments.FlowRow](filepath.Join(out, "flow.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 61 {
		t.Fatalf("flow.csv has %d rows, want 61", len(rows))
	}
	for _, r := range rows[1:] {
		if !(r.Modified < r.Plain) {
			t.Errorf("t = %g: GD is %g from the modified flow and %g from the flow of L", r.T, r.Modified, r.Plain)
		}
	}
}

func TestSweepSeedBands(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	if code, _, stderr := runIgr(t, "sweep", "-out", out, "-n", "30", "-dim", "5", "-width", "8", "-seeds", "3",
		"-lrs", "0.02,0.1,3", "-max-steps", "2000", "-tol", "1e-3", "-quiet"); code != 0 {
		t.Fatalf("exit status %d: %s", code, stderr)
	}
	rows, err := experiment.ReadRuns(filepath.Join(out, "sweep.csv"))
	if err != nil {
		t.Fatal(err)
	}
	seeds := map[uint64]int{}
	for _, r := range rows {
		seeds[r.Seed]++
	}
	if len(rows) != 9 || seeds[0] != 3 || seeds[1] != 3 || seeds[2] != 3 {
		t.Fatalf("sweep.csv: %d rows, per seed %v; want 3 learning rates × seeds 0, 1, 2", len(rows), seeds)
	}
	bands, err := grids.ReadBands(filepath.Join(out, "sweep_bands.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if len(bands) != 3 || bands[2].Diverged != 3 {
		t.Fatalf("sweep_bands.csv: %+v; want 3 learning rates, lr 3 diverged for all 3 seeds", bands)
	}
	for _, b := range bands[:2] {
		var got []float64
		for _, r := range rows {
			if r.LR == b.X {
				got = append(got, r.TestMSE)
			}
		}
		lo, hi := math.Min(got[0], math.Min(got[1], got[2])), math.Max(got[0], math.Max(got[1], got[2]))
		if b.Seeds != 3 || b.Converged == 3 && (b.Min != lo || b.Max != hi || !(b.Median >= lo && b.Median <= hi)) {
			t.Errorf("lr %g: band %+v does not match the test MSEs %v", b.X, b, got)
		}
	}
	readString(t, filepath.Join(out, "sweep.png"))
	// The figure's title gives the tolerance of -tol.
	if svg, want := readString(t, filepath.Join(out, "sweep.svg")), "to train MSE &lt; 0.001, 3 seeds"; !strings.Contains(svg, want) {
		t.Errorf("sweep.svg does not say %q", want)
	}
}

// TestSweepSummarizesEverySeed: over several seeds, summary.json gives each
// seed's best and first diverging learning rate, labelled with its seed, and
// theirs over the seeds, not seed 0's as if it were the sweep's; the
// console prints them at the end.
func TestSweepSummarizesEverySeed(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	code, stdout, stderr := runIgr(t, "sweep", "-out", out, "-n", "30", "-dim", "5", "-width", "8", "-seeds", "3",
		"-lrs", "0.005:0.07:0.005", "-max-steps", "3000", "-tol", "1e-3", "-quiet")
	if code != 0 {
		t.Fatalf("exit status %d: %s", code, stderr)
	}
	rows, err := experiment.ReadRuns(filepath.Join(out, "sweep.csv"))
	if err != nil {
		t.Fatal(err)
	}
	type headline struct{ best, bestMSE, diverged float64 }
	want := map[uint64]*headline{}
	for _, r := range rows {
		h := want[r.Seed]
		if h == nil {
			h = &headline{math.NaN(), math.Inf(1), math.NaN()}
			want[r.Seed] = h
		}
		if r.Status == train.Converged && r.TestMSE < h.bestMSE {
			h.best, h.bestMSE = r.LR, r.TestMSE
		}
		if r.Status == train.Diverged && !(r.LR >= h.diverged) {
			h.diverged = r.LR
		}
	}
	var sum struct {
		BestLR  *float64 `json:"best_lr"`
		PerSeed []struct {
			Seed            uint64   `json:"seed"`
			BestLR          *float64 `json:"best_lr"`
			FirstDivergedLR *float64 `json:"first_diverged_lr"`
		} `json:"per_seed"`
		OverSeeds struct {
			FirstDivergedLR *float64 `json:"first_diverged_lr"`
			BestLRMin       *float64 `json:"best_lr_min"`
			BestLRMax       *float64 `json:"best_lr_max"`
		} `json:"over_seeds"`
	}
	if err := json.Unmarshal([]byte(readString(t, filepath.Join(out, "summary.json"))), &sum); err != nil {
		t.Fatal(err)
	}
	if sum.BestLR != nil || len(sum.PerSeed) != 3 {
		t.Fatalf("summary.json: top-level best_lr %v, %d seeds; want each seed's and none unlabelled", sum.BestLR, len(sum.PerSeed))
	}
	firstDiverged, lo, hi := math.Inf(1), math.Inf(1), math.Inf(-1)
	differ := false
	for i, p := range sum.PerSeed {
		w := want[uint64(i)]
		if p.Seed != uint64(i) || p.BestLR == nil || *p.BestLR != w.best || p.FirstDivergedLR == nil || *p.FirstDivergedLR != w.diverged {
			t.Errorf("seed %d in summary.json: %+v; sweep.csv gives best %g, first diverging %g", i, p, w.best, w.diverged)
			continue
		}
		differ = differ || w.diverged != want[0].diverged || w.best != want[0].best
		firstDiverged, lo, hi = math.Min(firstDiverged, w.diverged), math.Min(lo, w.best), math.Max(hi, w.best)
		if !strings.Contains(stdout, fmt.Sprintf("seed %d: best lr %g", i, w.best)) {
			t.Errorf("the console does not print seed %d's best lr:\n%s", i, stdout)
		}
	}
	o := sum.OverSeeds
	if o.FirstDivergedLR == nil || *o.FirstDivergedLR != firstDiverged || *o.BestLRMin != lo || *o.BestLRMax != hi {
		t.Errorf("over seeds %+v; want first diverging %g, best from %g to %g", o, firstDiverged, lo, hi)
	}
	if !differ {
		t.Error("the seeds agree: the test needs seeds whose headlines differ")
	}
	if !strings.Contains(stdout, "over 3 seeds: best lr") {
		t.Errorf("the console does not print the headline over the seeds:\n%s", stdout)
	}
}
