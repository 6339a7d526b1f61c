package deploy

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// grid is the sweep the Slurm tests shard: two seeds, three learning rates
// (one converges, two diverge), small enough to take a second.
const grid = "-n 30 -dim 5 -width 8 -seeds 2 -lrs 0.01,0.2,3 -max-steps 2000 -tol 1e-3"

// mapGrid is the map the Slurm scripts' test shards: learning rate × output
// scale, two seeds.
const mapGrid = "-n 30 -dim 5 -width 8 -seeds 2 -x lr=0.01,0.2 -y scale=1,2 -max-steps 2000 -tol 1e-3"

// longGrid is a sweep whose shards of three can be stopped in the middle:
// each shard has a run that diverges at once and one of 60,000 steps (about
// half a second), which checkpoints every 10,000.
const longGrid = "-n 100 -dim 10 -width 40 -seeds 3 -lrs 0.01,0.5 -max-steps 60000 -tol 1e-12"

// igrBinary is the igr command built once for the package's tests.
var igrBinary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "igr-deploy-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	igrBinary = filepath.Join(dir, "igr")
	build := exec.Command("go", "build", "-o", igrBinary, "../cmd/igr")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "go build: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// TestSlurmScripts runs the job array's tasks and the merge as local
// processes, with the environment Slurm gives them, for a sweep and, with
// COMMAND=map, for a map, and compares the merged results with those of a
// single machine.
func TestSlurmScripts(t *testing.T) {
	for _, tc := range []struct {
		command, grid string
		tasks         int
	}{
		{"sweep", grid, 4},
		{"map", mapGrid, 3},
	} {
		t.Run(tc.command, func(t *testing.T) {
			results := filepath.Join(t.TempDir(), "results")
			run := func(script string, env ...string) {
				t.Helper()
				cmd := exec.Command("bash", script)
				cmd.Env = append(os.Environ(), append(env, "IGR="+igrBinary, "RESULTS="+results, "COMMAND="+tc.command, "GRID="+tc.grid)...)
				if out, err := cmd.CombinedOutput(); err != nil {
					t.Fatalf("%s %v: %v\n%s", script, env, err, out)
				}
			}
			for task := range tc.tasks {
				run("slurm/sweep.sbatch", fmt.Sprintf("SLURM_ARRAY_TASK_ID=%d", task), "SLURM_ARRAY_TASK_MIN=0", fmt.Sprintf("SLURM_ARRAY_TASK_COUNT=%d", tc.tasks))
			}
			run("slurm/merge.sbatch")
			single := filepath.Join(t.TempDir(), "single")
			if err := singleMachine(t.Context(), single, tc.command, tc.grid); err != nil {
				t.Fatal(err)
			}
			compareMerged(t, filepath.Join(results, "merged"), single)
		})
	}
}

// singleMachine runs the grid of command with the grid's flags on this
// machine, into dir; it is killed if ctx is done first.
func singleMachine(ctx context.Context, dir, command, grid string) error {
	cmd := exec.CommandContext(ctx, igrBinary, append([]string{command, "-quiet", "-out", dir}, strings.Fields(grid)...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("igr %s on one machine: %v\n%s", command, err, out)
	}
	return nil
}

// compareMerged requires the merged folder to hold the bytes of the tables
// and summary of the single-machine sweep or map in the folder single.
func compareMerged(t *testing.T, merged, single string) {
	t.Helper()
	files := []string{"sweep.csv", "sweep_bands.csv", "summary.json"}
	if _, err := os.Stat(filepath.Join(single, "map.csv")); err == nil {
		files = []string{"map.csv", "map_cells.csv", "summary.json"}
	}
	for _, f := range files {
		a, _ := os.ReadFile(filepath.Join(single, f))
		b, err := os.ReadFile(filepath.Join(merged, f))
		if err != nil || len(a) == 0 || !bytes.Equal(a, b) {
			t.Errorf("%s: merged from the job array differs from the single machine's (%v)", f, err)
		}
	}
}

// journalHoldsRun reports whether the grid journal at path holds the record
// of a finished run: whether the file goes on past its header. A journal
// (train/grid) is 8 bytes of magic, then records, the header first, each a
// 12-byte frame that starts with the length of the payload after it.
func journalHoldsRun(path string) bool {
	b, err := os.ReadFile(path)
	if err != nil || len(b) < 20 {
		return false
	}
	return len(b) > 20+int(binary.LittleEndian.Uint32(b[8:12]))
}

// timing reads how many runs the grid whose results are in dir took from
// its journal and how many it trained, from its timing.json.
func timing(t *testing.T, dir string) (fromJournal, computed int) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "timing.json"))
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		FromJournal *int `json:"runs_from_journal"`
		Computed    *int `json:"runs_computed"`
	}
	if err := json.Unmarshal(b, &v); err != nil || v.FromJournal == nil || v.Computed == nil {
		t.Fatalf("%s/timing.json: %v: %s", dir, err, b)
	}
	return *v.FromJournal, *v.Computed
}

// TestKubernetesManifests checks what must agree by hand in the Indexed
// Job: its shard count and its completions, a folder per index (so that the
// pod started in place of a failed one resumes its shard), and igr exec'd as
// the container's first process, which the kubelet's SIGTERM reaches (a
// shell there ignores it, and igr would get only the SIGKILL after it).
func TestKubernetesManifests(t *testing.T) {
	b, err := os.ReadFile("kubernetes/sweep-job.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for _, want := range []string{"completionMode: Indexed", "completions: 10", "-shards 10", "-out /results/shard-$JOB_COMPLETION_INDEX\n", "- >-\n              exec igr "} {
		if !strings.Contains(s, want) {
			t.Errorf("sweep-job.yaml lacks %q", want)
		}
	}
}
