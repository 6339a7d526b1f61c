package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/igr-project/igr/experiment"
	"github.com/igr-project/igr/internal/filelock"
	"github.com/igr-project/igr/train/grid"
)

// TestKilledGridResumes kills igr processes training a grid with SIGKILL —
// what the OOM killer and a preempted Slurm job get — at random instants,
// several times over and with other numbers of workers, tears the last
// record of the journal as a kill in the middle of a write would, runs the
// same command on the same folder to its end, and requires the tables of a
// run never stopped, byte for byte: for a whole sweep over seeds and for a
// shard of it. A command of another configuration on the killed folder is
// refused.
func TestKilledGridResumes(t *testing.T) {
	bin := buildIgr(t)
	rng := rand.New(rand.NewPCG(23, 5))
	sweep := []string{"sweep", "-quiet", "-n", "60", "-dim", "10", "-width", "20", "-seeds", "2",
		"-lrs", "0.002:0.05:0.008", "-max-steps", "40000", "-history-every", "500"}
	kills := 3
	if testing.Short() {
		kills = 2
	}
	for _, shard := range []string{"", "1/2"} {
		args := sweep
		if shard != "" {
			args = append(append([]string(nil), sweep...), "-shard", shard)
		}
		name := "whole"
		if shard != "" {
			name = "shard " + shard
		}
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			full, parted := filepath.Join(dir, "full"), filepath.Join(dir, "parted")
			igrOK(t, bin, append(args, "-out", full, "-workers", "2")...)
			killed := 0
			for i := range kills {
				cmd := exec.Command(bin, append(args, "-out", parted, "-workers", []string{"1", "2"}[i%2])...)
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				time.Sleep(time.Duration(100+rng.IntN(900)) * time.Millisecond)
				if cmd.Process.Signal(syscall.SIGKILL) == nil {
					killed++
				}
				cmd.Wait()
			}
			if killed == 0 {
				t.Fatal("every process ended before its kill: the grid is too small to test")
			}
			journal := filepath.Join(parted, experiment.JournalFile)
			if _, err := os.Stat(journal); err != nil {
				t.Fatalf("no journal after the kills: %v", err)
			}
			// Another configuration on the folder is refused, and leaves
			// the journal as it was.
			before := readString(t, journal)
			code, _, stderr := runIgr(t, "sweep", "-quiet", "-n", "60", "-dim", "10", "-width", "20", "-seeds", "2", "-lrs", "0.002,0.006",
				"-out", parted)
			if code != 2 || !strings.Contains(stderr, "holds the results of igr sweep") || !strings.Contains(stderr, "with another configuration (") || !strings.Contains(stderr, "-lrs ") {
				t.Errorf("another configuration on the killed folder: exit status %d, %q", code, stderr)
			}
			if readString(t, journal) != before {
				t.Error("the refused command changed the journal")
			}
			// A kill in the middle of a record's write leaves a torn last
			// record.
			if fi, err := os.Stat(journal); err == nil && fi.Size() > 200 {
				if err := os.Truncate(journal, fi.Size()-7); err != nil {
					t.Fatal(err)
				}
			}
			m, err := experiment.ReadManifest(parted)
			if err != nil {
				t.Fatal(err)
			}
			j, err := grid.OpenJournal(journal, m.Command, m.Configuration)
			if err != nil {
				t.Fatal(err)
			}
			held := j.Len()
			j.Close()
			out := igrOK(t, bin, append(args, "-out", parted, "-workers", "2")...)
			if held > 0 && !strings.Contains(out, fmt.Sprintf("(%d runs taken from the journal", held)) {
				t.Errorf("the resumed run does not say it took %d runs from the journal:\n%s", held, out)
			}
			files := []string{"sweep.csv", "history.csv", "data.csv"}
			if shard == "" {
				files = append(files, "sweep_bands.csv", "summary.json", "sweep.png")
			} else {
				files = append(files, "shard.json")
			}
			for _, f := range files {
				if readString(t, filepath.Join(full, f)) != readString(t, filepath.Join(parted, f)) {
					t.Errorf("%s after %d kills differs from the uninterrupted run's", f, killed)
				}
			}
			if leftovers, _ := filepath.Glob(filepath.Join(parted, "*.checkpoint*")); len(leftovers) > 0 {
				t.Errorf("checkpoints left after the grid finished: %v", leftovers)
			}
		})
	}
}

// igrOK runs the igr binary and returns its standard output, failing the
// test unless it exits 0.
func igrOK(t *testing.T, bin string, args ...string) string {
	t.Helper()
	out, err := exec.Command(bin, args...).Output()
	if err != nil {
		var stderr string
		if e, ok := err.(*exec.ExitError); ok {
			stderr = string(e.Stderr)
		}
		t.Fatalf("igr %s: %v\n%s", strings.Join(args, " "), err, stderr)
	}
	return string(out)
}

// TestForceStartsAfresh: the same sweep on the same folder takes every run
// from the journal; with -force it trains them all again; and a folder
// another process is writing is refused before anything in it changes.
func TestForceStartsAfresh(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	args := []string{"sweep", "-quiet", "-out", out, "-n", "20", "-dim", "4", "-width", "5", "-lrs", "0.05,0.1,0.2", "-max-steps", "500"}
	fromJournal := func() int {
		var timing struct {
			FromJournal int `json:"runs_from_journal"`
			Computed    int `json:"runs_computed"`
		}
		if err := json.Unmarshal([]byte(readString(t, filepath.Join(out, "timing.json"))), &timing); err != nil {
			t.Fatal(err)
		}
		return timing.FromJournal
	}
	for i, extra := range [][]string{nil, nil, {"-force"}} {
		code, stdout, stderr := runIgr(t, append(args, extra...)...)
		if code != 0 {
			t.Fatalf("run %d: exit status %d: %s", i, code, stderr)
		}
		want := []int{0, 3, 0}[i]
		if got := fromJournal(); got != want {
			t.Errorf("run %d %v: %d runs from the journal, want %d", i, extra, got, want)
		}
		if (want > 0) != strings.Contains(stdout, "(3 runs taken from the journal") {
			t.Errorf("run %d: the console says:\n%s", i, stdout)
		}
	}
	dir, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer dir.Close()
	if err := filelock.Lock(dir); err != nil {
		t.Fatal(err)
	}
	before := listing(t, out)
	code, _, stderr := runIgr(t, append(args, "-force")...)
	if code != 2 || !strings.Contains(stderr, "is being written by another igr process") {
		t.Errorf("a folder in use: exit status %d, %q", code, stderr)
	}
	if !sameListing(before, listing(t, out)) {
		t.Error("a refused run changed the folder in use")
	}
}
