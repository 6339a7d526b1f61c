package experiment

import (
	"fmt"
	"math"
	"sort"

	"gonum.org/v1/plot"

	"github.com/igr-project/igr/train"
	"github.com/igr-project/igr/train/plots"
)

// seedSetups resolves c for k consecutive seeds, c.Seed first, for a command
// that trains as work says (its data sets are the k seeds'). With a data
// file only the initialization changes from seed to seed.
func seedSetups(c Config, k int, work Footprint) ([]*Setup, error) {
	if k < 0 {
		return nil, fmt.Errorf("%w: the number of seeds must be positive, got %d", ErrConfig, k)
	}
	setups := make([]*Setup, max(k, 1))
	work.DataSets = len(setups)
	for i := range setups {
		ci := c
		ci.Seed = c.Seed + uint64(i)
		if i > 0 {
			// The first seed's check counted every seed's data; the memory
			// they take since must not be counted twice.
			ci.MaxMemory = math.MaxInt64
		}
		s, err := ci.resolve(work)
		if err != nil {
			return nil, err
		}
		setups[i] = s
	}
	return setups, nil
}

// BandRow summarizes one learning rate over seeds: a row of sweep_bands.csv.
type BandRow struct {
	LR        float64
	Seeds     int
	Converged int
	Diverged  int
	// Min, Median, Max and Mean of the test MSE over the seeds that
	// converged; NaN when none did.
	Min, Median, Max, Mean float64
}

// BandColumns are the columns of sweep_bands.csv.
var BandColumns = bandTable.names

var bandTable = newTable([]column[BandRow]{
	floatColumn("lr", func(r *BandRow) *float64 { return &r.LR }),
	intColumn("seeds", func(r *BandRow) *int { return &r.Seeds }),
	intColumn("converged", func(r *BandRow) *int { return &r.Converged }),
	intColumn("diverged", func(r *BandRow) *int { return &r.Diverged }),
	floatColumn("test_mse_min", func(r *BandRow) *float64 { return &r.Min }),
	floatColumn("test_mse_median", func(r *BandRow) *float64 { return &r.Median }),
	floatColumn("test_mse_max", func(r *BandRow) *float64 { return &r.Max }),
	floatColumn("test_mse_mean", func(r *BandRow) *float64 { return &r.Mean }),
})

// ReadBands reads sweep_bands.csv.
func ReadBands(path string) ([]BandRow, error) { return bandTable.read(path) }

// Bands groups the rows of a sweep over seeds by learning rate, in the order
// the learning rates first appear.
func Bands(rows []RunRow) []BandRow {
	var out []BandRow
	index := map[float64]int{}
	values := map[float64][]float64{}
	for _, r := range rows {
		i, ok := index[r.LR]
		if !ok {
			i = len(out)
			index[r.LR] = i
			out = append(out, BandRow{LR: r.LR})
		}
		out[i].Seeds++
		switch r.Status {
		case train.Converged:
			out[i].Converged++
			values[r.LR] = append(values[r.LR], r.TestMSE)
		case train.Diverged:
			out[i].Diverged++
		}
	}
	for i := range out {
		v := values[out[i].LR]
		nan := math.NaN()
		out[i].Min, out[i].Median, out[i].Max, out[i].Mean = nan, nan, nan, nan
		if len(v) == 0 {
			continue
		}
		sort.Float64s(v)
		var sum float64
		for _, x := range v {
			sum += x
		}
		out[i].Min, out[i].Max, out[i].Mean = v[0], v[len(v)-1], sum/float64(len(v))
		if n := len(v); n%2 == 1 {
			out[i].Median = v[n/2]
		} else {
			out[i].Median = (v[n/2-1] + v[n/2]) / 2
		}
	}
	return out
}

// BandFigure draws the median test MSE against learning rate with the
// min–max band over seeds.
func BandFigure(bands []BandRow, constantTestMSE float64) (*plot.Plot, error) {
	bs := make([]plots.Band, len(bands))
	for i, b := range bands {
		bs[i] = plots.Band{LR: b.LR, Lo: b.Min, Mid: b.Median, Hi: b.Max, Runs: b.Seeds, Diverged: b.Diverged}
	}
	return plots.SweepBand(fmt.Sprintf("Test MSE after GD to train MSE < tol, %d seeds", maxSeeds(bands)), bs,
		plots.Reference{Name: "constant predictor 1 (first seed)", Value: constantTestMSE})
}

func maxSeeds(bands []BandRow) int {
	n := 0
	for _, b := range bands {
		n = max(n, b.Seeds)
	}
	return n
}

// writeBands writes sweep_bands.csv and draws the sweep figure with the band.
func (f *folder) writeBands(rows []RunRow, constantTestMSE float64) error {
	bands := Bands(rows)
	if err := bandTable.write(f.path("sweep_bands.csv"), bands); err != nil {
		return err
	}
	return f.saveFigure("sweep")(BandFigure(bands, constantTestMSE))
}
