package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/igr-project/igr/internal/kernel"
	"github.com/igr-project/igr/train"
	"github.com/igr-project/igr/train/experiment"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// A command is one subcommand of igr.
type command struct {
	name    string
	summary string
	usage   string // the flags part of the usage line
	// takesArgs says the command reads arguments after its flags.
	takesArgs bool
	// setup defines the command's flags on fs and returns the function that
	// runs it once the flags are parsed.
	setup func(fs *flag.FlagSet, env *environment) func(ctx context.Context) error
}

// environment is where a command writes.
type environment struct {
	stdout, stderr io.Writer
}

var commands = []*command{reproduceCmd, trainCmd, sweepCmd, mapCmd, noiseCmd, compareCmd, verifyCmd, flowCmd, sharpnessCmd, mergeCmd, versionCmd}

// usageError marks errors in how igr was called (exit status 2).
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// run executes igr with args and returns the exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	env := &environment{stdout: stdout, stderr: stderr}
	if len(args) == 0 || args[0] == "-h" || args[0] == "-help" || args[0] == "--help" || args[0] == "help" {
		if len(args) > 1 {
			args = []string{args[1], "-h"}
		} else {
			printUsage(stderr)
			if len(args) == 0 {
				return 2
			}
			return 0
		}
	}
	if err := kernel.EnvError(); err != nil {
		fmt.Fprintf(stderr, "igr: %s\n", strings.TrimPrefix(err.Error(), "kernel: "))
		return 2
	}
	var cmd *command
	for _, c := range commands {
		if c.name == args[0] {
			cmd = c
		}
	}
	if cmd == nil {
		fmt.Fprintf(stderr, "igr: unknown command %q; run igr -h for the list\n", args[0])
		return 2
	}
	fs := flag.NewFlagSet(cmd.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	exec := cmd.setup(fs, env)
	// A command may use -h as a flag of its own (compare's small step); a
	// bare -h at the end still asks for help.
	if fs.Lookup("h") != nil && args[len(args)-1] == "-h" {
		args = append(args[:len(args)-1:len(args)-1], "-help")
	}
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(stderr)
			fmt.Fprintf(stderr, "usage: igr %s %s\n\n%s\n", cmd.name, cmd.usage, cmd.summary)
			hasFlags := false
			fs.VisitAll(func(*flag.Flag) { hasFlags = true })
			if hasFlags {
				fmt.Fprintf(stderr, "\nFlags:\n")
				fs.PrintDefaults()
			}
			return 0
		}
		fmt.Fprintf(stderr, "igr: %s: %v (run igr %s -h for help)\n", cmd.name, err, cmd.name)
		return 2
	}
	if fs.NArg() > 0 && !cmd.takesArgs {
		fmt.Fprintf(stderr, "igr: %s: unexpected argument %q (run igr %s -h for help)\n", cmd.name, fs.Arg(0), cmd.name)
		return 2
	}
	err := exec(ctx)
	switch {
	case err == nil:
		return 0
	case errors.Is(err, context.Canceled) && ctx.Err() != nil:
		fmt.Fprintf(stderr, "igr: %s\n", oneLine(err))
		return 130
	case isUsage(err):
		fmt.Fprintf(stderr, "igr: %s\n", oneLine(err))
		return 2
	default:
		fmt.Fprintf(stderr, "igr: %s\n", oneLine(err))
		return 1
	}
}

// isUsage reports whether err is the user's to fix: a bad flag value or input
// file.
func isUsage(err error) bool {
	var u usageError
	return errors.As(err, &u) || errors.Is(err, experiment.ErrConfig) || errors.Is(err, train.ErrSettings)
}

// oneLine returns err's message on one line, without the package prefixes
// that locate it in the library but mean nothing to a user of the command,
// at its start or after another part of the message.
func oneLine(err error) string {
	prefixes := []string{"experiment: ", "invalid configuration: ", "dataset: ", "train: ", "invalid settings: ", "graph: ",
		"tidycsv: ", "atomicfile: ", "grid: ", "invalid values: "}
	msg := strings.ReplaceAll(err.Error(), "\n", " ")
	for {
		trimmed := msg
		for _, p := range prefixes {
			trimmed = strings.TrimPrefix(trimmed, p)
			trimmed = strings.ReplaceAll(trimmed, ": "+p, ": ")
		}
		if trimmed == msg {
			return msg
		}
		msg = trimmed
	}
}

func printUsage(w io.Writer) {
	fmt.Fprintf(w, "igr reproduces and extends \"Implicit bias by large learning rate: Noise can be helpful for gradient descent\".\n\n")
	fmt.Fprintf(w, "usage: igr <command> [flags]\n\ncommands:\n")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, "\nRun igr <command> -h for a command's flags.\n")
}
