package kernel_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestAssemblyIsGenerated runs the generator (_asm, which needs avo from the
// module proxy) in a scratch copy and requires its output to be the
// committed kernels_amd64.s and kernels_amd64.go byte for byte: the assembly
// is never edited by hand and never out of date with its generator.
func TestAssemblyIsGenerated(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the generator")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("no go command: %v", err)
	}
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "_asm"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"main.go", "go.mod", "go.sum"} {
		b, err := os.ReadFile(filepath.Join("_asm", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "_asm", f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(goBin, "run", ".", "-out", "../kernels_amd64.s", "-stubs", "../kernels_amd64.go", "-pkg", "kernel")
	cmd.Dir = filepath.Join(dir, "_asm")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Skipf("cannot run the generator here (module proxy?): %v\n%s", err, out)
	}
	for _, f := range []string{"kernels_amd64.s", "kernels_amd64.go"} {
		want, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from what _asm generates; run go generate ./internal/kernel", f)
		}
	}
}
