package grid_test

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/igr-project/igr/train/grid"
)

// The environment of TestKilledGridChild.
const (
	childDir     = "IGR_GRID_KILL_DIR"
	childWorkers = "IGR_GRID_KILL_WORKERS"
	childShard   = "IGR_GRID_KILL_SHARD"
)

var killRounds = flag.Int("kill-rounds", 0, "rounds of TestKilledGridResumes (0: 2, or 1 with -short)")

// killCheckpointEvery makes the runs of 1500 steps save their state three
// times, so that kills find runs to continue.
const killCheckpointEvery = 400

// TestKilledGridChild is the process TestKilledGridResumes kills: it trains
// a shard of testGrid with a journal in $IGR_GRID_KILL_DIR, saying
// "running" and the number of cells in the journal once it is open, and
// what it did at the end. Without
// that variable it does nothing.
func TestKilledGridChild(t *testing.T) {
	dir := os.Getenv(childDir)
	if dir == "" {
		return
	}
	workers, _ := strconv.Atoi(os.Getenv(childWorkers))
	var shard grid.Shard
	fmt.Sscanf(os.Getenv(childShard), "%d/%d", &shard.Index, &shard.Count)
	plan := testPlan(t, shard, nil)
	j, err := grid.OpenJournal(filepath.Join(dir, grid.DefaultJournalName), "test", "kill "+shard.String())
	if err != nil {
		t.Fatal(err)
	}
	fmt.Println("running", j.Len())
	res, err := plan.RunWith(context.Background(), &grid.RunSettings{Workers: workers, Journal: j, CheckpointEvery: killCheckpointEvery})
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("done %d %d %d\n", res.FromJournal, res.Computed, res.Continued)
}

// TestKilledGridResumes kills (SIGKILL) the training of a grid, in another
// process, at random instants, several times over, resuming it each time
// with another number of workers, on the whole grid and on two shards with
// a journal each; it does so again from scratch without -short, and as many
// times as -kill-rounds says. The resumed grid's outcomes are those of the
// grid trained without interruption in this process, bit for bit (Runtime
// and Params aside).
func TestKilledGridResumes(t *testing.T) {
	if os.Getenv(childDir) != "" {
		return
	}
	rounds := *killRounds
	if rounds == 0 {
		rounds = 2
		if testing.Short() {
			rounds = 1
		}
	}
	start := time.Now()
	whole := reference(t, grid.Shard{})
	took := time.Since(start)
	for _, tc := range []struct {
		name  string
		shard grid.Shard
		kills int
	}{
		{"whole grid", grid.Shard{}, 5},
		{"shard 0 of 2", grid.Shard{Index: 0, Count: 2}, 2},
		{"shard 1 of 2", grid.Shard{Index: 1, Count: 2}, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var want []grid.Outcome
			for _, o := range whole {
				if tc.shard.Has(o.Index) {
					want = append(want, o)
				}
			}
			for round := range rounds {
				dir := t.TempDir()
				rng := rand.New(rand.NewPCG(7, uint64(100*round+10*tc.shard.Index+tc.shard.Count)))
				share := took * time.Duration(len(want)) / time.Duration(len(whole))
				killed, found, report := killAndResume(t, dir, tc.shard, tc.kills, len(want), share, rng)
				t.Logf("%d kills; cells in the journal at each start (-1: killed before it was open): %v of %d; "+
					"the last process: %s (from the journal, computed, continued)", killed, found, len(want), report)

				j := openJournal(t, filepath.Join(dir, grid.DefaultJournalName), "test", "kill "+tc.shard.String())
				res, err := testPlan(t, tc.shard, nil).RunWith(context.Background(), &grid.RunSettings{Journal: j})
				if err != nil {
					t.Fatal(err)
				}
				if res.Computed != 0 || res.FromJournal != len(want) {
					t.Errorf("the journal holds %d of %d cells", res.FromJournal, len(want))
				}
				if got, want := outcomeBits(t, res.Outcomes), outcomeBits(t, want); got != want {
					t.Errorf("after %d kills the grid differs from the uninterrupted one: %s", killed, firstDifference(got, want))
				}
				j.Close()
			}
		})
	}
}

// killAndResume starts the child on dir until it finishes, killing the
// first n processes: most at a random instant of what is left of the grid
// (as a share of took, the time of the whole grid) after the journal is
// open, some while starting. It returns the number of kills and the
// journal's cells at each start.
func killAndResume(t *testing.T, dir string, shard grid.Shard, n, cells int, took time.Duration, rng *rand.Rand) (killed int, found []int, report string) {
	t.Helper()
	left := took
	for attempt := 0; attempt <= n+5; attempt++ {
		var after time.Duration = -1
		if killed < n {
			after = time.Duration(rng.Float64() * float64(left))
		}
		wasKilled, had, said := runChild(t, dir, shard, 1+rng.IntN(3), after, rng.IntN(5) > 0)
		found = append(found, had)
		if !wasKilled {
			return killed, found, said
		}
		killed++
		left = took * time.Duration(cells-had) / time.Duration(cells)
	}
	t.Fatalf("the grid did not finish after %d processes", n+5)
	return
}

// runChild runs the child with workers on dir and kills it after the given
// time (negative: never), counted from the moment it says its journal is
// open if whenOpen, else from its start. It returns whether it was killed,
// how many cells it found in the journal (-1 if killed before it said) and
// its report.
func runChild(t *testing.T, dir string, shard grid.Shard, workers int, after time.Duration, whenOpen bool) (killed bool, found int, report string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestKilledGridChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), childDir+"="+dir, childWorkers+"="+strconv.Itoa(workers), childShard+"="+shard.String())
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string)
	go func() {
		s := bufio.NewScanner(stdout)
		for s.Scan() {
			lines <- s.Text()
		}
		close(lines)
	}()
	found = -1
	var said []string
	hear := func(line string) {
		said = append(said, line)
		fmt.Sscanf(line, "running %d", &found)
	}
	if after >= 0 && whenOpen {
		for line := range lines {
			hear(line)
			if found >= 0 {
				break
			}
		}
	}
	var deadline <-chan time.Time
	if after >= 0 {
		deadline = time.After(after)
	}
	for {
		select {
		case line, ok := <-lines:
			if ok {
				hear(line)
				continue
			}
			if err := cmd.Wait(); err != nil {
				t.Fatalf("the child (%d workers) failed: %v\n%s\n%s", workers, err, strings.Join(said, "\n"), stderr.String())
			}
			for _, line := range said {
				if strings.HasPrefix(line, "done ") {
					return false, found, line
				}
			}
			t.Fatalf("the child said %q", said)
		case <-deadline:
			cmd.Process.Kill() // SIGKILL
			for line := range lines {
				hear(line)
			}
			cmd.Wait()
			return true, found, ""
		}
	}
}
