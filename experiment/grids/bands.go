package grids

import (
	"fmt"

	"github.com/igr-project/igr/train/plots"
)

// Seed bands: a sweep over several seeds is a grid of seeds × learning
// rates, and its bands are the cells of that grid summarized over seeds, as
// a map's are (Cells).

// BandColumns are the columns of sweep_bands.csv.
var BandColumns = SweepLayout.CellColumns()

// ReadBands reads sweep_bands.csv; X is the learning rate.
func ReadBands(path string) ([]MapCell, error) { return SweepLayout.ReadCells(path) }

// BandFigure draws the median test MSE against learning rate with the
// min–max band over seeds, from the cells of a sweep over seeds whose runs
// were trained to training MSE < tol.
func BandFigure(bands []MapCell, constantTestMSE, tol float64) (*plots.Plot, error) {
	bs := make([]plots.Band, len(bands))
	seeds := 0
	for i, b := range bands {
		bs[i] = plots.Band{LR: b.X, Lo: b.Min, Mid: b.Median, Hi: b.Max, Runs: b.Seeds, Diverged: b.Diverged}
		seeds = max(seeds, b.Seeds)
	}
	return plots.SweepBand(fmt.Sprintf("Test MSE after GD %s, %d seeds", toTol(tol), seeds), bs,
		plots.Reference{Name: "constant predictor 1 (first seed)", Value: constantTestMSE})
}
