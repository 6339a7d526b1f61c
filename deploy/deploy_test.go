package deploy

import (
	"bytes"
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
// processes, with the environment Slurm gives them, and compares the merged
// sweep with a single-machine one.
func TestSlurmScripts(t *testing.T) {
	dir := t.TempDir()
	results := filepath.Join(dir, "results")
	run := func(script string, env ...string) {
		t.Helper()
		cmd := exec.Command("bash", script)
		cmd.Env = append(os.Environ(), append(env, "IGR="+igrBinary, "RESULTS="+results, "GRID="+grid)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s %v: %v\n%s", script, env, err, out)
		}
	}
	for task := 0; task < 4; task++ {
		run("slurm/sweep.sbatch", fmt.Sprintf("SLURM_ARRAY_TASK_ID=%d", task), "SLURM_ARRAY_TASK_MIN=0", "SLURM_ARRAY_TASK_COUNT=4")
	}
	run("slurm/merge.sbatch")
	compareWithSingleSweep(t, filepath.Join(results, "merged"))
}

// compareWithSingleSweep runs the grid as one sweep on this machine and
// requires the merged folder to hold the same bytes.
func compareWithSingleSweep(t *testing.T, merged string) {
	t.Helper()
	single := filepath.Join(t.TempDir(), "single")
	cmd := exec.Command(igrBinary, append([]string{"sweep", "-quiet", "-out", single}, strings.Fields(grid)...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("single sweep: %v\n%s", err, out)
	}
	for _, f := range []string{"sweep.csv", "sweep_bands.csv", "summary.json"} {
		a, _ := os.ReadFile(filepath.Join(single, f))
		b, err := os.ReadFile(filepath.Join(merged, f))
		if err != nil || len(a) == 0 || !bytes.Equal(a, b) {
			t.Errorf("%s: merged from the job array differs from the single-machine sweep (%v)", f, err)
		}
	}
}

// TestKubernetesManifests checks that the Indexed Job's shard count matches
// its completions, the one thing that must agree by hand.
func TestKubernetesManifests(t *testing.T) {
	b, err := os.ReadFile("kubernetes/sweep-job.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for _, want := range []string{"completionMode: Indexed", "completions: 10", "-shards 10", "shard-$JOB_COMPLETION_INDEX"} {
		if !strings.Contains(s, want) {
			t.Errorf("sweep-job.yaml lacks %q", want)
		}
	}
}
