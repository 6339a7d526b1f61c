package kernel_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestAssemblyIsGenerated runs the generator (_asm, which needs avo from the
// module proxy) in a scratch copy and requires its output to be the
// committed kernels_amd64.s and kernels_amd64.go byte for byte: the assembly
// is never edited by hand and never out of date with its generator. A
// generator that does not build or run fails the test; only when avo cannot
// be downloaded (no module proxy, no network) is the test skipped, and it
// says so.
func TestAssemblyIsGenerated(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("no go command to download avo with and run the generator: %v", err)
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
	goCmd := func(args ...string) ([]byte, error) {
		cmd := exec.Command(goBin, args...)
		cmd.Dir = filepath.Join(dir, "_asm")
		cmd.Env = hostEnv()
		return cmd.CombinedOutput()
	}
	if out, err := goCmd("mod", "download"); err != nil {
		t.Skipf("avo cannot be downloaded here, so the generator was not run: %v\n%s", err, out)
	}
	if out, err := goCmd("run", ".", "-out", "../kernels_amd64.s", "-stubs", "../kernels_amd64.go", "-pkg", "kernel"); err != nil {
		t.Fatalf("the generator does not build or run: %v\n%s", err, out)
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

// hostEnv is the environment without what would build the generator for
// another machine or with this test's build flags: the generator is a
// program for the machine the go command runs on, also when the tests run
// for another architecture (go test -exec) or with -tags purego.
func hostEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		switch strings.SplitN(kv, "=", 2)[0] {
		case "GOOS", "GOARCH", "GOAMD64", "GOARM64", "GOFLAGS", "CGO_ENABLED":
			continue
		}
		env = append(env, kv)
	}
	return env
}
