package grid

import (
	"math"
	"sort"

	"github.com/igr-project/igr/train"
)

// Spread summarizes the runs of one cell over seeds.
type Spread struct {
	// Seeds is the number of runs, and the others count them by status.
	Seeds     int `csv:"seeds"`
	Converged int `csv:"converged"`
	Completed int `csv:"completed"`
	MaxSteps  int `csv:"max_steps"`
	Diverged  int `csv:"diverged"`
	// Min, Median, Max and Mean of the test MSE over the runs that
	// finished as asked (converged to the tolerance, or completed a fixed
	// number of steps); NaN when none did.
	Min    float64 `csv:"test_mse_min"`
	Median float64 `csv:"test_mse_median"`
	Max    float64 `csv:"test_mse_max"`
	Mean   float64 `csv:"test_mse_mean"`
}

// Finished reports whether every run of the cell converged or completed.
func (s Spread) Finished() bool { return s.Seeds > 0 && s.Converged+s.Completed == s.Seeds }

// SpreadOf summarizes runs given by their statuses and test MSEs.
func SpreadOf(statuses []train.Status, testMSE []float64) Spread {
	var s Spread
	var values []float64
	for i, st := range statuses {
		s.Seeds++
		switch st {
		case train.Converged:
			s.Converged++
		case train.Completed:
			s.Completed++
		case train.MaxSteps:
			s.MaxSteps++
		case train.Diverged:
			s.Diverged++
		}
		if st == train.Converged || st == train.Completed {
			values = append(values, testMSE[i])
		}
	}
	s.setStats(values)
	return s
}

// setStats sets the statistics of the test MSEs of the finished runs;
// values is sorted in place.
func (s *Spread) setStats(values []float64) {
	nan := math.NaN()
	s.Min, s.Median, s.Max, s.Mean = nan, nan, nan, nan
	if len(values) == 0 {
		return
	}
	sort.Float64s(values)
	var sum float64
	for _, x := range values {
		sum += x
	}
	n := len(values)
	s.Min, s.Max, s.Mean = values[0], values[n-1], sum/float64(n)
	if n%2 == 1 {
		s.Median = values[n/2]
	} else {
		s.Median = (values[n/2-1] + values[n/2]) / 2
	}
}
