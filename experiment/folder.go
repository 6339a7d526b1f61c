package experiment

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/igr-project/igr/internal/atomicfile"
	"github.com/igr-project/igr/internal/filelock"
	"github.com/igr-project/igr/train/dataset"
	"github.com/igr-project/igr/train/plots"
)

// ManifestFile is the file in every output folder that says what wrote it:
// the experiment, its configuration, whether it finished, and the files it
// wrote.
const ManifestFile = "manifest.json"

// The statuses of a folder's manifest.
const (
	StatusRunning     = "running"     // the experiment is writing (or was killed while it did)
	StatusComplete    = "complete"    // every file is written
	StatusInterrupted = "interrupted" // stopped early; the files hold what was computed
	StatusFailed      = "failed"      // an error stopped it
)

// Manifest is the content of a folder's ManifestFile.
type Manifest struct {
	// Command is the experiment's name.
	Command string `json:"command"`
	// Configuration identifies the results: a fingerprint of the settings
	// that change them and of the data and initializations (see Identity).
	Configuration string `json:"configuration"`
	// Settings are those settings, by parameter, as the command line
	// writes them.
	Settings map[string]string `json:"settings"`
	Status   string            `json:"status"`
	// Files are the files the experiment wrote, in the order it wrote them.
	Files []string `json:"files"`
}

// ReadManifest reads the manifest of the folder dir.
func ReadManifest(dir string) (*Manifest, error) {
	b, err := os.ReadFile(filepath.Join(dir, ManifestFile))
	if err != nil {
		return nil, err
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrConfig, filepath.Join(dir, ManifestFile), err)
	}
	return &m, nil
}

// Folder is an output folder being written by one experiment. It is
// locked against other processes until Close.
type Folder struct {
	Dir      string
	manifest Manifest
	lock     *os.File
}

// OpenFolder opens dir for the results of the experiment command with the
// configuration given (see Manifest), creating it if needed. A folder that
// holds the results of another command, or of another configuration of
// this one, or files igr did not record writing, is refused with an error
// that says what it holds, unless force is set; with force, the files of
// its manifest are removed (files igr did not write are left). A folder of
// the same command and configuration is cleared of what the earlier run
// wrote, but for the files keep names (a grid's journal, to resume it);
// with force, nothing is kept: the experiment starts afresh. A file goes
// with the files beside it whose names extend its own after a dot (the
// journal's checkpoints, grid.journal.cell-3.checkpoint). A folder that
// another process is writing is refused.
func OpenFolder(dir, command, configuration string, settings map[string]string, force bool, keep ...string) (*Folder, error) {
	if fi, err := os.Stat(dir); err == nil && !fi.IsDir() {
		return nil, fmt.Errorf("%w: -out %s is a file, not a folder", ErrConfig, dir)
	}
	old, err := ReadManifest(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if !force {
			if others := entries(dir); len(others) > 0 {
				return nil, fmt.Errorf("%w: %s holds files igr did not record writing (%s); use -force to write there anyway, or another -out",
					ErrConfig, dir, list(others))
			}
		}
	case err != nil:
		return nil, err
	case old.Command != command || old.Configuration != configuration:
		if !force {
			return nil, fmt.Errorf("%w: %s holds %s; use -force to replace them, or another -out",
				ErrConfig, dir, old.describe(command, settings))
		}
	}
	if force {
		keep = nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("%w: -out %s: %w", ErrConfig, dir, unwrapPath(err))
	}
	lock, err := os.Open(dir)
	if err == nil {
		err = filelock.Lock(lock)
	}
	if err != nil {
		if lock != nil {
			lock.Close()
		}
		if errors.Is(err, filelock.ErrLocked) {
			return nil, fmt.Errorf("%w: -out %s is being written by another igr process", ErrConfig, dir)
		}
		return nil, fmt.Errorf("%w: -out %s: %w", ErrConfig, dir, unwrapPath(err))
	}
	f := &Folder{Dir: dir, manifest: Manifest{Command: command, Configuration: configuration, Settings: settings, Status: StatusRunning},
		lock: lock}
	if old != nil {
		var remove []string
		for _, name := range old.Files {
			if name == filepath.Base(name) && name != ManifestFile && !slices.Contains(keep, name) {
				remove = append(remove, name)
			}
		}
		for _, name := range entries(dir) {
			for _, r := range remove {
				if name == r || strings.HasPrefix(name, r+".") || strings.HasPrefix(name, "."+r+".") {
					os.Remove(filepath.Join(dir, name))
				}
			}
		}
	}
	if err := f.saveManifest(); err != nil {
		lock.Close()
		return nil, fmt.Errorf("%w: -out %s: cannot write there: %w", ErrConfig, dir, unwrapPath(err))
	}
	return f, nil
}

// unwrapPath returns the reason of a path error without the path, which
// the message already names.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// describe says what a manifest's folder holds, as against the results of
// command with settings: "the results of igr sweep", or "the results of
// igr sweep with another configuration (seed 1 there, 0 here)".
func (m *Manifest) describe(command string, settings map[string]string) string {
	what := "igr " + m.Command
	if m.Status != StatusComplete {
		what += " (" + m.Status + ")"
	}
	if m.Command != command {
		return "the results of " + what
	}
	var diffs []string
	for _, name := range sortedKeys(settings, m.Settings) {
		if there, here := m.Settings[name], settings[name]; there != here {
			diffs = append(diffs, fmt.Sprintf("-%s %s there, %s here", name, orNone(there), orNone(here)))
		}
	}
	if len(diffs) == 0 {
		return "the results of " + what + " on other data or initializations"
	}
	return "the results of " + what + " with another configuration (" + list(diffs) + ")"
}

func orNone(s string) string {
	if s == "" {
		return "unset"
	}
	return s
}

// sortedKeys returns the keys of both maps, sorted.
func sortedKeys(a, b map[string]string) []string {
	var keys []string
	for k := range a {
		keys = append(keys, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys
}

// entries lists the names in dir, or nothing if it cannot be read.
func entries(dir string) []string {
	des, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var names []string
	for _, d := range des {
		names = append(names, d.Name())
	}
	return names
}

// list names at most five items.
func list(items []string) string {
	if len(items) > 5 {
		return strings.Join(items[:5], ", ") + fmt.Sprintf(", … (%d more)", len(items)-5)
	}
	return strings.Join(items, ", ")
}

// Path returns the path of a file of the folder.
func (f *Folder) Path(name string) string { return filepath.Join(f.Dir, name) }

// File is one file an experiment writes into its folder: a table or a
// summary (Write), or a figure (Figure), saved as Name.png and Name.svg.
type File struct {
	Name   string
	Write  func(path string) error
	Figure func() (plots.Figure, error)
}

// JSONFile is the file name holding v as indented JSON.
func JSONFile(name string, v any) File {
	return File{Name: name, Write: func(path string) error {
		b, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			return fmt.Errorf("experiment: %s: %w", name, err)
		}
		return atomicfile.WriteBytes(path, append(b, '\n'))
	}}
}

// FigureFile is the figure drawn by draw, saved as name.png and name.svg; a
// figure with nothing to draw (an interrupted run may have no history yet)
// is left out. The error of draw is returned as a second argument so that
// the figure functions can be passed as they are:
// FigureFile("sweep", func() (plots.Figure, error) { return SweepFigure(...) }).
func FigureFile[F plots.Figure](name string, draw func() (F, error)) File {
	return File{Name: name, Figure: func() (plots.Figure, error) { return draw() }}
}

// Write writes files into the folder, atomically each, and records them in
// the manifest.
func (f *Folder) Write(files ...File) error {
	for _, file := range files {
		if file.Figure != nil {
			p, err := file.Figure()
			if errors.Is(err, plots.ErrNothingToDraw) {
				continue
			}
			if err != nil {
				return err
			}
			if err := plots.Save(p, f.Path(file.Name)); err != nil {
				return err
			}
			f.record(file.Name+".png", file.Name+".svg")
			continue
		}
		if err := file.Write(f.Path(file.Name)); err != nil {
			return fmt.Errorf("experiment: %w", err)
		}
		f.record(file.Name)
	}
	return f.saveManifest()
}

// record adds written files to the manifest.
func (f *Folder) record(names ...string) {
	for _, n := range names {
		if !slices.Contains(f.manifest.Files, n) {
			f.manifest.Files = append(f.manifest.Files, n)
		}
	}
}

// WriteData writes the data set, data.csv, and its figure.
func (f *Folder) WriteData(d *dataset.Set) error {
	return f.Write(File{Name: "data.csv", Write: d.WriteFile}, FigureFile("data", func() (plots.Figure, error) { return DataFigure(d) }))
}

// Close records how the experiment ended in the manifest, and releases the
// folder to other processes.
func (f *Folder) Close(status string) error {
	defer f.lock.Close()
	f.manifest.Status = status
	return f.saveManifest()
}

func (f *Folder) saveManifest() error {
	return JSONFile(ManifestFile, f.manifest).Write(f.Path(ManifestFile))
}
