package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/igr-project/igr/experiment"
	"github.com/igr-project/igr/train"
)

// buildIgr builds the igr binary for tests that run it as processes.
func buildIgr(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "igr")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// TestShardsMergeToTheSingleMachineSweep runs a sweep on one machine and as
// three shards, each its own process, one configured by flag, one as a Slurm
// job array task and one as a Kubernetes Indexed Job pod, merges the shards
// and compares every file byte for byte (shardAndMerge).
func TestShardsMergeToTheSingleMachineSweep(t *testing.T) {
	bin := buildIgr(t)
	dir := t.TempDir()
	grid := []string{"sweep", "-quiet", "-n", "30", "-dim", "5", "-width", "8", "-seeds", "2",
		"-lrs", "0.01,0.05,0.2,0.5,3", "-max-steps", "2000", "-tol", "1e-3", "-history-every", "100"}
	shards := shardAndMerge(t, bin, dir, grid, "data.csv", "sweep.csv", "sweep_bands.csv", "history.csv", "summary.json", "sweep.png", "sweep.svg", "data.png")
	rows, err := experiment.ReadRuns(filepath.Join(shards[1], "sweep.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 { // cells 1, 4, 7 of 10
		t.Errorf("shard 1/3 computed %d cells, want 3", len(rows))
	}

	// Missing and duplicated cells are named, and nothing is written.
	for _, tc := range []struct {
		dirs []string
		want string
	}{
		{shards[:2], "3 cells missing: lr 0.2 seed 0, lr 0.01 seed 1, lr 0.5 seed 1"},
		{append(shards, shards[0]), "computed twice: lr 0.01 seed 0"},
	} {
		out := filepath.Join(t.TempDir(), "bad")
		code, _, stderr := runIgr(t, append([]string{"merge", "-out", out}, tc.dirs...)...)
		if code != 2 || !strings.Contains(stderr, tc.want) {
			t.Errorf("merge of %d folders: status %d, %q; want 2 and %q", len(tc.dirs), code, stderr, tc.want)
		}
		if _, err := os.Stat(out); !os.IsNotExist(err) {
			t.Errorf("a refused merge wrote %s", out)
		}
	}
}

// shardAndMerge runs the grid of args (a sweep or a map) on one machine into
// dir/single, and as three shards, each its own process — one configured by
// flag, one as a Slurm job array task and one as a Kubernetes Indexed Job
// pod — into dir/shard0, dir/shard1 and dir/shard2, merges the shards into
// dir/merged, and compares files of the two byte for byte. It returns the
// shards' folders.
func shardAndMerge(t *testing.T, bin, dir string, args []string, files ...string) []string {
	t.Helper()
	igr := func(env []string, args ...string) {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Env = append(os.Environ(), env...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("igr %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	single := filepath.Join(dir, "single")
	igr(nil, append(args, "-out", single)...)
	shards := []string{filepath.Join(dir, "shard0"), filepath.Join(dir, "shard1"), filepath.Join(dir, "shard2")}
	igr(nil, append(args, "-out", shards[0], "-shard", "0/3")...)
	igr([]string{"SLURM_ARRAY_TASK_ID=5", "SLURM_ARRAY_TASK_MIN=4", "SLURM_ARRAY_TASK_COUNT=3"}, append(args, "-out", shards[1])...)
	igr([]string{"JOB_COMPLETION_INDEX=2"}, append(args, "-out", shards[2], "-shards", "3")...)
	merged := filepath.Join(dir, "merged")
	igr(nil, append([]string{"merge", "-quiet", "-out", merged}, shards...)...)
	for _, f := range files {
		a, err := os.ReadFile(filepath.Join(single, f))
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(merged, f))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a, b) {
			t.Errorf("%s merged from shards differs from the single machine's", f)
		}
	}
	return shards
}

// TestSignalsKeepResults sends SIGINT and SIGTERM to igr processes in the
// middle of a sweep: each stops promptly (within three seconds on a loaded
// CI machine; the runs stop at the next step, writing the tables and figures
// takes the rest), exits 130 and leaves its tables, the unfinished runs
// marked interrupted. The learning rates are so small that the runs would
// take minutes.
func TestSignalsKeepResults(t *testing.T) {
	bin := buildIgr(t)
	for _, sig := range []os.Signal{os.Interrupt, syscall.SIGTERM} {
		out := filepath.Join(t.TempDir(), "out")
		cmd := exec.Command(bin, "sweep", "-quiet", "-out", out, "-n", "100", "-dim", "20", "-width", "40", "-lrs", "0.00001,0.00002,0.00003")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(700 * time.Millisecond)
		sent := time.Now()
		if err := cmd.Process.Signal(sig); err != nil {
			t.Fatal(err)
		}
		err := cmd.Wait()
		if d := time.Since(sent); d > 3*time.Second {
			t.Errorf("%v: stopped %v after the signal, want within three seconds", sig, d)
		}
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != 130 {
			t.Errorf("%v: %v, want exit status 130", sig, err)
		}
		rows, rerr := experiment.ReadRuns(filepath.Join(out, "sweep.csv"))
		if rerr != nil || len(rows) != 3 || rows[0].Status != train.Interrupted {
			t.Errorf("%v: sweep.csv %+v, %v; want 3 rows, interrupted", sig, rows, rerr)
		}
	}
}
