package notebooks

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/igr-project/igr/experiment"
	"github.com/igr-project/igr/experiment/compare"
	"github.com/igr-project/igr/experiment/grids"
	"github.com/igr-project/igr/experiment/reproduce"
	"github.com/igr-project/igr/experiment/runs"
	"github.com/igr-project/igr/experiment/spectrum"
	"github.com/igr-project/igr/train/grid"
)

// notebook is the part of an .ipynb file the conversion reads.
type notebook struct {
	Cells []struct {
		CellType string   `json:"cell_type"`
		Source   []string `json:"source"`
	} `json:"cells"`
	Metadata struct {
		Kernelspec struct {
			Name     string `json:"name"`
			Language string `json:"language"`
		} `json:"kernelspec"`
	} `json:"metadata"`
}

// read reads a gonb notebook.
func read(path string) (*notebook, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var nb notebook
	if err := json.Unmarshal(b, &nb); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if nb.Metadata.Kernelspec.Name != "gonb" || nb.Metadata.Kernelspec.Language != "go" {
		return nil, fmt.Errorf("%s: kernelspec %+v, want gonb/go", path, nb.Metadata.Kernelspec)
	}
	return &nb, nil
}

// kernelCommands splits a code cell's lines into the kernel's commands, as
// gonb reads them ("!" shell commands and "%" commands, a line ending in a
// backslash continuing on the next, joined with a space), and the Go code.
func kernelCommands(lines []string) (commands, code []string) {
	cont := false
	for _, line := range lines {
		switch {
		case cont:
			commands[len(commands)-1] += line
		case strings.HasPrefix(line, "%%"):
			code = append(code, line)
			continue
		case strings.HasPrefix(line, "!"), strings.HasPrefix(line, "%"):
			commands = append(commands, line)
		default:
			code = append(code, line)
			continue
		}
		last := &commands[len(commands)-1]
		cont = strings.HasSuffix(*last, "\\")
		if cont {
			*last = strings.TrimSuffix(*last, "\\") + " "
		}
	}
	return commands, code
}

// convert turns a gonb notebook into a Go program: the declarations of every
// code cell, their imports merged into one block, and a main that runs the
// body of each "%%" cell, in order, each in its own block. Shell ("!") and
// other kernel ("%") commands are left out.
func convert(path string) (string, error) {
	nb, err := read(path)
	if err != nil {
		return "", err
	}
	imports := map[string]bool{}
	var decls, bodies []string
	for i, c := range nb.Cells {
		if c.CellType != "code" {
			continue
		}
		var decl, body []string
		inMain := false
		_, code := kernelCommands(strings.Split(strings.Join(c.Source, ""), "\n"))
		for _, line := range code {
			switch {
			case strings.HasPrefix(line, "%%"):
				inMain = true
			case inMain:
				body = append(body, line)
			default:
				decl = append(decl, line)
			}
		}
		if len(body) > 0 {
			bodies = append(bodies, strings.Join(body, "\n"))
		}
		src := "package main\n" + strings.Join(decl, "\n")
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, fmt.Sprintf("%s cell %d", filepath.Base(path), i), src, parser.ParseComments)
		if err != nil {
			return "", err
		}
		// Cut the import declarations out of the cell's text, keep the rest.
		rest, last := "", 0
		for _, d := range f.Decls {
			if gd, ok := d.(interface{ Pos() token.Pos }); ok && isImport(src, fset.Position(gd.Pos()).Offset) {
				start, end := fset.Position(d.Pos()).Offset, fset.Position(d.End()).Offset
				rest += src[last:start]
				last = end
			}
		}
		rest += src[last:]
		for _, imp := range f.Imports {
			spec := imp.Path.Value
			if imp.Name != nil {
				spec = imp.Name.Name + " " + spec
			}
			imports[spec] = true
		}
		decls = append(decls, strings.TrimPrefix(rest, "package main\n"))
	}
	specs := make([]string, 0, len(imports))
	for s := range imports {
		specs = append(specs, s)
	}
	sort.Strings(specs)
	var prog strings.Builder
	prog.WriteString("package main\n\nimport (\n")
	for _, s := range specs {
		prog.WriteString("\t" + s + "\n")
	}
	prog.WriteString(")\n\n" + strings.Join(decls, "\n\n") + "\n\nfunc main() {\n")
	for _, b := range bodies {
		prog.WriteString("\t{\n" + b + "\n\t}\n")
	}
	prog.WriteString("}\n")
	return prog.String(), nil
}

var importKeyword = regexp.MustCompile(`^import\b`)

func isImport(src string, offset int) bool { return importKeyword.MatchString(src[offset:]) }

// gonbuiStandIn is the stand-in for github.com/janpfeifer/gonb/gonbui: it
// checks what a notebook displays and counts it on standard output.
const gonbuiStandIn = `package gonbui

import (
	"bytes"
	"fmt"
	"strings"
)

func check(ok bool, what string) {
	if !ok {
		panic("gonbui stand-in: not a valid " + what)
	}
	fmt.Println("gonbui: displayed", what)
}

func DisplayPng(png []byte)         { check(bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")), "png") }
func DisplayPNG(png []byte)         { DisplayPng(png) }
func DisplaySvg(svg string)         { check(strings.Contains(svg, "<svg"), "svg") }
func DisplaySVG(svg string)         { DisplaySvg(svg) }
func DisplayHTML(html string)       { check(html != "", "html") }
func DisplayHtml(html string)       { DisplayHTML(html) }
func DisplayMarkdown(md string)     { check(md != "", "markdown") }
`

// buildModule writes a module that builds prog against this working tree and
// the gonbui stand-in, and returns its directory.
func buildModule(t *testing.T, prog string) string {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	gomod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	// The program needs what igr needs: copy its requirements and sums.
	mod := regexp.MustCompile(`(?m)^module .*$`).ReplaceAllString(string(gomod), "module igrnotebook")
	mod += fmt.Sprintf("\nrequire (\n\tgithub.com/igr-project/igr v0.0.0\n\tgithub.com/janpfeifer/gonb v0.0.0\n)\n\nreplace github.com/igr-project/igr => %s\n\nreplace github.com/janpfeifer/gonb => ./gonb\n", root)
	sums, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"go.mod":                mod,
		"go.sum":                string(sums),
		"main.go":               prog,
		"gonb/go.mod":           "module github.com/janpfeifer/gonb\n\ngo 1.21\n",
		"gonb/gonbui/gonbui.go": gonbuiStandIn,
	}
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// outputs runs short versions of reproduce, compare, compare -sweep, map,
// train with the sharpness tracked and spectrum into temporary folders and
// returns them, by the variable each notebook reads them from.
func outputs(t *testing.T) map[string]string {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	results, compared, swept, maps := filepath.Join(dir, "out"), filepath.Join(dir, "compare"), filepath.Join(dir, "compare-sweep"), filepath.Join(dir, "map")
	small := experiment.Config{N: 100, Dim: 20, Width: 40}
	lrs, err := experiment.ParseGrid("0.02:0.14:0.02")
	if err != nil {
		t.Fatal(err)
	}
	rs := &reproduce.Settings{Config: small, LRs: lrs, NoiseSteps: 2000, SmallInitScale: 10}
	rs.Out = results
	if _, err := reproduce.Reproduce.Run(ctx, rs); err != nil {
		t.Fatal(err)
	}
	small.MaxSteps = 5000
	for _, c := range []struct {
		out   string
		sweep bool
	}{{compared, false}, {swept, true}} {
		cs := &compare.Settings{Config: small, Eta: 0.08, NoiseSteps: 2000, LRs: lrs, Sweep: c.sweep}
		cs.Out = c.out
		if _, err := compare.Compare.Run(ctx, cs); err != nil {
			t.Fatal(err)
		}
	}
	widths, err := grid.ParseValues("10,20")
	if err != nil {
		t.Fatal(err)
	}
	ms := &grids.MapSettings{Config: experiment.Config{N: 40, Dim: 6, MaxSteps: 20000},
		X: grid.Axis{Name: "lr", Values: lrs[:4]}, Y: grid.Axis{Name: "width", Values: widths}, Seeds: 2}
	ms.Out = maps
	if _, err := grids.Map.Run(ctx, ms); err != nil {
		t.Fatal(err)
	}
	tracked, spectral := filepath.Join(dir, "tracked"), filepath.Join(dir, "spectrum")
	ts := &runs.TrainSettings{}
	ts.Config = experiment.Config{N: 40, Dim: 6, Width: 10}
	ts.LR, ts.TrackSharpness, ts.Out = 0.1, 10, tracked
	if _, err := runs.Train.Run(ctx, ts); err != nil {
		t.Fatal(err)
	}
	ss := &spectrum.Settings{From: tracked}
	ss.Out = spectral
	if _, err := spectrum.Spectrum.Run(ctx, ss); err != nil {
		t.Fatal(err)
	}
	return map[string]string{"IGR_RESULTS": results, "IGR_COMPARE": compared, "IGR_COMPARE_SWEEP": swept, "IGR_MAP": maps,
		"IGR_TRACKED": tracked, "IGR_SPECTRUM": spectral}
}

func TestNotebooksRun(t *testing.T) {
	paths, err := filepath.Glob("*.ipynb")
	if err != nil || len(paths) != 5 {
		t.Fatalf("notebooks %v, %v; want 5", paths, err)
	}
	folders := outputs(t)
	for _, path := range paths {
		t.Run(strings.TrimSuffix(path, ".ipynb"), func(t *testing.T) {
			prog, err := convert(path)
			if err != nil {
				t.Fatal(err)
			}
			dir := buildModule(t, prog)
			build := exec.Command("go", "build", "-mod=mod", "-o", "notebook", ".")
			build.Dir = dir
			if out, err := build.CombinedOutput(); err != nil {
				t.Fatalf("%s does not build:\n%s\n--- program ---\n%s", path, out, numbered(prog))
			}
			run := exec.Command(filepath.Join(dir, "notebook"))
			run.Dir = t.TempDir()
			run.Env = os.Environ()
			for k, v := range folders {
				run.Env = append(run.Env, k+"="+v)
			}
			var stdout, stderr bytes.Buffer
			run.Stdout, run.Stderr = &stdout, &stderr
			if err := run.Run(); err != nil {
				t.Fatalf("%s fails: %v\n%s%s", path, err, stdout.String(), stderr.String())
			}
			if n := strings.Count(stdout.String(), "gonbui: displayed png"); n == 0 {
				t.Errorf("%s displayed no figure:\n%s", path, stdout.String())
			}
		})
	}
}

// TestNotebooksFindIgr runs the shell command of each notebook that points
// gonb's module at igr, in a module of its own as gonb does: with IGR_REPO
// unset and no igr at the default path it must stop with a message saying
// to set IGR_REPO, before any go command fails; with IGR_REPO, or with igr
// at the default path, it must point the module at igr.
func TestNotebooksFindIgr(t *testing.T) {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	// The go command keeps its caches where it does now, whatever HOME is.
	var goEnv []string
	for _, v := range []string{"GOPATH", "GOMODCACHE", "GOCACHE"} {
		out, err := exec.Command("go", "env", v).Output()
		if err != nil {
			t.Fatal(err)
		}
		goEnv = append(goEnv, v+"="+strings.TrimSpace(string(out)))
	}
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "IGR_REPO=") && !strings.HasPrefix(kv, "HOME=") {
			env = append(env, kv)
		}
	}
	env = append(append(env, goEnv...), "GOPROXY=off")
	paths, err := filepath.Glob("*.ipynb")
	if err != nil || len(paths) == 0 {
		t.Fatalf("notebooks %v, %v", paths, err)
	}
	for _, path := range paths {
		t.Run(strings.TrimSuffix(path, ".ipynb"), func(t *testing.T) {
			nb, err := read(path)
			if err != nil {
				t.Fatal(err)
			}
			var cmd string
			for _, c := range nb.Cells {
				commands, _ := kernelCommands(strings.Split(strings.Join(c.Source, ""), "\n"))
				for _, k := range commands {
					if strings.HasPrefix(k, "!*") && strings.Contains(k, "IGR_REPO") {
						cmd = strings.TrimPrefix(k, "!*")
					}
				}
			}
			if cmd == "" {
				t.Fatal("no !* command reads IGR_REPO")
			}
			// run runs cmd in a fresh module and returns its go.mod.
			run := func(extra ...string) (gomod, stderr string, err error) {
				dir := t.TempDir()
				if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module gonb_test\n\ngo 1.26\n"), 0o644); err != nil {
					t.Fatal(err)
				}
				c := exec.Command("bash", "-c", cmd)
				c.Dir = dir
				c.Env = append(append([]string(nil), env...), extra...)
				var errBuf bytes.Buffer
				c.Stderr = &errBuf
				err = c.Run()
				b, _ := os.ReadFile(filepath.Join(dir, "go.mod"))
				return string(b), errBuf.String(), err
			}
			replace := "replace github.com/igr-project/igr => " + root

			home := t.TempDir()
			gomod, stderr, err := run("HOME=" + home)
			if err == nil || !strings.Contains(stderr, "set IGR_REPO to the absolute path of your igr clone") ||
				strings.Contains(stderr, "go: ") || strings.Contains(gomod, "replace") {
				t.Errorf("without IGR_REPO or igr in %s/igr: %v, stderr %q, go.mod %q; want a message saying to set IGR_REPO",
					home, err, stderr, gomod)
			}
			if gomod, stderr, err := run("HOME="+home, "IGR_REPO="+root); err != nil || !strings.Contains(gomod, replace) {
				t.Errorf("with IGR_REPO: %v, stderr %q, go.mod %q; want %q", err, stderr, gomod, replace)
			}
			if err := os.Symlink(root, filepath.Join(home, "igr")); err != nil {
				t.Fatal(err)
			}
			if gomod, stderr, err := run("HOME=" + home); err != nil || !strings.Contains(gomod, "replace github.com/igr-project/igr => "+home+"/igr") {
				t.Errorf("with igr at the default path: %v, stderr %q, go.mod %q", err, stderr, gomod)
			}
		})
	}
}

// TestConvert checks the conversion on a notebook written here.
func TestConvert(t *testing.T) {
	nb := `{"metadata": {"kernelspec": {"name": "gonb", "language": "go"}}, "cells": [
	 {"cell_type": "markdown", "source": ["# title"]},
	 {"cell_type": "code", "source": ["!*go mod tidy\n", "!*echo continued \\\n", "  on the next line\n", "%goworkfix\n", "import \"fmt\"\n", "func hello() string { return \"hi\" }"]},
	 {"cell_type": "code", "source": ["import (\n", "\t\"strings\"\n", ")\n", "var x = 1\n", "%%\n", "fmt.Println(strings.ToUpper(hello()), x)"]},
	 {"cell_type": "code", "source": ["%%\n", "x := 2\n", "fmt.Println(x)"]}]}`
	path := filepath.Join(t.TempDir(), "n.ipynb")
	if err := os.WriteFile(path, []byte(nb), 0o644); err != nil {
		t.Fatal(err)
	}
	prog, err := convert(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"import (\n\t\"fmt\"\n\t\"strings\"\n)", "func hello()", "var x = 1",
		"func main() {\n\t{\nfmt.Println(strings.ToUpper(hello()), x)\n\t}\n\t{\nx := 2\nfmt.Println(x)\n\t}\n}"} {
		if !strings.Contains(prog, want) {
			t.Errorf("program lacks %q:\n%s", want, prog)
		}
	}
	if strings.Contains(prog, "go mod tidy") || strings.Contains(prog, "goworkfix") || strings.Contains(prog, "next line") {
		t.Errorf("kernel commands left in the program:\n%s", prog)
	}
}

func numbered(s string) string {
	lines := strings.Split(s, "\n")
	for i := range lines {
		lines[i] = fmt.Sprintf("%4d  %s", i+1, lines[i])
	}
	return strings.Join(lines, "\n")
}
