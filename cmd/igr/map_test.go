package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/igr-project/igr/experiment"
	"github.com/igr-project/igr/experiment/grids"
	"github.com/igr-project/igr/internal/tidycsv"
	"github.com/igr-project/igr/train"
)

// tiny is a problem on which a run takes milliseconds.
var tiny = []string{"-n", "30", "-dim", "5", "-width", "8", "-max-steps", "3000", "-tol", "1e-3", "-quiet"}

// without returns args without the flag name and its value.
func without(args []string, name string) []string {
	var out []string
	for i := 0; i < len(args); i++ {
		if args[i] == "-"+name {
			i++
			continue
		}
		out = append(out, args[i])
	}
	return out
}

// TestMapCellsAreTrainRuns checks that every cell of a map, along every axis,
// is the run igr train makes with the same flags, bit for bit: the status,
// the steps, the three errors and the sharpness at both ends, written in
// the shortest form that reads back to the same float64, and, tracked every
// 10 steps as the map tracks it, the regime and sharpness_max_ratio.
func TestMapCellsAreTrainRuns(t *testing.T) {
	for _, tc := range []struct {
		x, y  string
		extra []string
	}{
		{"lr=0.02,0.3", "width=4,6", nil},
		{"scale=0.5,3", "seed=1,2", []string{"-lr", "0.05"}},
		{"n=20,25", "dim=3,4", []string{"-lr", "0.05"}},
		{"sigma=0,0.5", "lr=0.02,0.05", []string{"-steps", "300"}},
		{"lambda=0,0.003", "lr=0.02,0.04", nil},
	} {
		t.Run(tc.x+" "+tc.y, func(t *testing.T) {
			base := append(append([]string(nil), tiny...), tc.extra...)
			for _, axis := range []string{tc.x, tc.y} {
				base = without(base, strings.Split(axis, "=")[0])
			}
			out := filepath.Join(t.TempDir(), "map")
			if code, _, stderr := runIgr(t, append([]string{"map", "-out", out, "-x", tc.x, "-y", tc.y}, base...)...); code != 0 {
				t.Fatalf("map: exit status %d: %s", code, stderr)
			}
			xName, yName := strings.Split(tc.x, "=")[0], strings.Split(tc.y, "=")[0]
			m, err := grids.ReadMap(out)
			if err != nil {
				t.Fatal(err)
			}
			if len(m.Rows) != 4 {
				t.Fatalf("map.csv has %d rows, want 4", len(m.Rows))
			}
			statuses := map[train.Status]bool{}
			for _, r := range m.Rows {
				statuses[r.Status] = true
				args := append([]string{"train", "-out", filepath.Join(t.TempDir(), "train"), "-track-sharpness", "10",
					"-" + xName, tidycsv.Float(r.X), "-" + yName, tidycsv.Float(r.Y)}, base...)
				if code, _, stderr := runIgr(t, args...); code != 0 {
					t.Fatalf("%s: exit status %d: %s", strings.Join(args, " "), code, stderr)
				}
				rows, err := experiment.ReadRuns(filepath.Join(args[2], "runs.csv"))
				if err != nil {
					t.Fatal(err)
				}
				var sum struct {
					Runs []struct {
						Regime   string  `json:"regime"`
						MaxRatio float64 `json:"sharpness_max_ratio"`
					} `json:"runs"`
				}
				if err := json.Unmarshal([]byte(readString(t, filepath.Join(args[2], "summary.json"))), &sum); err != nil {
					t.Fatal(err)
				}
				got := []string{string(rows[0].Status), strconv.Itoa(rows[0].Steps), tidycsv.Float(rows[0].TrainMSE),
					tidycsv.Float(rows[0].TestMSE), tidycsv.Float(rows[0].GradNormSq), tidycsv.Float(rows[0].SharpnessInit),
					tidycsv.Float(rows[0].SharpnessFinal), sum.Runs[0].Regime, tidycsv.Float(sum.Runs[0].MaxRatio)}
				want := []string{string(r.Status), strconv.Itoa(r.Steps), tidycsv.Float(r.TrainMSE), tidycsv.Float(r.TestMSE), tidycsv.Float(r.GradNormSq),
					tidycsv.Float(r.SharpnessInit), tidycsv.Float(r.SharpnessFinal), string(r.Regime), tidycsv.Float(r.SharpnessMaxRatio)}
				if strings.Join(got, ",") != strings.Join(want, ",") {
					t.Errorf("%s %g %s %g: map cell %v, igr train %v", xName, r.X, yName, r.Y, want, got)
				}
			}
			t.Logf("statuses %v", statuses)
		})
	}
}

// TestMapShardsMergeToTheSingleMachineMap runs a map on one machine and as
// three shards, one by flag, one as a Slurm job array task and one as a
// Kubernetes Indexed Job pod, each its own process, merges them and compares
// every file byte for byte.
func TestMapShardsMergeToTheSingleMachineMap(t *testing.T) {
	bin := buildIgr(t)
	dir := t.TempDir()
	grid := append([]string{"map", "-x", "lr=0.02,0.1,3", "-y", "scale=log:0.5:2:3", "-seeds", "2"}, tiny...)
	shards := shardAndMerge(t, bin, dir, grid,
		"data.csv", "data.png", "map.csv", "map_cells.csv", "summary.json", "map.png", "map.svg", "map_lines.png", "map_lines.svg")
	single := filepath.Join(dir, "single")
	m, err := grids.ReadMap(single)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Rows) != 18 || len(m.Cells) != 9 {
		t.Fatalf("map: %d runs and %d cells, want 3 lr × 3 scales × 2 seeds", len(m.Rows), len(m.Cells))
	}
	rows, err := grids.Layout{X: "lr", Y: "scale"}.ReadRows(filepath.Join(shards[1], "map.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 6 { // cells 1, 4, …, 16 of 18
		t.Errorf("shard 1/3 computed %d cells, want 6", len(rows))
	}

	// Missing cells are named; a sweep's shards and a map's do not mix.
	code, _, stderr := runIgr(t, "merge", "-out", filepath.Join(dir, "bad"), shards[0], shards[2])
	if code != 2 || !strings.Contains(stderr, "6 cells missing: lr 0.1 scale 0.5 seed 0,") {
		t.Errorf("merge without shard 1: status %d, %q", code, stderr)
	}
	sweepShard := filepath.Join(dir, "sweep-shard")
	if code, _, stderr := runIgr(t, append([]string{"sweep", "-lrs", "0.02,0.1", "-shard", "0/3", "-out", sweepShard}, tiny...)...); code != 0 {
		t.Fatalf("sweep shard: %d: %s", code, stderr)
	}
	code, _, stderr = runIgr(t, "merge", "-out", filepath.Join(dir, "bad"), shards[0], sweepShard)
	if code != 2 || !strings.Contains(stderr, "shards of different grids") {
		t.Errorf("merge of a map's and a sweep's shards: status %d, %q", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "bad")); !os.IsNotExist(err) {
		t.Error("a refused merge wrote its folder")
	}
}

// TestMapSummaryRows checks summary.json's numbers of every row against the
// runs in map.csv: the best x among cells where every seed converged, the
// first diverging learning rate and the ratio of the smallest learning
// rate's median test MSE to the best; lr 3 diverges.
func TestMapSummaryRows(t *testing.T) {
	out := filepath.Join(t.TempDir(), "map")
	args := []string{"map", "-out", out, "-x", "lr=0.005,0.01,0.02,0.04,3", "-y", "width=10,20", "-seeds", "3",
		"-n", "40", "-dim", "6", "-tol", "1e-3", "-max-steps", "10000", "-quiet"}
	code, stdout, stderr := runIgr(t, args...)
	if code != 0 {
		t.Fatalf("exit status %d: %s", code, stderr)
	}
	m, err := grids.ReadMap(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Summary.Rows) != 2 {
		t.Fatalf("summary.json has %d rows, want 2", len(m.Summary.Rows))
	}
	for _, s := range m.Summary.Rows {
		// The medians and statuses per lr, recomputed from the runs.
		median := map[float64]float64{}
		allConverged := map[float64]bool{}
		firstDiverged := math.Inf(1)
		var tests = map[float64][]float64{}
		for _, r := range m.Rows {
			if r.Y != float64(s.Y) {
				continue
			}
			if _, ok := allConverged[r.X]; !ok {
				allConverged[r.X] = true
			}
			if r.Status == train.Converged {
				tests[r.X] = append(tests[r.X], r.TestMSE)
			} else {
				allConverged[r.X] = false
			}
			if r.Status == train.Diverged {
				firstDiverged = math.Min(firstDiverged, r.X)
			}
		}
		bestX, best := math.NaN(), math.Inf(1)
		for x, v := range tests {
			if len(v) != 3 {
				continue
			}
			a, b, c := v[0], v[1], v[2]
			median[x] = math.Max(math.Min(a, b), math.Min(math.Max(a, b), c))
			if allConverged[x] && median[x] < best {
				bestX, best = x, median[x]
			}
		}
		if float64(s.BestX) != bestX || float64(s.BestTestMSE) != best {
			t.Errorf("width %g: best lr %g (%g), recomputed %g (%g)", float64(s.Y), float64(s.BestX), float64(s.BestTestMSE), bestX, best)
		}
		if math.IsInf(firstDiverged, 1) || float64(s.FirstDivergedLR) != firstDiverged {
			t.Errorf("width %g: first diverging lr %g, recomputed %g (lr 3 must diverge)", float64(s.Y), float64(s.FirstDivergedLR), firstDiverged)
		}
		want := median[0.005] / best
		if float64(s.SmallestX) != 0.005 || math.Abs(float64(s.SmallestXOverBest)-want) > 1e-15*want {
			t.Errorf("width %g: smallest lr %g over best %g, recomputed %g", float64(s.Y), float64(s.SmallestX), float64(s.SmallestXOverBest), want)
		}
		if !strings.Contains(stdout, fmt.Sprintf("%.3g×", want)) {
			t.Errorf("the printed table lacks the ratio %.3g×:\n%s", want, stdout)
		}
	}
}

// TestMapOfOneAxis: without -y a map is one row, a sweep over any
// hyperparameter; its table has one axis column.
func TestMapOfOneAxis(t *testing.T) {
	out := filepath.Join(t.TempDir(), "map")
	if code, _, stderr := runIgr(t, append([]string{"map", "-out", out, "-x", "width=4,8", "-seeds", "2", "-lr", "0.05"}, without(tiny, "width")...)...); code != 0 {
		t.Fatalf("exit status %d: %s", code, stderr)
	}
	header, _, _ := strings.Cut(readString(t, filepath.Join(out, "map.csv")), "\n")
	if header != "width,seed,status,steps,train_mse,test_mse,grad_norm_sq,regime,sharpness_init,sharpness_final,sharpness_max_ratio" {
		t.Errorf("map.csv header %q", header)
	}
	m, err := grids.ReadMap(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Rows) != 4 || len(m.Cells) != 2 || len(m.Summary.Rows) != 1 || !math.IsNaN(float64(m.Summary.Rows[0].Y)) {
		t.Errorf("%d runs, %d cells, summary rows %+v; want 4, 2 and one row without y", len(m.Rows), len(m.Cells), m.Summary.Rows)
	}
	for _, f := range []string{"map.png", "map_lines.png", "map_cells.csv"} {
		readString(t, filepath.Join(out, f))
	}
}
