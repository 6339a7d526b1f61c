package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/igr-project/igr/experiment"
	"github.com/igr-project/igr/experiment/compare"
	"github.com/igr-project/igr/experiment/grids"
	"github.com/igr-project/igr/experiment/runs"
	"github.com/igr-project/igr/graph"
	"github.com/igr-project/igr/regularizer"
	"github.com/igr-project/igr/train"
	"github.com/igr-project/igr/train/dataset"
)

// small is a problem that trains in a fraction of a second: 30 training
// examples, d = 5, m = 8.
var small = []string{"-n", "30", "-dim", "5", "-width", "8", "-quiet"}

// TestTrainSGDReportsItsRegularizer trains by minibatch SGD and checks what
// train writes against what the files themselves say: sgd_reg in runs.csv
// and summary.json is regularizer.SGD{η, B} measured afresh at the final
// parameters of params_A.csv and params_b.csv, on the data of data.csv.
func TestTrainSGDReportsItsRegularizer(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	const lr, batch = 0.02, 7 // 30 examples: 4 batches of 7 and one of 2 per epoch
	args := append([]string{"train", "-out", out, "-lr", "0.02", "-batch", "7", "-max-steps", "3000", "-tol", "1e-3"}, small...)
	if code, _, stderr := runIgr(t, args...); code != 0 {
		t.Fatalf("exit status %d: %s", code, stderr)
	}
	header := strings.SplitN(readString(t, filepath.Join(out, "runs.csv")), "\n", 2)[0]
	if header != strings.Join(experiment.RunsSGDColumns, ",") {
		t.Errorf("runs.csv header %q, want %v", header, experiment.RunsSGDColumns)
	}
	rows, err := experiment.ReadRuns(filepath.Join(out, "runs.csv"))
	if err != nil {
		t.Fatal(err)
	}
	r := rows[0]
	if r.Run != runs.RunSGD || r.Batch != batch || r.Status != train.Converged || r.Steps%5 != 0 {
		t.Fatalf("runs.csv: %+v; want an sgd run with batch 7 converged at the start of an epoch of 5 steps", r)
	}
	data, err := dataset.ReadFile(filepath.Join(out, "data.csv"), 0)
	if err != nil {
		t.Fatal(err)
	}
	arch := graph.Quadratic{Dim: 5, Width: 8}
	p := graph.ZeroParams(arch.Params())
	for i, spec := range arch.Params() {
		v, rows, cols, err := dataset.ReadMatrixFile(filepath.Join(out, experiment.ParamsFile(spec.Name)))
		if err != nil {
			t.Fatal(err)
		}
		if rows != spec.Rows || cols != spec.Cols {
			t.Fatalf("%s is %d×%d, want %d×%d", experiment.ParamsFile(spec.Name), rows, cols, spec.Rows, spec.Cols)
		}
		copy(p.Data(i), v)
	}
	o, err := graph.NewObjective(arch, data.Train.Inputs(5), data.Train.Targets(), p,
		&graph.ObjectiveSettings{Measures: []graph.Penalty{regularizer.SGD{Eta: lr, Batch: batch}}})
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	if err := o.Run(); err != nil {
		t.Fatal(err)
	}
	if want := o.Term(0); r.SGDReg != want || r.TrainMSE != o.Loss() || r.GradNormSq != o.LossGradNormSq() {
		t.Errorf("runs.csv: sgd_reg %v, train MSE %v, ‖∇L‖² %v; measured at params_*.csv: %v, %v, %v",
			r.SGDReg, r.TrainMSE, r.GradNormSq, want, o.Loss(), o.LossGradNormSq())
	}
	var sum struct {
		Batch int
		Runs  []struct {
			GradNormSq float64 `json:"grad_norm_sq"`
			SGDReg     float64 `json:"sgd_reg"`
		}
	}
	if err := json.Unmarshal([]byte(readString(t, filepath.Join(out, "summary.json"))), &sum); err != nil {
		t.Fatal(err)
	}
	if sum.Batch != batch || sum.Runs[0].SGDReg != r.SGDReg || sum.Runs[0].GradNormSq != r.GradNormSq {
		t.Errorf("summary.json: batch %d, %+v; runs.csv: sgd_reg %v", sum.Batch, sum.Runs, r.SGDReg)
	}
	history, err := experiment.ReadHistory(filepath.Join(out, "history.csv"))
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range history {
		// Γ ≥ 0, so the SGD regularizer is at least (η/4)‖∇L‖².
		if !(h.SGDNoiseReg >= 0) || !(h.SGDReg >= lr/4*h.GradNormSq*(1-1e-12)) {
			t.Errorf("step %d: SGD regularizer %g, Γ term %g, (η/4)‖∇L‖² %g", h.Step, h.SGDReg, h.SGDNoiseReg, lr/4*h.GradNormSq)
		}
	}
	// Without -batch, nothing of SGD is written.
	gd := filepath.Join(t.TempDir(), "gd")
	if code, _, stderr := runIgr(t, append([]string{"train", "-out", gd, "-lr", "0.02", "-steps", "5"}, small...)...); code != 0 {
		t.Fatalf("exit status %d: %s", code, stderr)
	}
	if s := readString(t, filepath.Join(gd, "runs.csv")) + readString(t, filepath.Join(gd, "summary.json")); strings.Contains(s, "sgd") || strings.Contains(s, "batch") {
		t.Errorf("a full-batch run reports SGD:\n%s", s)
	}
}

// TestParamsRoundTrip trains, then starts a run from params_A.csv: -init reads
// the first layer exactly as trained, and b starts at zero, as -init
// documents, so the network first predicts 0 everywhere.
func TestParamsRoundTrip(t *testing.T) {
	dir := t.TempDir()
	first := filepath.Join(dir, "first")
	ts := &runs.TrainSettings{}
	ts.LR, ts.Steps, ts.Out, ts.N, ts.Dim, ts.Width = 0.03, 200, first, 30, 5, 8
	res, err := runs.Train.Run(context.Background(), ts)
	if err != nil {
		t.Fatal(err)
	}
	trained := res.Params[0]
	if trained.Distance(graph.ZeroParams(graph.Quadratic{Dim: 5, Width: 8}.Params())) == 0 {
		t.Fatal("the run trained nothing")
	}
	setup, err := experiment.Config{N: 30, Dim: 5,
		InitFile: filepath.Join(first, "params_A.csv")}.Resolve()
	if err != nil {
		t.Fatal(err)
	}
	init := setup.Problem.Init
	if !slices.Equal(init.Data(0), trained.Data(0)) {
		t.Error("-init params_A.csv does not give the trained first layer bit for bit")
	}
	if setup.Width != 8 || slices.ContainsFunc(init.Data(1), func(v float64) bool { return v != 0 }) {
		t.Errorf("width %d, b = %v; want the init file's 8 columns and b = 0", setup.Width, init.Data(1))
	}
	b, _, _, err := dataset.ReadMatrixFile(filepath.Join(first, "params_b.csv"))
	if err != nil || !slices.Equal(b, trained.Data(1)) {
		t.Errorf("params_b.csv %v, the run's b %v (%v)", b, trained.Data(1), err)
	}
	// Through the command line: the first recorded training MSE is that of
	// the zero predictor, the mean of y².
	second := filepath.Join(dir, "second")
	args := append([]string{"train", "-out", second, "-lr", "0.03", "-steps", "1", "-init", filepath.Join(first, "params_A.csv")}, small...)
	if code, _, stderr := runIgr(t, args...); code != 0 {
		t.Fatalf("exit status %d: %s", code, stderr)
	}
	h, err := experiment.ReadHistory(filepath.Join(second, "history.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if want := dataset.ConstantMSE(setup.Data().Train, 0); h[0].Step != 0 || math.Abs(h[0].TrainMSE-want) > 1e-12*want {
		t.Errorf("first point %+v, want the zero predictor's train MSE %g", h[0], want)
	}
	// The run's folder as -init: every parameter as trained, b too, so the
	// run starts where the first one ended, at its final training MSE.
	whole, err := experiment.Config{N: 30, Dim: 5, InitFile: first}.Resolve()
	if err != nil {
		t.Fatal(err)
	}
	if whole.Problem.Init.Distance(trained) != 0 || whole.Width != 8 {
		t.Errorf("-init %s: distance %g from the trained parameters, width %d", first, whole.Problem.Init.Distance(trained), whole.Width)
	}
	third := filepath.Join(dir, "third")
	args = append([]string{"train", "-out", third, "-lr", "0.03", "-steps", "1", "-init", first}, small...)
	if code, _, stderr := runIgr(t, args...); code != 0 {
		t.Fatalf("exit status %d: %s", code, stderr)
	}
	if h, err = experiment.ReadHistory(filepath.Join(third, "history.csv")); err != nil {
		t.Fatal(err)
	}
	if want := res.Runs[0].TrainMSE; math.Abs(h[0].TrainMSE-want) > 1e-12*want {
		t.Errorf("-init of the trained folder starts at train MSE %g, the trained run ended at %g", h[0].TrainMSE, want)
	}
}

// TestNoiseAndCompareWithBatches runs noise, compare and compare -sweep with
// -batch: both noise runs are SGD and record both regularizers; compare adds
// the sgd and explicit_sgd methods to compare.csv, the trajectory, history
// and figures; compare -sweep adds their curves.
func TestNoiseAndCompareWithBatches(t *testing.T) {
	dir := t.TempDir()
	noise := filepath.Join(dir, "noise")
	if code, _, stderr := runIgr(t, append([]string{"noise", "-out", noise, "-batch", "10", "-steps", "300", "-max-steps", "2000", "-tol", "1e-3"}, small...)...); code != 0 {
		t.Fatalf("noise: exit status %d: %s", code, stderr)
	}
	rows, err := experiment.ReadRuns(filepath.Join(noise, "runs.csv"))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if r.Batch != 10 || !(r.SGDReg > 0) {
			t.Errorf("noise run %s: batch %d, sgd_reg %g", r.Run, r.Batch, r.SGDReg)
		}
	}
	history, err := experiment.ReadHistory(filepath.Join(noise, "history.csv"))
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range history {
		if !(h.LabelNoiseReg > 0) || math.IsNaN(h.SGDNoiseReg) {
			t.Fatalf("%s step %d: label-noise regularizer %g, SGD Γ term %g", h.Run, h.Step, h.LabelNoiseReg, h.SGDNoiseReg)
		}
	}
	if _, err := os.Stat(filepath.Join(noise, "sgd_regularizer.png")); err != nil {
		t.Error(err)
	}

	cmp := filepath.Join(dir, "compare")
	args := append([]string{"compare", "-out", cmp, "-batch", "10", "-eta", "0.02", "-h", "0.005", "-noise-steps", "200",
		"-max-steps", "3000", "-tol", "1e-3", "-history-every", "20"}, small...)
	if code, _, stderr := runIgr(t, args...); code != 0 {
		t.Fatalf("compare: exit status %d: %s", code, stderr)
	}
	crows, err := experiment.ReadTable[compare.Row](filepath.Join(cmp, "compare.csv"))
	if err != nil {
		t.Fatal(err)
	}
	var methods []string
	for _, r := range crows {
		methods = append(methods, r.Method)
		if !(r.SGDReg >= r.GradNormReg*(1-1e-12)) || !(r.SGDNoiseReg >= 0) {
			t.Errorf("%s: SGD regularizer %g, Γ term %g, (η/4)‖∇L‖² %g", r.Method, r.SGDReg, r.SGDNoiseReg, r.GradNormReg)
		}
	}
	want := []string{compare.MethodImplicit, compare.MethodExplicitGradNorm, compare.MethodExplicitLabelNoise,
		compare.MethodPlainSmallStep, compare.MethodLabelNoise, compare.MethodSGD, compare.MethodExplicitSGD, compare.MethodCentralFlow}
	if !slices.Equal(methods, want) {
		t.Fatalf("compare.csv methods %v, want %v", methods, want)
	}
	if sgd := crows[5]; sgd.StepSize != 0.02 || sgd.Status != train.Converged || crows[6].StepSize != 0.005 {
		t.Errorf("sgd at step %g ended %s, explicit_sgd at step %g", sgd.StepSize, sgd.Status, crows[6].StepSize)
	}
	traj, err := experiment.ReadTable[compare.TrajectoryRow](filepath.Join(cmp, "trajectory.csv"))
	if err != nil {
		t.Fatal(err)
	}
	matched := map[string]int{}
	for _, r := range traj {
		matched[r.Method]++
	}
	if matched[compare.MethodSGD] < 5 || matched[compare.MethodExplicitSGD] < 5 {
		t.Errorf("trajectory.csv: matched times per method %v", matched)
	}
	for _, f := range []string{"sgd_regularizer.png", "trajectory.png", "curves.png"} {
		if _, err := os.Stat(filepath.Join(cmp, f)); err != nil {
			t.Error(err)
		}
	}

	sweep := filepath.Join(dir, "compare-sweep")
	args = append([]string{"compare", "-sweep", "-out", sweep, "-batch", "10", "-lrs", "0.01,0.03", "-h", "0.01",
		"-max-steps", "3000", "-tol", "1e-3"}, small...)
	if code, _, stderr := runIgr(t, args...); code != 0 {
		t.Fatalf("compare -sweep: exit status %d: %s", code, stderr)
	}
	srows, err := experiment.ReadTable[compare.SweepRow](filepath.Join(sweep, "compare_sweep.csv"))
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for _, r := range srows {
		count[r.Method]++
		wantStep := r.Eta
		if r.Method == compare.MethodExplicitGradNorm || r.Method == compare.MethodExplicitSGD {
			wantStep = 0.01
		}
		if r.StepSize != wantStep {
			t.Errorf("%s at η %g: step %g, want %g", r.Method, r.Eta, r.StepSize, wantStep)
		}
	}
	if len(srows) != 8 || count[compare.MethodSGD] != 2 || count[compare.MethodExplicitSGD] != 2 || count[compare.MethodCentralFlow] != 0 {
		t.Errorf("compare_sweep.csv: %d rows, %v", len(srows), count)
	}
	if s := readString(t, filepath.Join(sweep, "compare_sweep.json")); !strings.Contains(s, `"explicit_sgd"`) {
		t.Errorf("compare_sweep.json has no explicit_sgd headline:\n%s", s)
	}
}

// TestSGDSweepShardsAndWorkers: a sweep with -batch gives the same bytes on
// one worker or two, and merged from shards, and names its batch size.
func TestSGDSweepShardsAndWorkers(t *testing.T) {
	dir := t.TempDir()
	grid := append([]string{"sweep", "-batch", "6", "-lrs", "0.01,0.05,0.2,3", "-seeds", "2", "-max-steps", "2000", "-tol", "1e-3",
		"-history-every", "50"}, small...)
	var outs []string
	for _, workers := range []string{"1", "2"} {
		out := filepath.Join(dir, "w"+workers)
		if code, _, stderr := runIgr(t, append(grid, "-out", out, "-workers", workers)...); code != 0 {
			t.Fatalf("exit status %d: %s", code, stderr)
		}
		outs = append(outs, out)
	}
	shards := []string{filepath.Join(dir, "s0"), filepath.Join(dir, "s1")}
	for i, s := range shards {
		if code, _, stderr := runIgr(t, append(grid, "-out", s, "-shard", []string{"0/2", "1/2"}[i])...); code != 0 {
			t.Fatalf("shard: exit status %d: %s", code, stderr)
		}
	}
	merged := filepath.Join(dir, "merged")
	if code, _, stderr := runIgr(t, append([]string{"merge", "-out", merged}, shards...)...); code != 0 {
		t.Fatalf("merge: exit status %d: %s", code, stderr)
	}
	outs = append(outs, merged)
	for _, f := range []string{"sweep.csv", "history.csv", "summary.json", "sweep_bands.csv"} {
		first := readString(t, filepath.Join(outs[0], f))
		for _, o := range outs[1:] {
			if !bytes.Equal([]byte(first), []byte(readString(t, filepath.Join(o, f)))) {
				t.Errorf("%s of %s differs from %s's", f, o, outs[0])
			}
		}
	}

	if s := readString(t, filepath.Join(outs[0], "summary.json")); !strings.Contains(s, `"batch": 6`) {
		t.Errorf("summary.json does not name the batch size:\n%s", s)
	}
}

// TestSGDCheckpointResume interrupts an SGD run with label noise in the
// middle of an epoch, after its first checkpoint, resumes it, and requires
// the tables and parameters of an uninterrupted run, byte for byte.
func TestSGDCheckpointResume(t *testing.T) {
	// 30 examples in batches of 7: epochs of 5 steps; checkpoints every
	// 503 steps fall inside epochs.
	args := append([]string{"train", "-lr", "0.02", "-batch", "7", "-sigma", "0.5", "-steps", "30000", "-history-every", "50"}, small...)
	checkResume(t, args, "503", "runs.csv", "history.csv", "params_A.csv", "params_b.csv")
}

// TestMapBatchAxis maps learning rate × batch size: every cell is the run
// igr train makes with the same flags, the batch of all examples is full-batch
// GD, and map.csv names the batch of every row.
func TestMapBatchAxis(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "map")
	args := append([]string{"map", "-out", out, "-x", "lr=0.01,0.05", "-y", "batch=7,30", "-max-steps", "3000", "-tol", "1e-3"}, small...)
	if code, _, stderr := runIgr(t, args...); code != 0 {
		t.Fatalf("exit status %d: %s", code, stderr)
	}
	layout := grids.Layout{X: "lr", Y: "batch"}
	if h := strings.SplitN(readString(t, filepath.Join(out, grids.MapTable)), "\n", 2)[0]; h != strings.Join(layout.RowColumns(), ",") || !strings.HasPrefix(h, "lr,batch,") {
		t.Errorf("map.csv header %q", h)
	}
	rows, err := layout.ReadRows(filepath.Join(out, grids.MapTable))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 4 {
		t.Fatalf("map.csv has %d rows, want 4", len(rows))
	}
	for _, r := range rows {
		cell := filepath.Join(dir, fmt.Sprintf("train-%g-%g", r.X, r.Y))
		train := append([]string{"train", "-out", cell, "-lr", fmt.Sprint(r.X), "-max-steps", "3000", "-tol", "1e-3"}, small...)
		if r.Y < 30 {
			train = append(train, "-batch", fmt.Sprint(r.Y))
		}
		if code, _, stderr := runIgr(t, train...); code != 0 {
			t.Fatalf("exit status %d: %s", code, stderr)
		}
		rows, err := experiment.ReadRuns(filepath.Join(cell, "runs.csv"))
		if err != nil {
			t.Fatal(err)
		}
		if g := rows[0]; g.Status != r.Status || g.Steps != r.Steps || g.TestMSE != r.TestMSE {
			t.Errorf("lr %g batch %g: the map's cell %s/%d/%v, igr train %s/%d/%v", r.X, r.Y, r.Status, r.Steps, r.TestMSE, g.Status, g.Steps, g.TestMSE)
		}
	}
	if s := readString(t, filepath.Join(out, "summary.json")); !strings.Contains(s, `"name": "batch"`) {
		t.Errorf("summary.json does not name the batch axis:\n%s", s)
	}
}
