package main

import (
	"flag"
	"fmt"
	"os"
	"reflect"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/igr-project/igr/experiment"
	"github.com/igr-project/igr/experiment/central"
	"github.com/igr-project/igr/experiment/compare"
	"github.com/igr-project/igr/experiment/grids"
	"github.com/igr-project/igr/experiment/instruments"
	"github.com/igr-project/igr/experiment/reproduce"
	"github.com/igr-project/igr/experiment/runs"
	"github.com/igr-project/igr/experiment/spectrum"
	"github.com/igr-project/igr/internal/kernel"
)

// commands are igr's commands, one experiment each, in the order the help
// lists them. A new experiment is one line here.
var commands = []experiment.Descriptor{
	reproduce.Reproduce,
	runs.Train,
	grids.Sweep,
	grids.Map,
	runs.Noise,
	compare.Compare,
	instruments.Verify,
	instruments.Flow,
	instruments.Sharpness,
	central.Central,
	spectrum.Spectrum,
	grids.Merge,
}

// lookup returns the command called name, or nil.
func lookup(name string) experiment.Descriptor {
	for _, d := range commands {
		if d.Command().Name == name {
			return d
		}
	}
	return nil
}

// boundFlags are the flags of a command bound to its settings.
type boundFlags struct {
	fs       *flag.FlagSet
	settings experiment.Settings
	fields   map[string]experiment.Field
	// text holds the flags whose values are parsed by the library (grids
	// of values, axes, shards, sizes), as given.
	text   map[string]*string
	quiet  *bool
	shards *int
}

// bindFlags defines a flag on fs for every parameter of settings, with the
// parameter's usage and the settings' current value (its default) as the
// flag's default, and the flags every command takes: -quiet, and -shards
// where a command takes -shard.
func bindFlags(fs *flag.FlagSet, settings experiment.Settings) *boundFlags {
	b := &boundFlags{fs: fs, settings: settings, fields: map[string]experiment.Field{}, text: map[string]*string{}}
	for _, f := range experiment.Fields(settings) {
		name, usage := f.Name(), f.Usage
		b.fields[name] = f
		switch p := f.Value.Addr().Interface().(type) {
		case *float64:
			fs.Float64Var(p, name, *p, usage)
		case *int:
			fs.IntVar(p, name, *p, usage)
		case *uint64:
			fs.Uint64Var(p, name, *p, usage)
		case *bool:
			fs.BoolVar(p, name, *p, usage)
		case *string:
			fs.StringVar(p, name, *p, usage)
		default:
			b.text[name] = fs.String(name, f.String(), usage)
		}
	}
	b.quiet = fs.Bool("quiet", false, "do not report progress on standard error")
	if _, ok := b.fields["shard"]; ok {
		b.shards = fs.Int("shards", 0, experiment.LookupParam("shards").Usage)
	}
	return b
}

// apply checks every flag given on the command line with its parameter's
// check (an explicit 0 is checked, not taken for "the default"), parses
// the flags the library reads from text, refuses a flag that names an
// axis of the command's grid, resolves the shard from the environment of a
// Slurm or Kubernetes job array when -shard is not given, and sends progress
// to standard error unless -quiet.
func (b *boundFlags) apply(env *environment) error {
	var err error
	given := map[string]bool{}
	b.fs.Visit(func(fl *flag.Flag) {
		given[fl.Name] = true
		f, ok := b.fields[fl.Name]
		if err != nil || !ok {
			return
		}
		if err = f.Set(fl.Value.String()); err != nil {
			err = usageError{err}
		}
	})
	if err != nil {
		return err
	}
	if given["shards"] && *b.shards <= 0 {
		return usageError{fmt.Errorf("-shards must be positive, got %d", *b.shards)}
	}
	if a, ok := b.settings.(interface{ AxisNames() []string }); ok {
		for _, name := range a.AxisNames() {
			if name != "" && given[name] {
				return usageError{fmt.Errorf("-%s is given and %s is an axis of the map: drop one", name, name)}
			}
		}
	}
	if f, ok := b.fields["shard"]; ok && !given["shard"] {
		shard, err := experiment.ShardFromEnv(*b.shards, env.getenv)
		if err != nil {
			return err
		}
		f.Value.Set(reflect.ValueOf(shard))
	}
	if !*b.quiet {
		experiment.OutputOf(b.settings).Log = env.stderr
	}
	return nil
}

// versionCommand prints what igr is and computes with.
var versionCommand = experiment.Command{Name: "version",
	Summary: "igr's version, the matrix kernel it computes with, the CPU features it sees"}

// runVersion prints igr's version, the matrix kernel it computes with and
// the CPU features it sees.
func runVersion(args []string, env *environment) int {
	if len(args) > 0 {
		if args[0] == "-h" || args[0] == "-help" || args[0] == "--help" {
			fmt.Fprintf(env.stderr, "usage: igr version\n\n%s\n", versionCommand.Summary)
			return 0
		}
		fmt.Fprintf(env.stderr, "igr: version takes no flags or arguments, got %q\n", args[0])
		return 2
	}
	version := "(devel)"
	if info, ok := debug.ReadBuildInfo(); ok {
		version = info.Main.Version
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" {
				version += " " + s.Value
			}
		}
	}
	k := kernel.Default()
	chosen := "the fastest available"
	if v := os.Getenv(kernel.EnvVar); v != "" {
		chosen = kernel.EnvVar + "=" + v
	}
	fmt.Fprintf(env.stdout, "igr %s\n", version)
	fmt.Fprintf(env.stdout, "go: %s %s/%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
	fmt.Fprintf(env.stdout, "kernel: %s (%s; available: %s)\n", k.Name(), chosen, strings.Join(kernel.Available(), ", "))
	fmt.Fprintf(env.stdout, "cpu features: %s\n", strings.Join(kernel.Features(), " "))
	return 0
}
