package main

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/igr-project/igr/experiment"
	"github.com/igr-project/igr/train"
	"github.com/igr-project/igr/train/dataset"
)

// smallBlog is a configuration of reproduce that finishes in seconds and
// still shows the blog's picture: n = 100, d = 20, m = 40, label noise for
// 5000 steps, small initialization as output / 10.
var smallBlog = []string{"-n", "100", "-dim", "20", "-width", "40", "-noise-steps", "5000",
	"-small-init-scale", "10", "-lrs", "0.01:0.14:0.01", "-quiet"}

func TestReproduceEndToEnd(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	code, stdout, stderr := runIgr(t, append([]string{"reproduce", "-out", out}, smallBlog...)...)
	if code != 0 {
		t.Fatalf("exit status %d: %s", code, stderr)
	}
	for _, want := range []string{"constant predictor 1", "label noise", "small init", "blog"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("the printed table lacks %q:\n%s", want, stdout)
		}
	}
	for _, f := range []string{"data.csv", "sweep.csv", "runs.csv", "history.csv", "summary.json",
		"data.png", "data.svg", "sweep.png", "sweep.svg", "curves.png", "curves.svg", "regularizer.png", "regularizer.svg"} {
		b, err := os.ReadFile(filepath.Join(out, f))
		if err != nil {
			t.Fatal(err)
		}
		switch filepath.Ext(f) {
		case ".png":
			if !bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")) {
				t.Errorf("%s is not a PNG", f)
			}
		case ".svg":
			if !bytes.Contains(b, []byte("<svg")) {
				t.Errorf("%s is not an SVG", f)
			}
		}
	}
	entries, _ := os.ReadDir(out)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("temporary file %s left in the output folder", e.Name())
		}
	}

	// The data set written is the one trained on: 100 + 100 rows of 20 inputs.
	data, err := dataset.ReadFile(filepath.Join(out, "data.csv"), 0)
	if err != nil {
		t.Fatal(err)
	}
	if data.Dim != 20 || data.Train.Len() != 100 || data.Test.Len() != 100 {
		t.Errorf("data.csv: dim %d, %d/%d rows", data.Dim, data.Train.Len(), data.Test.Len())
	}

	sweep, err := experiment.ReadRuns(filepath.Join(out, "sweep.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if len(sweep) != 14 {
		t.Fatalf("sweep.csv has %d rows, want 14", len(sweep))
	}
	header, _, _ := strings.Cut(readString(t, filepath.Join(out, "sweep.csv")), "\n")
	if header != "lr,seed,status,steps,train_mse,test_mse,grad_norm_sq,regime,sharpness_init,sharpness_final,sharpness_max_ratio" {
		t.Errorf("sweep.csv header %q", header)
	}
	var diverged, converged int
	for _, r := range sweep {
		// Every run starts from the same parameters: one sharpness.
		if !(r.SharpnessInit > 0) || r.SharpnessInit != sweep[0].SharpnessInit {
			t.Errorf("lr %g: sharpness_init %g, lr %g's %g", r.LR, r.SharpnessInit, sweep[0].LR, sweep[0].SharpnessInit)
		}
		switch r.Status {
		case train.Diverged:
			diverged++
		case train.Converged:
			converged++
			if !(r.TrainMSE < 1e-4) {
				t.Errorf("lr %g converged with train MSE %g", r.LR, r.TrainMSE)
			}
			// GD converges only where it is stable: ηS/2 < 1 at the end.
			if !(r.LR*r.SharpnessFinal/2 < 1) {
				t.Errorf("lr %g converged at sharpness %g, above 2/η", r.LR, r.SharpnessFinal)
			}
		}
	}
	if diverged == 0 || converged == 0 {
		t.Errorf("sweep: %d converged, %d diverged; want both", converged, diverged)
	}

	var summary map[string]any
	if err := json.Unmarshal([]byte(readString(t, filepath.Join(out, "summary.json"))), &summary); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"constant_test_mse", "small_lr_test_mse", "best_lr", "best_test_mse",
		"first_diverged_lr", "label_noise_test_mse", "small_init_test_mse", "wall_seconds"} {
		if _, ok := summary[key].(float64); !ok {
			t.Errorf("summary.json: %s = %v, want a number", key, summary[key])
		}
	}
	// The qualitative picture of the blog.
	num := func(k string) float64 { return summary[k].(float64) }
	if small := num("small_lr_test_mse"); small < 0.05 {
		t.Errorf("lr 0.01 reached test MSE %g, want the blog's bad solution (≥ 0.05)", small)
	}
	if best, small := num("best_test_mse"), num("small_lr_test_mse"); !(best*10 <= small) {
		t.Errorf("best lr gives %g, lr 0.01 gives %g: want 10× less", best, small)
	}
	if ln, plain := num("label_noise_test_mse"), num("plain_noise_lr_test_mse"); !(ln < plain) {
		t.Errorf("label noise %g, plain GD %g at the same lr: want less", ln, plain)
	}
	if si, small := num("small_init_test_mse"), num("small_lr_test_mse"); !(si*10 <= small) {
		t.Errorf("small init %g, lr 0.01 %g: want 10× less", si, small)
	}

	history, err := experiment.ReadHistory(filepath.Join(out, "history.csv"))
	if err != nil {
		t.Fatal(err)
	}
	runs := map[string]int{}
	for _, h := range history {
		runs[h.Run]++
		// The label-noise regularizer is recorded along label-noise and
		// plain GD.
		if measured := !math.IsNaN(h.LabelNoiseReg); measured != (h.Run == "label_noise" || h.Run == "plain") || measured && !(h.LabelNoiseReg > 0) {
			t.Errorf("history.csv: run %s step %d has label_noise_reg %g", h.Run, h.Step, h.LabelNoiseReg)
		}
	}
	for _, r := range []string{"label_noise", "plain", "small_init", "small_lr", "sweep"} {
		if runs[r] == 0 {
			t.Errorf("history.csv has no rows of run %s", r)
		}
	}
}

// TestSweepIsDeterministic runs one sweep and one map serially and in
// parallel, with one and with several OS threads, and again: the CSVs (and
// the map's summary) must be byte-identical.
func TestSweepIsDeterministic(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	small := []string{"-n", "30", "-dim", "5", "-seed", "4", "-max-steps", "3000", "-quiet"}
	for _, tc := range []struct {
		args  []string
		files []string
	}{
		{append([]string{"sweep", "-width", "8", "-lrs", "0.01,0.05,0.2,0.5,2", "-history-every", "7"}, small...),
			[]string{"sweep.csv", "history.csv", "data.csv"}},
		{append([]string{"map", "-x", "lr=0.01,0.05,0.2,2", "-y", "width=4,8", "-seeds", "2", "-tol", "1e-3"}, small...),
			[]string{"map.csv", "map_cells.csv", "summary.json", "data.csv"}},
	} {
		var first map[string][]byte
		for i, workers := range []string{"1", "3", "3", "2"} {
			runtime.GOMAXPROCS(1 + i%2)
			out := filepath.Join(t.TempDir(), "out")
			args := append(append([]string(nil), tc.args...), "-out", out, "-workers", workers)
			if code, _, stderr := runIgr(t, args...); code != 0 {
				t.Fatalf("%s: exit status %d: %s", tc.args[0], code, stderr)
			}
			files := map[string][]byte{}
			for _, f := range tc.files {
				files[f] = []byte(readString(t, filepath.Join(out, f)))
			}
			if first == nil {
				first = files
				continue
			}
			for f, b := range files {
				if !bytes.Equal(b, first[f]) {
					t.Errorf("%s: %s differs between runs (workers %s, GOMAXPROCS %d)", tc.args[0], f, workers, runtime.GOMAXPROCS(0))
				}
			}
		}
	}
}

func readString(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
