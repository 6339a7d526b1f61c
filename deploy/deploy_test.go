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

// TestSlurmScripts runs the job array's tasks and the merge as local
// processes, with the environment Slurm gives them, and compares the merged
// sweep with a single-machine one.
func TestSlurmScripts(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "igr")
	build := exec.Command("go", "build", "-o", bin, "../cmd/igr")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	results := filepath.Join(dir, "results")
	grid := "-n 30 -dim 5 -width 8 -seeds 2 -lrs 0.01,0.2,3 -max-steps 2000 -tol 1e-3"
	run := func(script string, env ...string) {
		t.Helper()
		cmd := exec.Command("bash", script)
		cmd.Env = append(os.Environ(), append(env, "IGR="+bin, "RESULTS="+results, "GRID="+grid)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s %v: %v\n%s", script, env, err, out)
		}
	}
	for task := 0; task < 4; task++ {
		run("slurm/sweep.sbatch", fmt.Sprintf("SLURM_ARRAY_TASK_ID=%d", task), "SLURM_ARRAY_TASK_MIN=0", "SLURM_ARRAY_TASK_COUNT=4")
	}
	run("slurm/merge.sbatch")
	single := filepath.Join(dir, "single")
	cmd := exec.Command(bin, append([]string{"sweep", "-quiet", "-out", single}, strings.Fields(grid)...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("single sweep: %v\n%s", err, out)
	}
	for _, f := range []string{"sweep.csv", "sweep_bands.csv", "summary.json"} {
		a, _ := os.ReadFile(filepath.Join(single, f))
		b, err := os.ReadFile(filepath.Join(results, "merged", f))
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
