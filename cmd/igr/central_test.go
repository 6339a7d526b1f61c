package main

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/igr-project/igr/experiment"
	"github.com/igr-project/igr/experiment/central"
	"github.com/igr-project/igr/experiment/instruments"
	"github.com/igr-project/igr/train/centralflow"
)

// centralSummary is the part of igr central's summary.json the tests read.
type centralSummary struct {
	Start struct {
		Step             int     `json:"step"`
		Catapult         bool    `json:"catapult"`
		Note             string  `json:"note"`
		InitialSharpness float64 `json:"initial_sharpness"`
		Sharpness        float64 `json:"sharpness"`
		InitialLoss      float64 `json:"initial_loss"`
		MaxLossBefore    float64 `json:"max_loss_before_start"`
	} `json:"start"`
	GD struct {
		Regime string `json:"regime"`
		Final  struct {
			TrainMSE float64 `json:"train_mse"`
		} `json:"final"`
	} `json:"gd"`
	Distances struct {
		Definition string `json:"definition"`
	} `json:"distances"`
}

func runCentral(t *testing.T, args ...string) (dir, stdout string, rows []central.Row, sum centralSummary) {
	t.Helper()
	dir = filepath.Join(t.TempDir(), "out")
	args = append([]string{"central", "-out", dir, "-n", "40", "-dim", "5", "-width", "10", "-seed", "1", "-quiet"}, args...)
	code, stdout, stderr := runIgr(t, args...)
	if code != 0 {
		t.Fatalf("exit status %d: %s", code, stderr)
	}
	header, _, _ := strings.Cut(readString(t, filepath.Join(dir, "central.csv")), "\n")
	const want = "t,train_mse,test_mse,sharpness,critical,sigma_trace,predicted_loss,gd_loss,distance_gd,distance_gradient_flow,distance_modified_flow"
	if header != want {
		t.Fatalf("central.csv's header is\n%s\nwant\n%s", header, want)
	}
	rows, err := experiment.ReadTable[central.Row](filepath.Join(dir, "central.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(readString(t, filepath.Join(dir, "summary.json"))), &sum); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"central_loss.png", "central_sharpness.png", "central_distance.png", "data.csv"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
	return dir, stdout, rows, sum
}

// TestCentralAtTheEdge runs igr central on a small network at a step where
// GD's sharpness rises to 2/η from below. Along the flow the sharpness
// stays at or below 2/η (within the library's slack); where an eigenvalue
// is critical tr Σ > 0 and the predicted loss is L + tr Σ/η, elsewhere
// Σ = 0 and the prediction is L; at the end the central flow is nearer GD
// than gradient flow and the modified flow are; and GD's loss is the loss
// igr train reaches with the same flags.
func TestCentralAtTheEdge(t *testing.T) {
	const eta, steps = 0.035, 200
	_, stdout, rows, sum := runCentral(t, "-lr", "0.035", "-steps", "200", "-every", "5")
	if len(rows) != steps/5+1 {
		t.Fatalf("central.csv has %d rows, want %d (steps 0, 5, …, 200)", len(rows), steps/5+1)
	}
	edge, critical := 2/eta, 0
	for i, r := range rows {
		if want := float64(5*i) * eta; math.Abs(r.T-want) > 1e-12 {
			t.Errorf("row %d: t = %g, want %g", i, r.T, want)
		}
		if r.Sharpness > edge*(1+centralflow.EdgeSlack) {
			t.Errorf("t = %g: the flow's sharpness %g is above 2/η = %g", r.T, r.Sharpness, edge)
		}
		switch {
		case r.Critical == 0 && (r.SigmaTrace != 0 || r.PredictedLoss != r.TrainMSE):
			t.Errorf("t = %g: no critical eigenvalue, but tr Σ = %g and predicted %g ≠ L = %g", r.T, r.SigmaTrace, r.PredictedLoss, r.TrainMSE)
		case r.Critical > 0 && math.Abs(r.Sharpness/edge-1) < 1e-3:
			critical++
			if want := r.TrainMSE + r.SigmaTrace/eta; !(r.SigmaTrace > 0) || math.Abs(r.PredictedLoss-want) > 1e-3*want {
				t.Errorf("t = %g on the edge: tr Σ = %g, predicted %g, L + tr Σ/η = %g", r.T, r.SigmaTrace, r.PredictedLoss, want)
			}
		}
	}
	if critical < len(rows)/2 {
		t.Errorf("the flow is on the edge at %d of %d rows", critical, len(rows))
	}
	first, last := rows[0], rows[len(rows)-1]
	if first.DistanceGD != 0 || first.DistanceGradientFlow != 0 || first.TrainMSE != first.GDLoss {
		t.Errorf("t = 0: distances %g, %g; flow loss %g, GD loss %g", first.DistanceGD, first.DistanceGradientFlow, first.TrainMSE, first.GDLoss)
	}
	if !(last.DistanceGD < last.DistanceGradientFlow && last.DistanceGD < last.DistanceModifiedFlow) {
		t.Errorf("at the end the central flow is %g from GD, gradient flow %g, the modified flow %g (relative)",
			last.DistanceGD, last.DistanceGradientFlow, last.DistanceModifiedFlow)
	}
	if sum.Start.Catapult || sum.Start.Step != 0 || strings.Contains(stdout, "Outside the theory") {
		t.Errorf("a start below the edge reported as a catapult: %+v", sum.Start)
	}
	if !strings.Contains(sum.Distances.Definition, "divided by ‖w_GD(t) − w_GD(start)‖") {
		t.Errorf("summary.json does not define the distances: %q", sum.Distances.Definition)
	}

	// GD's iterates are those of igr train.
	out := filepath.Join(t.TempDir(), "train")
	if code, _, stderr := runIgr(t, "train", "-out", out, "-n", "40", "-dim", "5", "-width", "10", "-seed", "1", "-lr", "0.035",
		"-steps", "200", "-quiet"); code != 0 {
		t.Fatalf("igr train: exit status %d: %s", code, stderr)
	}
	runs, err := experiment.ReadRuns(filepath.Join(out, "runs.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := last.GDLoss, runs[0].TrainMSE; math.Abs(got-want) > 1e-9*want {
		t.Errorf("GD's loss after 200 steps is %.12g, igr train's %.12g", got, want)
	}
	if sum.GD.Final.TrainMSE != last.GDLoss {
		t.Errorf("summary.json's final GD loss %g, central.csv's %g", sum.GD.Final.TrainMSE, last.GDLoss)
	}
}

// TestCentralBelowTheEdgeIsGradientFlow: at a small step no eigenvalue
// comes near 2/η, Σ = 0, the predicted loss is the flow's loss, and the
// central flow is gradient flow: its distance from GD tends to gradient
// flow's (integrated by RK4) as its Euler step shrinks, at first order
// (8 times the substeps, an eighth of the difference).
func TestCentralBelowTheEdgeIsGradientFlow(t *testing.T) {
	var gap []float64 // the largest |distance_gd − distance_gradient_flow| / distance_gradient_flow
	for _, euler := range []string{"4", "32"} {
		_, _, rows, sum := runCentral(t, "-lr", "0.01", "-steps", "50", "-every", "10", "-euler-substeps", euler)
		if len(rows) != 6 {
			t.Fatalf("%d rows, want 6", len(rows))
		}
		worst := 0.0
		for _, r := range rows {
			if r.Critical != 0 || r.SigmaTrace != 0 || r.PredictedLoss != r.TrainMSE || !(r.Sharpness < 1.5/0.01) {
				t.Errorf("t = %g: critical %d, tr Σ %g, predicted %g, L %g, sharpness %g", r.T, r.Critical, r.SigmaTrace, r.PredictedLoss, r.TrainMSE, r.Sharpness)
			}
			if r.T > 0 {
				worst = math.Max(worst, math.Abs(r.DistanceGD-r.DistanceGradientFlow)/r.DistanceGradientFlow)
			}
		}
		if sum.GD.Regime != "stable" {
			t.Errorf("GD's regime %q, want stable", sum.GD.Regime)
		}
		gap = append(gap, worst)
	}
	if ratio := gap[0] / gap[1]; gap[1] > 0.05 || ratio < 5 || ratio > 11 {
		t.Errorf("the central flow's distance from GD differs from gradient flow's by %.3g (4 Euler substeps) and %.3g (32): not first order", gap[0], gap[1])
	}
}

// TestCentralCatapult starts above the edge: the flows start from GD's first
// iterate below 2/η, which the console and summary.json report, and which
// igr sharpness (power iteration, another code path) confirms: every
// earlier iterate is above 2/η.
func TestCentralCatapult(t *testing.T) {
	const eta = 0.07
	_, stdout, rows, sum := runCentral(t, "-lr", "0.07", "-steps", "20", "-every", "5")
	s := sum.Start
	if !s.Catapult || s.Step < 1 || !(s.InitialSharpness > 2/eta) || !(s.Sharpness <= 2/eta) {
		t.Fatalf("start %+v: want a catapult, from sharpness above 2/η = %g to below", s, 2/eta)
	}
	if !strings.Contains(stdout, "Outside the theory") || !strings.Contains(s.Note, "outside the central flow's theory") ||
		!strings.Contains(stdout, s.Note) {
		t.Errorf("the catapult is not reported: note %q, stdout:\n%s", s.Note, stdout)
	}
	if !(s.MaxLossBefore >= s.InitialLoss) {
		t.Errorf("largest loss before the start %g below the initial %g", s.MaxLossBefore, s.InitialLoss)
	}
	if got, want := rows[0].T, float64(s.Step)*eta; math.Abs(got-want) > 1e-12 || rows[0].DistanceGD != 0 {
		t.Errorf("central.csv starts at t = %g (distance %g), want the start's t = %g", got, rows[0].DistanceGD, want)
	}

	out := filepath.Join(t.TempDir(), "sharpness")
	if code, _, stderr := runIgr(t, "sharpness", "-out", out, "-n", "40", "-dim", "5", "-width", "10", "-seed", "1", "-lr", "0.07",
		"-steps", "20", "-every", "1", "-quiet"); code != 0 {
		t.Fatalf("igr sharpness: exit status %d: %s", code, stderr)
	}
	trace, err := experiment.ReadTable[instruments.SharpnessRow](filepath.Join(out, "sharpness.csv"))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range trace[:s.Step+1] {
		if above := r.Sharpness > 2/eta*(1+1e-5); above != (r.Step < s.Step) {
			t.Errorf("GD step %d: igr sharpness measures %g (2/η = %g), the flows start at step %d", r.Step, r.Sharpness, 2/eta, s.Step)
		}
	}
}

// TestCentralInterruptKeepsResults interrupts a long run: igr central stops
// at once, exits 130 and writes the rows it measured, marked interrupted.
func TestCentralInterruptKeepsResults(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr bytes.Buffer
	done := make(chan int)
	go func() {
		done <- run(ctx, []string{"central", "-out", out, "-quiet", "-n", "40", "-dim", "5", "-width", "10", "-seed", "1",
			"-lr", "0.035", "-steps", "1000000"}, &stdout, &stderr, noEnv)
	}()
	time.Sleep(300 * time.Millisecond)
	cancel()
	var code int
	select {
	case code = <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("central did not stop 10 s after the interrupt")
	}
	if code != 130 || !strings.HasPrefix(stderr.String(), "igr: interrupted") {
		t.Errorf("exit status %d, stderr %q; want 130 and an interrupted message", code, stderr.String())
	}
	if s := readString(t, filepath.Join(out, "summary.json")); !strings.Contains(s, `"interrupted": true`) {
		t.Errorf("summary.json does not say the run was interrupted:\n%s", s)
	}
	rows, err := experiment.ReadTable[central.Row](filepath.Join(out, "central.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) < 2 || rows[0].T != 0 {
		t.Errorf("central.csv has %d rows after the interrupt", len(rows))
	}

	// Interrupted before it starts: nothing computed, the same exit.
	stderr.Reset()
	code = run(ctx, []string{"central", "-out", filepath.Join(t.TempDir(), "early"), "-quiet", "-n", "40", "-dim", "5", "-width", "10"},
		&stdout, &stderr, noEnv)
	if code != 130 || !strings.HasPrefix(stderr.String(), "igr: interrupted") {
		t.Errorf("interrupted at the start: exit status %d, stderr %q", code, stderr.String())
	}
}
