package experiment

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// BlogGrid is the blog's learning-rate grid, th.arange(0.001, 0.15, 0.005):
// 30 values from 0.001 to 0.146.
const BlogGrid = "0.001:0.15:0.005"

// maxGrid bounds the size of a grid, against typos such as a step of 1e-9.
const maxGrid = 100_000

// ParseGrid parses a list of learning rates: FROM:TO:STEP for FROM, FROM+STEP,
// … up to TO (TO included when it falls on the grid), or values separated by
// commas. Every value must be a positive number.
func ParseGrid(s string) ([]float64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, fmt.Errorf("%w: empty learning-rate list", ErrConfig)
	}
	if strings.Contains(s, ":") {
		parts := strings.Split(s, ":")
		if len(parts) != 3 {
			return nil, fmt.Errorf("%w: learning-rate grid %q is not FROM:TO:STEP", ErrConfig, s)
		}
		var v [3]float64
		for i, p := range parts {
			f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
			if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
				return nil, fmt.Errorf("%w: learning-rate grid %q: %q is not a number", ErrConfig, s, p)
			}
			v[i] = f
		}
		from, to, step := v[0], v[1], v[2]
		switch {
		case !(from > 0):
			return nil, fmt.Errorf("%w: learning-rate grid %q: FROM must be positive", ErrConfig, s)
		case !(step > 0):
			return nil, fmt.Errorf("%w: learning-rate grid %q: STEP must be positive", ErrConfig, s)
		case to < from:
			return nil, fmt.Errorf("%w: learning-rate grid %q: TO is below FROM", ErrConfig, s)
		}
		// The tolerance keeps TO when rounding puts it a hair off the grid.
		steps := math.Floor((to-from)/step*(1+1e-12) + 1e-9)
		if !(steps < maxGrid) {
			return nil, fmt.Errorf("%w: learning-rate grid %q has more than %d values", ErrConfig, s, maxGrid)
		}
		count := int(steps) + 1
		lrs := make([]float64, count)
		for i := range lrs {
			// Round away the binary noise of from + i·step so that the
			// grid prints as typed (0.011, not 0.011000000000000001).
			lrs[i], _ = strconv.ParseFloat(strconv.FormatFloat(from+float64(i)*step, 'g', 12, 64), 64)
		}
		return lrs, nil
	}
	var lrs []float64
	for _, p := range strings.Split(s, ",") {
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || !(f > 0) || math.IsInf(f, 0) {
			return nil, fmt.Errorf("%w: learning rate %q is not a positive number", ErrConfig, strings.TrimSpace(p))
		}
		lrs = append(lrs, f)
	}
	return lrs, nil
}
