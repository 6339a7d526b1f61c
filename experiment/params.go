package experiment

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/igr-project/igr/train"
	"github.com/igr-project/igr/train/grid"
)

// Param is a hyperparameter or setting of the experiments: one name — the
// flag of the command line, the key of summaries, the axis of a map — what
// it means, and the one check its values pass.
//
// Settings structs declare which parameters they take by tagging fields:
//
//	LR float64 `igr:"lr" default:"0.01"`
//
// The tag names the parameter; ",positive" after the name makes a parameter
// that may be zero (label noise σ, say) positive for that field; default is
// the value a zero field takes, written as on the command line; usage, if
// given, says more than the parameter's usage for that field. Defaults
// applies the defaults, Check the checks, and the command line derives its
// flags from the same fields (Fields).
type Param struct {
	Name  string
	Usage string
	// Operational parameters change where results go or how fast they come,
	// not what they are; a configuration's identity leaves them out.
	Operational bool
	// Whole parameters take whole numbers (sizes, counts, seeds).
	Whole bool
	// Range, if not nil, says what is wrong with a numeric value, if
	// anything: Positive, NonNegative, or a check of its own.
	Range func(v float64) error
	// Choices are the values of a parameter that names one of a few
	// things, Noun what it names (in errors: unknown architecture "mlp").
	Choices []string
	Noun    string
}

// Check returns an error, naming the parameter as its flag ("-lr must be
// positive, got 0"), unless v is a value it takes.
func (p *Param) Check(v float64) error {
	if err := p.checkValue(v); err != nil {
		return fmt.Errorf("%w: -%s %w", ErrConfig, p.Name, err)
	}
	return nil
}

// checkValue says what is wrong with v, if anything.
func (p *Param) checkValue(v float64) error {
	if p.Whole && (v != math.Trunc(v) || math.Abs(v) > maxWhole) {
		return fmt.Errorf("must be a whole number, got %g", v)
	}
	if p.Range == nil {
		return nil
	}
	return p.Range(v)
}

// checkText returns an error unless s is one of the parameter's choices.
func (p *Param) checkText(s string) error {
	if p.Choices != nil && !slices.Contains(p.Choices, s) {
		return fmt.Errorf("%w: unknown %s %q (want %s)", ErrConfig, p.Noun, s, strings.Join(p.Choices, " or "))
	}
	return nil
}

// Positive and NonNegative are the usual ranges of numeric parameters. A
// range says what is wrong after the parameter's name: "-lr must be
// positive, got 0".
func Positive(v float64) error {
	if !(v > 0) || math.IsInf(v, 0) {
		return fmt.Errorf("must be positive, got %g", v)
	}
	return nil
}

// NonNegative is the range of parameters that may be zero.
func NonNegative(v float64) error {
	if !(v >= 0) || math.IsInf(v, 0) {
		return fmt.Errorf("must not be negative, got %g", v)
	}
	return nil
}

func workersCheck(v float64) error {
	if v < 0 {
		return fmt.Errorf("must be positive (or 0 for one per core), got %g", v)
	}
	return nil
}

// maxWhole bounds whole-number axes (sizes and seeds) to what converts to
// an int and back exactly.
const maxWhole = 1 << 53

// Declare adds parameters to the table every settings field takes its
// parameter from; an experiment declares its own in its package's init. A
// name declared twice panics: one name, one meaning, one check.
func Declare(ps ...*Param) { declareIn(params, ps...) }

func declareIn(table map[string]*Param, ps ...*Param) map[string]*Param {
	for _, p := range ps {
		if _, dup := table[p.Name]; dup {
			panic("experiment: parameter " + p.Name + " declared twice")
		}
		table[p.Name] = p
	}
	return table
}

// LookupParam returns the parameter called name, or nil.
func LookupParam(name string) *Param { return params[name] }

// params are the parameters, by name: those every experiment shares,
// declared here, and those experiments Declare.
var params = declareIn(map[string]*Param{},
	// Where results go and how they are computed.
	&Param{Name: "out", Usage: "output `folder`; everything the run writes goes there (default out/<command>)", Operational: true},
	&Param{Name: "force", Usage: "write into -out even if it holds the results of another command or configuration, replacing them", Operational: true},
	&Param{Name: "workers", Usage: "runs trained in parallel (0 or absent: one per core)", Operational: true, Whole: true, Range: workersCheck},
	&Param{Name: "max-memory", Usage: "refuse runs estimated to need more memory than this `size` (16G, 512M; default: what this machine has available)", Operational: true},
	// The problem.
	&Param{Name: "seed", Usage: "seed of the data, the initialization, the label noise and the order of minibatches", Whole: true, Range: NonNegative},
	&Param{Name: "n", Usage: "training examples; the test set has as many", Whole: true, Range: Positive},
	&Param{Name: "dim", Usage: "input dimension d (default 30, or the data file's)", Whole: true, Range: Positive},
	&Param{Name: "width", Usage: "hidden units m (default 100, or the init file's)", Whole: true, Range: Positive},
	&Param{Name: "scale", Usage: "divide the network's output by this (the blog's small initialization is 100)", Range: Positive},
	&Param{Name: "arch", Usage: "architecture: " + strings.Join(architectureNames(), " or "), Noun: "architecture", Choices: architectureNames()},
	&Param{Name: "rng", Usage: "random generator: igr, or torch for PyTorch's CPU generator number for number", Noun: "generator", Choices: []string{"igr", "torch"}},
	&Param{Name: "dtype", Usage: "what training computes in: float64 or float32", Noun: "dtype", Choices: []string{"float64", "float32"}},
	&Param{Name: "data", Usage: "CSV `file` with header x0,…,x{d-1},y[,split] to use instead of generated data"},
	&Param{Name: "init", Usage: "initial parameters: a CSV `file` of the first-layer matrix A, d rows × m columns, no header, the other parameters starting at 0; or a folder with params_<name>.csv for every parameter, as igr train writes them (its -out)"},
	// One run.
	&Param{Name: "lr", Usage: "learning rate η", Range: Positive},
	&Param{Name: "tol", Usage: "stop when the training MSE is below this", Range: Positive},
	&Param{Name: "max-steps", Usage: "cap on the steps of a run that stops on convergence", Whole: true, Range: Positive},
	&Param{Name: "steps", Usage: "take exactly this many steps instead of stopping at -tol", Whole: true, Range: Positive},
	&Param{Name: "sigma", Usage: "label noise σ: train on targets with fresh N(0, σ²) noise at every step (needs -steps)", Range: NonNegative},
	&Param{Name: "lambda", Usage: "train on L + λ‖∇L‖², the explicit gradient-norm regularizer (λ = η/4 for step η)", Range: NonNegative},
	&Param{Name: "batch", Usage: "minibatch SGD with batches of `B` examples, a fresh order every epoch (default: full batch)", Whole: true, Range: Positive},
	&Param{Name: "history-every", Usage: "record the loss every this many steps in history.csv", Whole: true, Range: Positive},
	&Param{Name: "track-sharpness", Usage: "measure the sharpness, the top eigenvalue of the training loss's Hessian, every `K` steps " +
		"(and at each of the first 100 steps, where a catapult happens, all recorded) to label the run's regime: stable, edge, catapult or diverged", Whole: true, Range: Positive},
	&Param{Name: "checkpoint", Usage: "save the run's state to this `file` every -checkpoint-every steps and when interrupted", Operational: true},
	&Param{Name: "checkpoint-every", Usage: "steps between checkpoints", Operational: true, Whole: true, Range: Positive},
	&Param{Name: "resume", Usage: "continue the run saved in this checkpoint `file` (same flags)", Operational: true},
	// Grids of runs.
	&Param{Name: "lrs", Usage: "learning-rate grid FROM:TO:STEP, log:FROM:TO:N (N log-spaced values) or a comma-separated list"},
	&Param{Name: "seeds", Usage: "train every learning rate for this many seeds (-seed, -seed+1, …) and draw the spread", Whole: true, Range: Positive},
	&Param{Name: "shard", Usage: "train only shard `i/N` of the grid (default: from SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT or JOB_COMPLETION_INDEX with -shards)"},
	&Param{Name: "shards", Usage: "number of shards, with Kubernetes' JOB_COMPLETION_INDEX", Whole: true, Range: Positive},
	// Label noise beside other runs.
	&Param{Name: "noise-steps", Usage: "steps of the label-noise run", Whole: true, Range: Positive},
)

// architectureNames lists the names of Architectures, sorted.
func architectureNames() []string {
	names := make([]string, 0, len(Architectures))
	for n := range Architectures {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Field is a field of a settings struct that takes a parameter.
type Field struct {
	Param *Param
	// Default is the value a zero field takes, as text; empty if none.
	Default string
	// Usage is the parameter's usage, or the field's own.
	Usage string
	// Positive: the field must be positive where its parameter may be 0.
	Positive bool
	// Value is the field itself, settable.
	Value reflect.Value
}

// Fields returns the fields of settings (a pointer to a struct) that take
// parameters, embedded structs' included, in the order they are declared.
func Fields(settings any) []Field {
	v := reflect.ValueOf(settings)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		panic(fmt.Sprintf("experiment: settings must be a pointer to a struct, got %T", settings))
	}
	return fieldsOf(v.Elem())
}

func fieldsOf(v reflect.Value) []Field {
	var out []Field
	t := v.Type()
	for i := range t.NumField() {
		sf := t.Field(i)
		if sf.Anonymous && sf.Type.Kind() == reflect.Struct {
			out = append(out, fieldsOf(v.Field(i))...)
			continue
		}
		tag, ok := sf.Tag.Lookup("igr")
		if !ok {
			continue
		}
		name, opt, _ := strings.Cut(tag, ",")
		p := params[name]
		if p == nil {
			panic("experiment: field " + sf.Name + " takes an undeclared parameter " + name)
		}
		f := Field{Param: p, Default: sf.Tag.Get("default"), Usage: p.Usage, Positive: opt == "positive", Value: v.Field(i)}
		if u := sf.Tag.Get("usage"); u != "" {
			f.Usage = u
		}
		out = append(out, f)
	}
	return out
}

// Name is the field's parameter's name.
func (f Field) Name() string { return f.Param.Name }

// IsZero reports whether the field holds its zero value.
func (f Field) IsZero() bool { return f.Value.IsZero() }

// Set parses text as the command line gives it (a number, a grid of values
// FROM:TO:STEP, an axis AXIS=VALUES, a shard i/N, a size 16G) into the
// field, and checks it: an explicit value is checked even where the zero
// value would mean a default.
func (f Field) Set(text string) error {
	switch f.Value.Interface().(type) {
	case []float64:
		values, err := ParseGrid(text)
		if err != nil {
			return err
		}
		f.Value.Set(reflect.ValueOf(values))
	case grid.Axis:
		a, err := ParseAxis("-"+f.Name(), text)
		if err != nil {
			return err
		}
		f.Value.Set(reflect.ValueOf(a))
	case grid.Shard:
		i, n, ok := strings.Cut(text, "/")
		if !ok {
			return fmt.Errorf("%w: -shard %q is not i/N", ErrConfig, text)
		}
		s, err := ParseShard("-shard", i, n)
		if err != nil {
			return err
		}
		f.Value.Set(reflect.ValueOf(s))
	case Bytes:
		b, err := train.ParseBytes(text)
		if err != nil {
			return fmt.Errorf("%w: -%s %q is not a positive size such as 16G, 512M or 2000000000", ErrConfig, f.Name(), text)
		}
		f.Value.Set(reflect.ValueOf(Bytes(b)))
	default:
		switch f.Value.Kind() {
		case reflect.String:
			if text == "" && f.Name() == "out" {
				return fmt.Errorf("%w: -out must name a folder", ErrConfig)
			}
			f.Value.SetString(text)
		case reflect.Bool:
			b, err := strconv.ParseBool(text)
			if err != nil {
				return fmt.Errorf("%w: -%s %q is not true or false", ErrConfig, f.Name(), text)
			}
			f.Value.SetBool(b)
		case reflect.Float64:
			v, err := strconv.ParseFloat(text, 64)
			if err != nil {
				return fmt.Errorf("%w: -%s %q is not a number", ErrConfig, f.Name(), text)
			}
			f.Value.SetFloat(v)
		case reflect.Int:
			v, err := strconv.Atoi(text)
			if err != nil {
				return fmt.Errorf("%w: -%s %q is not a whole number", ErrConfig, f.Name(), text)
			}
			f.Value.SetInt(int64(v))
		case reflect.Uint64:
			v, err := strconv.ParseUint(text, 10, 64)
			if err != nil {
				return fmt.Errorf("%w: -%s %q is not a whole number from 0 on", ErrConfig, f.Name(), text)
			}
			f.Value.SetUint(v)
		default:
			panic("experiment: parameter " + f.Name() + " of unsupported type " + f.Value.Type().String())
		}
	}
	return f.check(true)
}

// check checks the field's value; explicit says the value was given, so
// that a zero is checked rather than taken for "the default".
func (f Field) check(explicit bool) error {
	if f.IsZero() && !explicit {
		return nil
	}
	switch v := f.Value.Interface().(type) {
	case float64:
		return f.checkNumber(v)
	case int:
		return f.checkNumber(float64(v))
	case string:
		return f.Param.checkText(v)
	case []float64:
		return checkGrid(FormatValues(v), v)
	case uint64:
		return f.checkNumber(float64(v))
	}
	return nil
}

func (f Field) checkNumber(v float64) error {
	if f.Positive && !(v > 0) {
		return fmt.Errorf("%w: -%s must be positive, got %g", ErrConfig, f.Name(), v)
	}
	return f.Param.Check(v)
}

// String returns the field's value as the command line writes it.
func (f Field) String() string {
	switch v := f.Value.Interface().(type) {
	case []float64:
		return FormatValues(v)
	case grid.Axis:
		if v.Name == "" {
			return ""
		}
		return v.Name + "=" + FormatValues(v.Values)
	case grid.Shard:
		if v.Whole() {
			return ""
		}
		return v.String()
	case Bytes:
		if v == 0 {
			return ""
		}
		return strconv.FormatInt(int64(v), 10)
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	return fmt.Sprint(f.Value.Interface())
}

// FormatValues writes values as a comma-separated list that ParseValues
// reads back.
func FormatValues(values []float64) string {
	parts := make([]string, len(values))
	for i, v := range values {
		parts[i] = strconv.FormatFloat(v, 'g', -1, 64)
	}
	return strings.Join(parts, ",")
}

// Bytes is a memory size in bytes, written on the command line as 16G or
// 512M.
type Bytes int64

// Defaults sets every zero field of settings that has a default to it.
func Defaults(settings any) {
	for _, f := range Fields(settings) {
		if f.Default == "" || !f.IsZero() {
			continue
		}
		if err := f.Set(f.Default); err != nil {
			panic(fmt.Sprintf("experiment: default of -%s: %v", f.Name(), err))
		}
	}
}

// Check checks every field of settings that takes a parameter and holds a
// value (a zero value means "not set"; Defaults fills those that have a
// default).
func Check(settings any) error {
	for _, f := range Fields(settings) {
		if err := f.check(false); err != nil {
			return err
		}
	}
	return nil
}
