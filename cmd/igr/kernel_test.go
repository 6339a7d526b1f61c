package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/igr-project/igr/internal/kernel"
)

// TestKernelIsOnRecord runs igr processes with IGR_KERNEL set: a known
// kernel is used and named by igr version and in summary.json, an unknown one
// is refused before anything runs.
func TestKernelIsOnRecord(t *testing.T) {
	bin := buildIgr(t)
	igr := func(env string, args ...string) (int, string, string) {
		cmd := exec.Command(bin, args...)
		cmd.Env = append(os.Environ(), env)
		var stdout, stderr strings.Builder
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		code := 0
		if e, ok := err.(*exec.ExitError); ok {
			code = e.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return code, stdout.String(), stderr.String()
	}
	for _, name := range kernel.Available() {
		code, stdout, stderr := igr(kernel.EnvVar+"="+name, "version")
		if code != 0 || !strings.Contains(stdout, "kernel: "+name+" ") || !strings.Contains(stdout, "cpu features:") {
			t.Errorf("IGR_KERNEL=%s igr version: status %d, %q %q", name, code, stdout, stderr)
		}
		out := filepath.Join(t.TempDir(), "out")
		if code, _, stderr := igr(kernel.EnvVar+"="+name, "train", "-quiet", "-out", out, "-n", "20", "-dim", "3", "-width", "4", "-max-steps", "10"); code != 0 {
			t.Fatalf("IGR_KERNEL=%s igr train: status %d, %s", name, code, stderr)
		}
		var sum struct {
			Kernel      string   `json:"kernel"`
			CPUFeatures []string `json:"cpu_features"`
		}
		b, err := os.ReadFile(filepath.Join(out, "summary.json"))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &sum); err != nil || sum.Kernel != name || sum.CPUFeatures == nil {
			t.Errorf("IGR_KERNEL=%s: summary.json names kernel %q and features %v (%v)", name, sum.Kernel, sum.CPUFeatures, err)
		}
	}
	code, stdout, stderr := igr(kernel.EnvVar+"=fastest", "train", "-quiet", "-out", filepath.Join(t.TempDir(), "out"))
	if code != 2 || stdout != "" || !strings.Contains(stderr, `igr: IGR_KERNEL=fastest: "fastest" is not available`) || strings.Count(stderr, "\n") != 1 {
		t.Errorf("unknown kernel: status %d, stdout %q, stderr %q; want 2 and one line", code, stdout, stderr)
	}
}
