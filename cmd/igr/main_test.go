package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/igr-project/igr/experiment"
	"github.com/igr-project/igr/train"
)

// runIgr runs the command line in-process and returns its exit status and
// outputs.
func runIgr(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, &stdout, &stderr, noEnv)
	return code, stdout.String(), stderr.String()
}

// noEnv is an environment without variables: tests do not pick up the
// Slurm or Kubernetes job of the machine they run on.
func noEnv(string) string { return "" }

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	badData := writeFile(t, dir, "bad.csv", "x0,x1,y\n1,2,3\n4,oops,6\n7,8,9\n")
	ragged := writeFile(t, dir, "ragged.csv", "x0,x1,y\n1,2,3\n4,5\n")
	goodData := writeFile(t, dir, "good.csv", "x0,x1,y,split\n1,2,1,train\n3,4,9,test\n")
	wrongInit := writeFile(t, dir, "init.csv", "1,2,3\n4,5,6\n7,8,9\n")
	badInit := writeFile(t, dir, "badinit.csv", "1,2\n3,\n")
	small := []string{"-n", "4", "-dim", "2", "-width", "3", "-max-steps", "5", "-quiet"}
	nanData := writeFile(t, dir, "nan.csv", "x0,y\n1,2\nInf,3\n")
	empty := writeFile(t, dir, "empty.csv", "")
	dup := writeFile(t, dir, "dup.csv", "x0,y,y\n1,2,3\n")
	notCheckpoint := writeFile(t, dir, "ck.json", "{}")
	squareInit := writeFile(t, dir, "square.csv", "1,2\n3,4\n")
	// Folders of parameters: A alone, and A with a b of the wrong shape.
	onlyA, wrongB := filepath.Join(dir, "only-a"), filepath.Join(dir, "wrong-b")
	for _, d := range []string{onlyA, wrongB} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
		writeFile(t, d, "params_A.csv", "1,2,3\n4,5,6\n")
	}
	writeFile(t, wrongB, "params_b.csv", "1\n2\n")
	// Run folders for igr spectrum: A alone, b of the wrong shape, both
	// right (9 parameters), and no data.
	runOnlyA, runWrongB, runGood, runNoData := filepath.Join(dir, "run-only-a"), filepath.Join(dir, "run-wrong-b"), filepath.Join(dir, "run-good"), filepath.Join(dir, "run-no-data")
	for _, d := range []string{runOnlyA, runWrongB, runGood, runNoData} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
		writeFile(t, d, "params_A.csv", "1,2,3\n4,5,6\n")
		if d != runNoData {
			writeFile(t, d, "data.csv", "x0,x1,y,split\n1,2,1,train\n3,4,9,test\n")
		}
	}
	writeFile(t, runWrongB, "params_b.csv", "1\n2\n")
	writeFile(t, runGood, "params_b.csv", "1\n2\n3\n")
	writeFile(t, runNoData, "params_b.csv", "1\n2\n3\n")
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string // in the one-line message
	}{
		{"no command", nil, 2, "usage: igr <command>"},
		{"unknown command", []string{"fly"}, 2, `unknown command "fly"`},
		{"unknown flag", []string{"train", "-speed", "3"}, 2, "flag provided but not defined: -speed"},
		{"stray argument", []string{"sweep", "extra"}, 2, `unexpected argument "extra"`},
		{"zero lr", []string{"train", "-lr", "0"}, 2, "-lr must be positive"},
		{"negative lr", []string{"train", "-lr", "-0.1"}, 2, "-lr must be positive"},
		{"lr not a number", []string{"train", "-lr", "fast"}, 2, `invalid value "fast" for flag -lr`},
		{"malformed grid", []string{"sweep", "-lrs", "0.1:0.2"}, 2, "is not FROM:TO:STEP"},
		{"grid with zero step", []string{"sweep", "-lrs", "0.1:0.2:0"}, 2, "STEP must be positive"},
		{"grid with bad value", []string{"sweep", "-lrs", "0.1,x"}, 2, `learning rates: "0.1,x": "x" is not a number`},
		{"grid with zero", []string{"sweep", "-lrs", "0:0.1:0.05"}, 2, `learning rates "0:0.1:0.05": 0 is not positive`},
		{"negative sigma", []string{"noise", "-sigma", "-1"}, 2, "-sigma must be positive"},
		{"zero steps", []string{"noise", "-steps", "0"}, 2, "-steps must be positive"},
		{"negative tol", []string{"train", "-tol", "-1"}, 2, "-tol must be positive"},
		{"negative width", []string{"train", "-width", "-3"}, 2, "-width must be positive"},
		{"unknown arch", []string{"train", "-arch", "mlp"}, 2, `unknown architecture "mlp"`},
		{"missing data", []string{"train", "-data", filepath.Join(dir, "none.csv")}, 2, "none.csv: no such file"},
		{"malformed data", []string{"train", "-data", badData}, 2, `bad.csv:3:2: "oops" is not a number`},
		{"ragged data", []string{"train", "-data", ragged}, 2, "ragged.csv:3: has 2 cells"},
		{"dim disagrees with data", []string{"train", "-data", goodData, "-dim", "3"}, 2, "-dim is 3 but"},
		{"init disagrees with data", []string{"train", "-data", goodData, "-init", wrongInit}, 2, "init.csv has 3 rows, the data have dimension 2"},
		{"init disagrees with width", append([]string{"train", "-init", wrongInit, "-dim", "3", "-width", "4"}, small[:2]...), 2, "-width is 4 but"},
		{"malformed init", []string{"train", "-data", goodData, "-init", badInit}, 2, `badinit.csv:2:2: "" is not a number`},
		{"init folder without b", []string{"train", "-data", goodData, "-init", onlyA}, 2, "only-a has no params_b.csv"},
		{"init folder with b of another shape", []string{"train", "-data", goodData, "-init", wrongB}, 2,
			"params_b.csv is 2×1, but b of the quadratic network with A 2×3 is 3×1"},
		{"init folder with A of another dimension", []string{"train", "-dim", "3", "-init", wrongB}, 2, "params_A.csv has 2 rows, the data have dimension 3"},
		{"infinite value in data", []string{"train", "-data", nanData}, 2, "nan.csv:3:1: Inf is not a finite number"},
		{"empty data", []string{"train", "-data", empty}, 2, "empty.csv: file is empty"},
		{"duplicated column", []string{"sweep", "-data", dup}, 2, `column "y" appears twice`},
		{"label noise without steps", []string{"train", "-sigma", "1"}, 2, "-sigma needs -steps"},
		{"zero checkpoint interval", []string{"train", "-checkpoint-every", "0"}, 2, "-checkpoint-every must be positive"},
		{"not a checkpoint", []string{"train", "-resume", notCheckpoint}, 2, "is not a checkpoint"},
		{"zero seeds", []string{"sweep", "-seeds", "0"}, 2, "-seeds must be positive"},
		{"compare with zero step", []string{"compare", "-h", "0"}, 2, "-h must be positive"},
		{"verify with bad steps", []string{"verify", "-etas", "0.1:0.01:0.01"}, 2, "TO is below FROM"},
		{"unknown generator", []string{"train", "-rng", "mt"}, 2, `unknown generator "mt"`},
		// Sizes that cannot fit are refused before anything is allocated.
		{"width beyond memory", []string{"train", "-width", "1000000000"}, 2, "-width 1000000000 needs about 80.5 TiB of memory"},
		{"examples beyond memory", []string{"train", "-n", "100000000"}, 2, "-n 100000000 needs about"},
		{"sweep beyond -max-memory", []string{"sweep", "-n", "20000", "-width", "20000", "-max-memory", "16G"}, 2,
			"(n 20000, dim 30, width 20000, 2 runs at a time), more than the 16 GiB given by -max-memory"},
		{"seeds beyond -max-memory", []string{"sweep", "-seeds", "100000", "-max-memory", "4G"}, 2, "-seeds 100000 needs about"},
		{"compare beyond -max-memory", []string{"compare", "-width", "100000", "-max-memory", "16G"}, 2, "-width 100000 needs about"},
		{"reproduce beyond -max-memory", []string{"reproduce", "-max-memory", "1M"}, 2, "this run needs about"},
		{"zero max-memory", []string{"train", "-max-memory", "0"}, 2, `-max-memory "0" is not a positive size`},
		{"malformed max-memory", []string{"sweep", "-max-memory", "12Q"}, 2, `-max-memory "12Q" is not a positive size`},
		// An explicit 0 is not the default.
		{"zero width", []string{"train", "-width", "0"}, 2, "-width must be positive, got 0"},
		{"zero dim", []string{"sweep", "-dim", "0"}, 2, "-dim must be positive, got 0"},
		{"zero n", []string{"reproduce", "-n", "0"}, 2, "-n must be positive, got 0"},
		{"negative workers", []string{"train", "-workers", "-1"}, 2, "-workers must be positive (or 0 for one per core)"},
		{"zero train steps", []string{"train", "-steps", "0"}, 2, "-steps must be positive, got 0"},
		{"zero sharpness steps", []string{"sharpness", "-steps", "0"}, 2, "-steps must be positive, got 0"},
		{"zero noise history interval", []string{"noise", "-history-every", "0"}, 2, "-history-every must be positive, got 0"},
		{"zero sharpness interval", []string{"train", "-track-sharpness", "0"}, 2, "-track-sharpness must be positive, got 0"},
		{"spectrum without a folder", []string{"spectrum"}, 2, "spectrum needs -from DIR"},
		{"spectrum of a folder without b", []string{"spectrum", "-from", runOnlyA}, 2, "run-only-a has no params_b.csv"},
		{"spectrum of mismatched shapes", []string{"spectrum", "-from", runWrongB}, 2, "params_b.csv is 2×1, but b of the quadratic network with A 2×3 is 3×1"},
		{"spectrum of a folder without data", []string{"spectrum", "-from", runNoData}, 2, "run-no-data has no data.csv"},
		{"spectrum with zero k", []string{"spectrum", "-from", runGood, "-k", "0"}, 2, "-k must be positive, got 0"},
		{"spectrum with negative k", []string{"spectrum", "-from", runGood, "-k", "-2"}, 2, "-k must be positive, got -2"},
		{"spectrum with k above the parameters", []string{"spectrum", "-from", runGood, "-k", "10"}, 2, "-k 10 is above the 9 parameters of the network"},
		{"spectrum of an unknown architecture", []string{"spectrum", "-from", runGood, "-arch", "mlp"}, 2, `unknown architecture "mlp"`},
		{"negative sharpness interval of a map", []string{"map", "-x", "lr=0.1", "-track-sharpness", "-3"}, 2, "-track-sharpness must be positive, got -3"},
		{"zero shards", []string{"sweep", "-shards", "0"}, 2, "-shards must be positive, got 0"},
		{"empty out", []string{"train", "-out", ""}, 2, "-out must name a folder"},
		{"merge into empty out", []string{"merge", "-out", "", "shard-0"}, 2, "-out must name a folder"},
		{"empty step sizes", []string{"verify", "-etas", ""}, 2, "learning rates: no values"},
		{"negative lambda", []string{"train", "-lambda", "-1"}, 2, "-lambda must not be negative"},
		{"map without axis", []string{"map", "-y", "lr=0.1"}, 2, "map needs an axis: -x AXIS=VALUES"},
		{"map axis without values", []string{"map", "-x", "lr"}, 2, `-x "lr" is not AXIS=VALUES`},
		{"map axis with empty values", []string{"map", "-x", "lr="}, 2, "-x lr: no values"},
		{"map unknown axis", []string{"map", "-x", "momentum=0.9"}, 2, `unknown axis "momentum" (want lr, width, scale, n, dim, sigma, lambda, batch, seed)`},
		{"map same axis twice", []string{"map", "-x", "lr=0.1,0.2", "-y", "lr=0.3"}, 2, "x and y are both lr"},
		{"map log values from zero", []string{"map", "-x", "lr=log:0:1:3"}, 2, "a log scale needs FROM and TO positive"},
		{"map repeated value", []string{"map", "-x", "lr=0.1,0.2,0.1"}, 2, "0.1 appears twice"},
		{"map fractional width", []string{"map", "-x", "width=10,10.5"}, 2, "width must be a whole number, got 10.5"},
		{"map zero lr", []string{"map", "-x", "lr=0,0.1"}, 2, "lr must be positive, got 0"},
		{"map negative scale", []string{"map", "-x", "scale=-1:1:1"}, 2, "scale must be positive, got -1"},
		{"map negative seed", []string{"map", "-y", "seed=-1,0", "-x", "lr=0.1"}, 2, "seed must not be negative, got -1"},
		{"map negative sigma", []string{"map", "-x", "sigma=-1,1", "-steps", "10"}, 2, "sigma must not be negative, got -1"},
		{"map sigma without steps", []string{"map", "-x", "sigma=0.5,1"}, 2, "the sigma axis trains label-noise GD for a fixed number of steps: give -steps"},
		{"map label noise without steps", []string{"map", "-x", "lr=0.1", "-sigma", "1"}, 2, "-sigma needs -steps: label-noise training runs a fixed number of steps"},
		{"map seed axis with seeds", []string{"map", "-x", "seed=0:3:1", "-seeds", "2"}, 2, "seed is an axis: -seeds"},
		{"map width axis with init", []string{"map", "-x", "width=3,4", "-init", wrongInit}, 2, "-init fixes the width"},
		{"map dim axis with data", []string{"map", "-x", "dim=2,3", "-data", goodData}, 2, "-data and -init fix the dimension"},
		{"map n axis with data", []string{"map", "-x", "n=2,3", "-data", goodData}, 2, "-data fixes the training set"},
		{"map seed axis with nothing seeded", []string{"map", "-x", "seed=0,1", "-data", goodData, "-init", squareInit}, 2, "the seed axis changes nothing"},
		{"map axis and its flag", []string{"map", "-x", "width=3,4", "-width", "5"}, 2, "-width is given and width is an axis of the map"},
		{"map bad shard", []string{"map", "-x", "lr=0.1", "-shard", "3/2"}, 2, `shard "3" of "2" is not i of N`},
		{"map missing reference", []string{"map", "-x", "lr=0.1", "-reference", filepath.Join(dir, "nowhere")}, 2, "nowhere is not the output of a sweep"},
		{"map too many runs", []string{"map", "-x", "lr=1:100000:1", "-y", "width=1:100:1"}, 2, "more than 1000000"},
		{"map beyond memory", []string{"map", "-x", "width=10,1000000000"}, 2, "-width 1000000000 needs about"},
		{"map beyond -max-memory", []string{"map", "-x", "lr=0.01,0.1", "-y", "n=200,20000", "-width", "20000", "-max-memory", "16G"}, 2,
			"(n 20000, dim 30, width 20000, 2 runs at a time), more than the 16 GiB given by -max-memory"},
		{"map zero steps", []string{"map", "-x", "lr=0.1", "-steps", "0"}, 2, "-steps must be positive, got 0"},
		{"zero batch", []string{"train", "-batch", "0"}, 2, "-batch must be positive, got 0"},
		{"negative batch", []string{"sweep", "-batch", "-5"}, 2, "-batch must be positive, got -5"},
		{"noise with zero batch", []string{"noise", "-batch", "0"}, 2, "-batch must be positive, got 0"},
		{"compare with zero batch", []string{"compare", "-batch", "0"}, 2, "-batch must be positive, got 0"},
		{"batch larger than the training set", append([]string{"train", "-batch", "5"}, small...), 2, "batch size must be between 1 and the 4 training examples, got 5"},
		{"sweep batch larger than the training set", []string{"sweep", "-batch", "201"}, 2, "between 1 and the 200 training examples, got 201"},
		{"noise batch larger than the training set", append([]string{"noise", "-batch", "9"}, small...), 2, "the 4 training examples, got 9"},
		{"compare batch larger than the training set", append([]string{"compare", "-batch", "9"}, small...), 2, "the 4 training examples, got 9"},
		{"compare sweep batch larger than the training set", append([]string{"compare", "-sweep", "-batch", "9"}, small...), 2, "the 4 training examples, got 9"},
		{"batch larger than a data file's training set", []string{"train", "-data", goodData, "-batch", "2"}, 2, "the 1 training examples, got 2"},
		{"batch not a number", []string{"train", "-batch", "ten"}, 2, `invalid value "ten" for flag -batch`},
		{"negative history interval", []string{"train", "-history-every", "-1"}, 2, "-history-every must be positive, got -1"},
		{"map zero batch", []string{"map", "-x", "batch=0,10"}, 2, "batch must be positive, got 0"},
		{"map fractional batch", []string{"map", "-x", "batch=2.5"}, 2, "batch must be a whole number, got 2.5"},
		{"map batch beyond the training set", []string{"map", "-x", "batch=20,300"}, 2, "between 1 and the 200 training examples, got 300"},
		{"map batch beyond an n of the grid", []string{"map", "-x", "batch=8", "-y", "n=4,10"}, 2, "between 1 and the 4 training examples, got 8"},
		{"map batch axis and its flag", []string{"map", "-x", "batch=2,4", "-batch", "3"}, 2, "-batch is given and batch is an axis of the map"},
		{"map zero batch flag", []string{"map", "-x", "lr=0.1", "-batch", "0"}, 2, "-batch must be positive, got 0"},
		{"central zero lr", []string{"central", "-lr", "0"}, 2, "-lr must be positive, got 0"},
		{"central negative lr", []string{"central", "-lr", "-0.03"}, 2, "-lr must be positive, got -0.03"},
		{"central zero steps", []string{"central", "-steps", "0"}, 2, "-steps must be positive, got 0"},
		{"central zero every", []string{"central", "-every", "0"}, 2, "-every must be positive, got 0"},
		{"central zero substeps", []string{"central", "-substeps", "0"}, 2, "-substeps must be positive, got 0"},
		{"central odd window", []string{"central", "-window", "5"}, 2, "-window must be a positive even number, got 5"},
		{"central float32", []string{"central", "-dtype", "float32"}, 2, "-dtype float32: the central flow computes in float64"},
		{"central unknown arch", []string{"central", "-arch", "mlp"}, 2, `unknown architecture "mlp"`},
		{"central beyond memory", []string{"central", "-width", "1000000000"}, 2, "-width 1000000000 needs about"},
		{"compare zero central steps", []string{"compare", "-central-steps", "0"}, 2, "-central-steps must be positive, got 0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			args := tc.args
			if len(args) > 0 && args[0] != "fly" {
				args = append([]string{args[0], "-out", out}, args[1:]...)
			}
			code, stdout, stderr := runIgr(t, args...)
			if code != tc.code {
				t.Errorf("exit status %d, want %d; stderr: %s", code, tc.code, stderr)
			}
			if !strings.Contains(stderr, tc.want) {
				t.Errorf("stderr %q does not say %q", stderr, tc.want)
			}
			if tc.args != nil {
				if lines := strings.Count(strings.TrimSpace(stderr), "\n") + 1; lines != 1 || !strings.HasPrefix(stderr, "igr: ") {
					t.Errorf("want one line starting with igr:, got %q", stderr)
				}
			}
			if strings.Contains(stderr, "goroutine") || strings.Contains(stderr, "panic") {
				t.Errorf("stack trace on stderr: %s", stderr)
			}
			if stdout != "" {
				t.Errorf("stdout not empty: %q", stdout)
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("a rejected run created %s", out)
			}
		})
	}
}

func TestHelp(t *testing.T) {
	for _, d := range commands {
		name := d.Command().Name
		code, _, stderr := runIgr(t, name, "-h")
		if code != 0 || !strings.Contains(stderr, "usage: igr "+name) || !strings.Contains(stderr, "-out") || !strings.Contains(stderr, "-quiet") {
			t.Errorf("%s -h: status %d, output %q", name, code, stderr)
		}
	}
	for _, args := range [][]string{{"-h"}, {"help", "version"}, {"version", "-h"}} {
		if code, _, stderr := runIgr(t, args...); code != 0 || !strings.Contains(stderr, "version") {
			t.Errorf("%v: status %d, output %q", args, code, stderr)
		}
	}
}

// TestFlagsComeFromTheLibrary checks that every flag of every command is a
// parameter of the library's settings, with the parameter's usage and the
// settings' default, so that no default or check lives in the command line.
func TestFlagsComeFromTheLibrary(t *testing.T) {
	cliOnly := map[string]bool{"quiet": true, "shards": true}
	for _, d := range commands {
		s := d.NewSettings()
		fs := flag.NewFlagSet(d.Command().Name, flag.ContinueOnError)
		bindFlags(fs, s)
		fields := map[string]experiment.Field{}
		for _, f := range experiment.Fields(s) {
			fields[f.Name()] = f
		}
		fs.VisitAll(func(fl *flag.Flag) {
			f, ok := fields[fl.Name]
			switch {
			case cliOnly[fl.Name]:
			case !ok:
				t.Errorf("igr %s -%s is not a parameter of its settings", d.Command().Name, fl.Name)
			case fl.Usage != f.Usage || fl.DefValue != f.String():
				t.Errorf("igr %s -%s: usage %q default %q, the library's %q and %q", d.Command().Name, fl.Name, fl.Usage, fl.DefValue, f.Usage, f.String())
			}
		})
		if len(fields)+1 > countFlags(fs) {
			t.Errorf("igr %s: %d parameters, %d flags", d.Command().Name, len(fields), countFlags(fs))
		}
	}
}

func countFlags(fs *flag.FlagSet) int {
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	return n
}

// TestInterruptKeepsResults cancels a reproduce run (as SIGINT or SIGTERM
// does) and checks that it stops within a second, exits 130 and leaves every
// table, with unfinished runs marked interrupted.
func TestInterruptKeepsResults(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr bytes.Buffer
	done := make(chan int)
	go func() {
		done <- run(ctx, []string{"reproduce", "-out", out, "-quiet", "-n", "100", "-dim", "20", "-width", "40"}, &stdout, &stderr, noEnv)
	}()
	time.Sleep(500 * time.Millisecond)
	cancel()
	stopped := time.Now()
	var code int
	select {
	case code = <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("reproduce did not stop 10 s after the interrupt")
	}
	if d := time.Since(stopped); d > time.Second {
		t.Errorf("stopped %v after the interrupt, want within a second", d)
	}
	if code != 130 || !strings.HasPrefix(stderr.String(), "igr: interrupted") {
		t.Errorf("exit status %d, stderr %q; want 130 and an interrupted message", code, stderr.String())
	}
	summary := readString(t, filepath.Join(out, "summary.json"))
	if !strings.Contains(summary, `"interrupted": true`) {
		t.Errorf("summary.json does not say the run was interrupted:\n%s", summary)
	}
	sweep, err := experiment.ReadRuns(filepath.Join(out, "sweep.csv"))
	if err != nil {
		t.Fatal(err)
	}
	statuses := map[train.Status]int{}
	for _, r := range sweep {
		statuses[r.Status]++
	}
	if len(sweep) != 30 || statuses[train.Interrupted] == 0 {
		t.Errorf("sweep.csv: %d rows, statuses %v; want all 30 learning rates, the unfinished interrupted", len(sweep), statuses)
	}
	for _, f := range []string{"runs.csv", "history.csv", "sweep.png", "curves.png", "data.csv"} {
		readString(t, filepath.Join(out, f))
	}
	// The message counts the runs that finished, all 34 of them, and says
	// where their results are, without Go's "context canceled".
	single, err := experiment.ReadRuns(filepath.Join(out, "runs.csv"))
	if err != nil {
		t.Fatal(err)
	}
	finished := 0
	for _, r := range append(sweep, single...) {
		if r.Status != train.Interrupted {
			finished++
		}
	}
	want := fmt.Sprintf("igr: interrupted after %d of 34 runs; what they computed is in %s\n", finished, out)
	if stderr.String() != want {
		t.Errorf("stderr %q, want %q", stderr.String(), want)
	}
	if m, err := experiment.ReadManifest(out); err != nil || m.Status != experiment.StatusInterrupted {
		t.Errorf("manifest %+v, %v; want it to say interrupted", m, err)
	}
}

// TestCheckpointResume interrupts a label-noise run after its first
// checkpoint, resumes it, and requires the tables of an uninterrupted run,
// byte for byte.
func TestCheckpointResume(t *testing.T) {
	args := []string{"train", "-n", "30", "-dim", "5", "-width", "8", "-lr", "0.02", "-sigma", "1", "-steps", "3000",
		"-history-every", "50", "-quiet"}
	dir, ck := checkResume(t, args, "500", "runs.csv", "history.csv")
	// A checkpoint resumes only its own run: not with another seed, nor
	// with the sharpness tracked when it was not.
	for _, flags := range [][]string{{"-seed", "9"}, {"-track-sharpness", "5"}} {
		other := append(append([]string(nil), args...), append([]string{"-out", filepath.Join(dir, "other"), "-resume", ck}, flags...)...)
		if code, _, stderr := runIgr(t, other...); code != 2 || !strings.Contains(stderr, "another run") {
			t.Errorf("resuming with %v: status %d, %q", flags, code, stderr)
		}
	}
}

// checkResume runs the command of args to its end, and again with a
// checkpoint every `every` steps, interrupted as soon as the first checkpoint
// exists, then resumed from it; the files named must be the same, byte for
// byte. It returns the folder of the runs and the checkpoint's path.
func checkResume(t *testing.T, args []string, every string, files ...string) (dir, ck string) {
	t.Helper()
	dir = t.TempDir()
	full := filepath.Join(dir, "full")
	if code, _, stderr := runIgr(t, append(args, "-out", full)...); code != 0 {
		t.Fatalf("exit status %d: %s", code, stderr)
	}
	ck = filepath.Join(dir, "ck.json")
	parted := filepath.Join(dir, "parted")
	ctx, cancel := context.WithCancel(context.Background())
	go func() { // interrupt as soon as the first checkpoint exists
		for {
			if _, err := os.Stat(ck); err == nil {
				cancel()
				return
			}
			time.Sleep(100 * time.Microsecond)
		}
	}()
	var stdout, stderr bytes.Buffer
	if code := run(ctx, append(args, "-out", parted, "-checkpoint", ck, "-checkpoint-every", every), &stdout, &stderr, noEnv); code != 130 {
		t.Fatalf("interrupted run: exit status %d, want 130: %s", code, stderr.String())
	}
	if code, _, stderr := runIgr(t, append(args, "-out", parted, "-resume", ck)...); code != 0 {
		t.Fatalf("resumed run: exit status %d: %s", code, stderr)
	}
	for _, f := range files {
		if a, b := readString(t, filepath.Join(full, f)), readString(t, filepath.Join(parted, f)); a != b {
			t.Errorf("%s of the resumed run differs from the uninterrupted run's", f)
		}
	}
	return dir, ck
}

// TestDivergedRunWarns: a single run that diverges exits 0, its table says
// diverged, and one warning line on standard error says so and what its
// parameters are.
func TestDivergedRunWarns(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	code, stdout, stderr := runIgr(t, "train", "-out", out, "-n", "20", "-dim", "4", "-width", "5", "-lr", "1", "-quiet")
	if code != 0 || !strings.Contains(stdout, "diverged") {
		t.Fatalf("exit status %d, stdout %q", code, stdout)
	}
	if !strings.HasPrefix(stderr, "igr: warning: gd diverged after") || strings.Count(stderr, "\n") != 1 {
		t.Errorf("stderr %q, want one warning line", stderr)
	}
	code, _, stderr = runIgr(t, "train", "-out", filepath.Join(t.TempDir(), "ok"), "-n", "20", "-dim", "4", "-width", "5", "-lr", "0.01", "-steps", "10", "-quiet")
	if code != 0 || stderr != "" {
		t.Errorf("a run that did not diverge: exit status %d, stderr %q", code, stderr)
	}
}
