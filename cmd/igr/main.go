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

	"github.com/igr-project/igr/experiment"
	"github.com/igr-project/igr/internal/kernel"
	"github.com/igr-project/igr/train"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}

// environment is where a command writes and what it reads of the
// environment.
type environment struct {
	stdout, stderr io.Writer
	getenv         func(string) string
}

// usageError marks errors in how igr was called (exit status 2).
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// run executes igr with args and returns the exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	env := &environment{stdout: stdout, stderr: stderr, getenv: getenv}
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
	if args[0] == versionCommand.Name {
		return runVersion(args[1:], env)
	}
	d := lookup(args[0])
	if d == nil {
		fmt.Fprintf(stderr, "igr: unknown command %q; run igr -h for the list\n", args[0])
		return 2
	}
	cmd := d.Command()
	s := d.NewSettings()
	fs := flag.NewFlagSet(cmd.Name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	flags := bindFlags(fs, s)
	// A command may use -h as a flag of its own (compare's small step); a
	// bare -h at the end still asks for help.
	if fs.Lookup("h") != nil && args[len(args)-1] == "-h" {
		args = append(args[:len(args)-1:len(args)-1], "-help")
	}
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			printHelp(stderr, cmd, fs)
			return 0
		}
		fmt.Fprintf(stderr, "igr: %s: %v (run igr %s -h for help)\n", cmd.Name, err, cmd.Name)
		return 2
	}
	if err := flags.apply(env); err == nil {
		err = d.SetArgs(s, fs.Args())
		if err != nil && !cmd.TakesArgs {
			err = fmt.Errorf("%s: unexpected argument %q (run igr %s -h for help)", cmd.Name, fs.Arg(0), cmd.Name)
		}
		if err != nil {
			return report(stderr, usageError{err})
		}
	} else {
		return report(stderr, err)
	}
	res, err := d.RunSettings(ctx, s)
	if err != nil {
		return report(stderr, err)
	}
	fmt.Fprintf(stdout, "Results in %s\n\n", d.OutputFolder(s))
	if err := res.WriteTable(stdout); err != nil {
		return report(stderr, err)
	}
	if w, ok := res.(interface{ Warnings() []string }); ok {
		for _, line := range w.Warnings() {
			fmt.Fprintf(stderr, "igr: warning: %s\n", line)
		}
	}
	return 0
}

// report prints err as one line and returns the exit status it means: 130
// for an interruption, 2 for bad usage or input, 1 for a run that failed.
func report(stderr io.Writer, err error) int {
	fmt.Fprintf(stderr, "igr: %s\n", oneLine(err))
	var interrupted *experiment.InterruptedError
	switch {
	case errors.As(err, &interrupted):
		return 130
	case isUsage(err):
		return 2
	}
	return 1
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
	var interrupted *experiment.InterruptedError
	if errors.As(err, &interrupted) {
		return interrupted.Error() // not the context's "context canceled"
	}
	prefixes := []string{"experiment: ", "invalid configuration: ", "dataset: ", "train: ", "invalid settings: ", "graph: ",
		"tidycsv: ", "atomicfile: ", "grid: ", "invalid values: ", "grids: ", "runs: ", "compare: ", "instruments: ", "reproduce: "}
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
	for _, d := range commands {
		c := d.Command()
		fmt.Fprintf(w, "  %-10s %s\n", c.Name, c.Summary)
	}
	fmt.Fprintf(w, "  %-10s %s\n", versionCommand.Name, versionCommand.Summary)
	fmt.Fprintf(w, "\nRun igr <command> -h for a command's flags.\n")
}

// printHelp prints a command's usage line, summary and flags.
func printHelp(w io.Writer, cmd experiment.Command, fs *flag.FlagSet) {
	fs.SetOutput(w)
	fmt.Fprintf(w, "usage: igr %s %s\n\n%s\n", cmd.Name, cmd.Usage, cmd.Summary)
	hasFlags := false
	fs.VisitAll(func(*flag.Flag) { hasFlags = true })
	if hasFlags {
		fmt.Fprintf(w, "\nFlags:\n")
		fs.PrintDefaults()
	}
}
