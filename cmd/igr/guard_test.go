package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/igr-project/igr/experiment"
)

// listing returns the names and contents of the files in dir.
func listing(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		files[e.Name()] = readString(t, filepath.Join(dir, e.Name()))
	}
	return files
}

func sameListing(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestOutputGuard: a folder holding the results of another command, or of
// another configuration of the same command, is refused with one line that
// says what it holds and how to proceed, and nothing in it changes; -force
// replaces them and leaves no file of the earlier run; the same command and
// configuration may run again; a file given as -out and a folder that
// cannot be written are refused as bad usage.
func TestOutputGuard(t *testing.T) {
	small := []string{"-n", "20", "-dim", "4", "-width", "5", "-quiet"}
	dir := filepath.Join(t.TempDir(), "out")
	igr := func(args ...string) (int, string) {
		t.Helper()
		code, _, stderr := runIgr(t, append(args, small...)...)
		return code, stderr
	}
	if code, stderr := igr("train", "-out", dir, "-lr", "0.05", "-steps", "50", "-batch", "5"); code != 0 {
		t.Fatalf("first run: exit status %d: %s", code, stderr)
	}
	before := listing(t, dir)
	if _, ok := before["sgd_regularizer.png"]; !ok {
		t.Fatalf("a run with -batch wrote no sgd_regularizer.png: %v", before)
	}
	for _, tc := range []struct {
		name string
		args []string
		want []string
	}{
		{"another command", []string{"sweep", "-out", dir, "-lrs", "0.05"}, []string{"holds the results of igr train", "-force"}},
		{"another configuration", []string{"train", "-out", dir, "-lr", "0.02", "-steps", "50", "-batch", "5"},
			[]string{"holds the results of igr train with another configuration", "-lr 0.05 there, 0.02 here", "-force"}},
		{"another seed", []string{"train", "-out", dir, "-lr", "0.05", "-steps", "50", "-batch", "5", "-seed", "3"},
			[]string{"-seed 0 there, 3 here"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stderr := igr(tc.args...)
			if code != 2 || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
				t.Errorf("exit status %d, stderr %q; want 2 and one line", code, stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr %q does not say %q", stderr, w)
				}
			}
			if !sameListing(before, listing(t, dir)) {
				t.Error("a refused run changed the folder")
			}
		})
	}

	// The same command and configuration runs again, with the same results.
	if code, stderr := igr("train", "-out", dir, "-lr", "0.05", "-steps", "50", "-batch", "5"); code != 0 {
		t.Fatalf("rerun: exit status %d: %s", code, stderr)
	}
	again := listing(t, dir)
	for _, f := range []string{"runs.csv", "history.csv", "params_A.csv", "data.csv"} {
		if again[f] != before[f] {
			t.Errorf("%s differs on a rerun of the same configuration", f)
		}
	}

	// -force replaces the results, and no file of the earlier run is left.
	if code, stderr := igr("train", "-out", dir, "-lr", "0.02", "-steps", "50", "-force"); code != 0 {
		t.Fatalf("-force: exit status %d: %s", code, stderr)
	}
	forced := listing(t, dir)
	if _, ok := forced["sgd_regularizer.png"]; ok {
		t.Error("the figure of the earlier run with -batch is left beside the new run's")
	}
	m, err := experiment.ReadManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for n := range forced {
		names = append(names, n)
	}
	slices.Sort(names)
	recorded := append(slices.Clone(m.Files), experiment.ManifestFile)
	slices.Sort(recorded)
	if m.Command != "train" || m.Status != experiment.StatusComplete || !slices.Equal(names, recorded) || m.Settings["lr"] != "0.02" {
		t.Errorf("manifest %+v; the folder holds %v", m, names)
	}

	// A folder with files igr did not write.
	other := t.TempDir()
	if err := os.WriteFile(filepath.Join(other, "notes.txt"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, stderr := igr("train", "-out", other, "-steps", "10"); code != 2 || !strings.Contains(stderr, "files igr did not record writing (notes.txt)") {
		t.Errorf("a folder of other files: exit status %d, %q", code, stderr)
	}

	// A file given as -out.
	file := filepath.Join(t.TempDir(), "afile")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, stderr := igr("train", "-out", file, "-steps", "10"); code != 2 || !strings.Contains(stderr, "-out "+file+" is a file, not a folder") {
		t.Errorf("a file as -out: exit status %d, %q", code, stderr)
	}
	if readString(t, file) != "x" {
		t.Error("the file given as -out changed")
	}

	// A folder that cannot be written.
	locked := t.TempDir()
	unlock := lock(t, locked)
	code, stderr := igr("train", "-out", locked, "-steps", "10")
	unlock()
	if code != 2 || !strings.Contains(stderr, "cannot write there") || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
		t.Errorf("a read-only folder: exit status %d, %q", code, stderr)
	}
	if entries, _ := os.ReadDir(locked); len(entries) != 0 {
		t.Errorf("a read-only folder holds %v", entries)
	}
}

// lock makes dir unwritable and returns what undoes it: the immutable
// attribute for root, who writes through permissions, else the mode 0555.
func lock(t *testing.T, dir string) (unlock func()) {
	t.Helper()
	if os.Geteuid() != 0 {
		if err := os.Chmod(dir, 0o555); err != nil {
			t.Fatal(err)
		}
		return func() { os.Chmod(dir, 0o755) }
	}
	chattr, err := exec.LookPath("chattr")
	if err != nil {
		t.Skip("as root a folder is read-only only with chattr +i, and chattr is not installed")
	}
	if out, err := exec.Command(chattr, "+i", dir).CombinedOutput(); err != nil {
		t.Skipf("chattr +i %s: %v %s (the file system has no immutable attribute)", dir, err, out)
	}
	return func() { exec.Command(chattr, "-i", dir).Run() }
}
