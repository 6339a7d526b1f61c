package grid

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// ErrValues is returned, wrapped, for values that cannot be parsed.
var ErrValues = errors.New("grid: invalid values")

// MaxValues bounds the number of values of an axis, against typos such as a
// step of 1e-9.
const MaxValues = 100_000

// ParseValues parses the values of an axis:
//
//	FROM:TO:STEP    FROM, FROM+STEP, … up to TO (TO included when it falls on the grid)
//	log:FROM:TO:N   N values from FROM to TO, equally spaced in log scale
//	A,B,C           the values listed
//
// Every value is a finite number and no value appears twice. Values computed
// from a range are rounded to 12 significant digits, so that they print as
// typed (0.011, not 0.011000000000000001); log:0.1:100:4 is 0.1, 1, 10, 100.
func ParseValues(s string) ([]float64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, fmt.Errorf("%w: no values", ErrValues)
	}
	var values []float64
	var err error
	switch {
	case strings.HasPrefix(s, "log:"):
		values, err = parseLog(s)
	case strings.Contains(s, ":"):
		values, err = parseRange(s)
	default:
		values, err = parseList(s)
	}
	if err != nil {
		return nil, err
	}
	seen := make(map[float64]bool, len(values))
	for _, v := range values {
		if seen[v] {
			return nil, fmt.Errorf("%w: %q: %s appears twice", ErrValues, s, strconv.FormatFloat(v, 'g', -1, 64))
		}
		seen[v] = true
	}
	return values, nil
}

// numbers parses the fields of s as finite numbers.
func numbers(s string, fields []string) ([]float64, error) {
	out := make([]float64, len(fields))
	for i, p := range fields {
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, fmt.Errorf("%w: %q: %q is not a number", ErrValues, s, strings.TrimSpace(p))
		}
		out[i] = f
	}
	return out, nil
}

func parseRange(s string) ([]float64, error) {
	parts := strings.Split(s, ":")
	if len(parts) != 3 {
		return nil, fmt.Errorf("%w: %q is not FROM:TO:STEP", ErrValues, s)
	}
	v, err := numbers(s, parts)
	if err != nil {
		return nil, err
	}
	from, to, step := v[0], v[1], v[2]
	switch {
	case !(step > 0):
		return nil, fmt.Errorf("%w: %q: STEP must be positive", ErrValues, s)
	case to < from:
		return nil, fmt.Errorf("%w: %q: TO is below FROM", ErrValues, s)
	}
	// The tolerance keeps TO when rounding puts it a hair off the grid.
	steps := math.Floor((to-from)/step*(1+1e-12) + 1e-9)
	if !(steps < MaxValues) {
		return nil, fmt.Errorf("%w: %q has more than %d values", ErrValues, s, MaxValues)
	}
	out := make([]float64, int(steps)+1)
	for i := range out {
		out[i] = round12(from + float64(i)*step)
	}
	return out, nil
}

func parseLog(s string) ([]float64, error) {
	parts := strings.Split(s, ":")
	if len(parts) != 4 {
		return nil, fmt.Errorf("%w: %q is not log:FROM:TO:N", ErrValues, s)
	}
	v, err := numbers(s, parts[1:3])
	if err != nil {
		return nil, err
	}
	from, to := v[0], v[1]
	n, err := strconv.Atoi(strings.TrimSpace(parts[3]))
	switch {
	case err != nil || n < 1:
		return nil, fmt.Errorf("%w: %q: N must be a whole number ≥ 1", ErrValues, s)
	case n > MaxValues:
		return nil, fmt.Errorf("%w: %q has more than %d values", ErrValues, s, MaxValues)
	case !(from > 0) || !(to > 0):
		return nil, fmt.Errorf("%w: %q: a log scale needs FROM and TO positive", ErrValues, s)
	case to < from:
		return nil, fmt.Errorf("%w: %q: TO is below FROM", ErrValues, s)
	case n == 1 && to != from:
		return nil, fmt.Errorf("%w: %q: one value cannot span FROM to TO", ErrValues, s)
	}
	out := make([]float64, n)
	lo, hi := math.Log(from), math.Log(to)
	for i := range out {
		switch i {
		case 0:
			out[i] = from
		case n - 1:
			out[i] = to
		default:
			out[i] = round12(math.Exp(lo + (hi-lo)*float64(i)/float64(n-1)))
		}
	}
	return out, nil
}

func parseList(s string) ([]float64, error) {
	return numbers(s, strings.Split(s, ","))
}

// round12 rounds v to 12 significant digits.
func round12(v float64) float64 {
	r, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 12, 64), 64)
	return r
}
