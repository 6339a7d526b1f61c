package experiment

import (
	"fmt"
	"math"

	"github.com/igr-project/igr/train/grid"
)

// BlogGrid is the blog's learning-rate grid, th.arange(0.001, 0.15, 0.005):
// 30 values from 0.001 to 0.146.
const BlogGrid = "0.001:0.15:0.005"

// ParseGrid parses a list of learning rates as grid.ParseValues does —
// FROM:TO:STEP (TO included when it falls on the grid), log:FROM:TO:N or
// values separated by commas — and checks that every one is positive.
func ParseGrid(s string) ([]float64, error) {
	lrs, err := grid.ParseValues(s)
	if err != nil {
		return nil, fmt.Errorf("%w: learning rates: %w", ErrConfig, err)
	}
	return lrs, checkGrid(s, lrs)
}

// checkGrid returns an error unless every learning rate of a grid, written
// s, is positive.
func checkGrid(s string, lrs []float64) error {
	for _, lr := range lrs {
		if !(lr > 0) || math.IsInf(lr, 0) {
			return fmt.Errorf("%w: learning rates %q: %g is not positive", ErrConfig, s, lr)
		}
	}
	return nil
}
