package experiment

import (
	"context"
	"errors"
	"fmt"
	"io"
	"reflect"
	"time"

	"github.com/igr-project/igr/train/dataset"
)

// Settings configure an experiment: a pointer to a struct that embeds
// Output (and, for the experiments that train, Config) and declares its
// hyperparameters as fields tagged with their Param (see Param).
type Settings interface {
	output() *Output
}

// Result is what an experiment computed.
type Result interface {
	// Files lists what the experiment writes into its folder, in order:
	// its tables, its summary, its figures.
	Files() []File
	// WriteTable prints the result for a terminal.
	WriteTable(w io.Writer) error
}

// Prepared is what an experiment resolved before it writes anything: the
// problem or problems it trains, checked and sized, and its own state P.
type Prepared[P any] struct {
	// Data is the data set the output folder shows (data.csv and its
	// figure); nil writes none.
	Data *dataset.Set
	// Identity is what, beside the settings, determines the results: a
	// fingerprint of the data and the initializations (see Identity). Two
	// runs of an experiment with the same settings and identity compute
	// the same results.
	Identity string
	// State is what Execute needs of the preparation.
	State P
}

// Experiment is one kind of experiment: its name, its settings S, and the
// two steps of it that are its own — Prepare resolves the settings into
// the work (data, initializations, the runs and their memory, refusing what
// cannot be done before anything is written), Execute does the work and
// returns the result R, whose Files the pipeline writes. Run is the
// pipeline that runs any experiment:
//
//  1. the defaults and the check of every hyperparameter (Defaults, Check);
//  2. Prepare;
//  3. the output folder opened (see Folder): one holding another
//     experiment's or configuration's results is refused unless forced, and
//     what an earlier run of the same configuration wrote is cleared but
//     for its journal, from which a grid resumes (Env.Grid); data.csv and
//     its figure written;
//  4. Execute, with an Env that trains jobs and grids with progress;
//  5. the result's files written, atomically, and the folder's manifest
//     completed.
//
// When the context is cancelled, Execute's runs stop, the files of what was
// computed are written (unfinished runs marked interrupted), and Run
// returns the result with an *InterruptedError.
type Experiment[S Settings, P any, R Result] struct {
	// Name is the command's name, the experiment's in the manifest of its
	// folders, and its default folder's: out/<Name>.
	Name string
	// Summary is one line on what the experiment does; Usage the flags part
	// of its usage line.
	Summary, Usage string
	// DefaultFolder, if not nil, names the default folder of settings; nil
	// means out/<Name>.
	DefaultFolder func(S) string
	// Args, if not nil, takes the arguments after the flags on the command
	// line (the folders Merge combines); nil means the experiment takes
	// none.
	Args    func(S, []string) error
	Prepare func(S) (*Prepared[P], error)
	Execute func(ctx context.Context, s S, p P, env *Env) (R, error)
}

// Run runs the experiment with settings s (see Experiment).
func (e *Experiment[S, P, R]) Run(ctx context.Context, s S) (R, error) {
	var zero R
	start := time.Now()
	Defaults(s)
	if err := Check(s); err != nil {
		return zero, err
	}
	prep, err := e.Prepare(s)
	if err != nil {
		return zero, err
	}
	o := s.output()
	dir := e.OutputFolder(s)
	folder, err := OpenFolder(dir, e.Name, Identity(s, prep.Identity), Describe(s), o.Force, JournalFile)
	if err != nil {
		return zero, err
	}
	if prep.Data != nil {
		if err := folder.WriteData(prep.Data); err != nil {
			folder.Close(StatusFailed)
			return zero, err
		}
	}
	env := &Env{Dir: dir, Log: o.Log, Folder: folder, Start: start}
	res, stop := e.Execute(ctx, s, prep.State, env)
	if stop != nil && !interrupted(stop) {
		folder.Close(StatusFailed)
		return zero, stop
	}
	if err := folder.Write(res.Files()...); err != nil {
		folder.Close(StatusFailed)
		return zero, err
	}
	status := StatusComplete
	if stop != nil {
		status = StatusInterrupted
	}
	if err := folder.Close(status); err != nil {
		return zero, err
	}
	if stop != nil {
		return res, env.interruption(stop)
	}
	return res, nil
}

// OutputFolder returns where settings made by NewSettings (or the
// experiment's own) write: their Out, or the experiment's default folder.
func (e *Experiment[S, P, R]) OutputFolder(settings Settings) string {
	s := settings.(S)
	switch {
	case s.output().Out != "":
		return s.output().Out
	case e.DefaultFolder != nil:
		return e.DefaultFolder(s)
	}
	return "out/" + e.Name
}

// Command is what the command line shows of an experiment.
type Command struct {
	Name, Summary, Usage string
	// TakesArgs says the command reads arguments after its flags.
	TakesArgs bool
}

// Descriptor is an experiment seen without its types, as the command line
// drives it: its command, fresh settings with their defaults to bind flags
// to, and a run of them.
type Descriptor interface {
	Command() Command
	NewSettings() Settings
	// SetArgs passes the arguments after the flags.
	SetArgs(s Settings, args []string) error
	RunSettings(ctx context.Context, s Settings) (Result, error)
	// OutputFolder is where s writes.
	OutputFolder(s Settings) string
}

// OutputOf returns the Output of settings: where they write, and where
// progress goes.
func OutputOf(s Settings) *Output { return s.output() }

var _ Descriptor = (*Experiment[*Output, struct{}, Result])(nil)

// Command returns the experiment's command.
func (e *Experiment[S, P, R]) Command() Command {
	return Command{Name: e.Name, Summary: e.Summary, Usage: e.Usage, TakesArgs: e.Args != nil}
}

// NewSettings returns zero settings with every default set.
func (e *Experiment[S, P, R]) NewSettings() Settings {
	var s S
	s = reflect.New(reflect.TypeOf(s).Elem()).Interface().(S)
	Defaults(s)
	return s
}

// SetArgs passes the arguments after the flags to settings made by
// NewSettings.
func (e *Experiment[S, P, R]) SetArgs(s Settings, args []string) error {
	if e.Args == nil {
		if len(args) > 0 {
			return fmt.Errorf("%w: unexpected argument %q", ErrConfig, args[0])
		}
		return nil
	}
	return e.Args(s.(S), args)
}

// RunSettings runs settings made by NewSettings.
func (e *Experiment[S, P, R]) RunSettings(ctx context.Context, s Settings) (Result, error) {
	r, err := e.Run(ctx, s.(S))
	if v := reflect.ValueOf(r); !v.IsValid() || v.Kind() == reflect.Pointer && v.IsNil() {
		return nil, err
	}
	return r, err
}

// InterruptedError is what Run returns when its context was cancelled: the
// files of what was computed are in the folder Dir.
type InterruptedError struct {
	// Done of Total runs finished (Total is 0 for experiments that are not
	// made of runs); Dir holds their results.
	Done, Total int
	Dir         string
	Err         error
}

func (e *InterruptedError) Error() string {
	if e.Total > 0 {
		return fmt.Sprintf("interrupted after %d of %d runs; what they computed is in %s", e.Done, e.Total, e.Dir)
	}
	return fmt.Sprintf("interrupted; what was computed is in %s", e.Dir)
}

func (e *InterruptedError) Unwrap() error { return e.Err }

// interrupted reports whether err is an interruption: the context was
// cancelled or its deadline passed.
func interrupted(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}
