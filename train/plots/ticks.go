package plots

import (
	"math"
	"strconv"

	"gonum.org/v1/plot"
)

// LinearTicks marks a linear axis as the project's figures do.
var LinearTicks plot.Ticker = linearTicks{}

// maxLinearLabels is the most labels linearTicks puts on an axis: enough to
// read a value off it to a tenth of the range, few enough to stay apart on
// a figure's axis.
const maxLinearLabels = 10

// linearTicks labels a linear axis at multiples of the smallest step of 1,
// 2 or 5 times a power of ten that gives at most maxLinearLabels labels,
// all written with the step's decimals (0.00, 0.02, …, 0.14), and puts
// unlabelled ticks between them: every fifth of a step of 1 or 5, every
// quarter of a step of 2.
type linearTicks struct{}

func (linearTicks) Ticks(min, max float64) []plot.Tick {
	if !(max > min) || math.IsInf(max-min, 0) {
		return plot.DefaultTicks{}.Ticks(min, max)
	}
	e := math.Floor(math.Log10((max - min) / maxLinearLabels))
	var step, mantissa float64
	for k := 0; ; k++ {
		mantissa = []float64{1, 2, 5}[k%3]
		step = mantissa * math.Pow(10, e+float64(k/3))
		if math.Floor(max/step)-math.Ceil(min/step)+1 <= maxLinearLabels {
			break
		}
	}
	subdivisions := 5.0
	if mantissa == 2 {
		subdivisions = 4
	}
	decimals := max0(-int(math.Floor(math.Log10(step) + 1e-9)))
	minor := step / subdivisions
	var ticks []plot.Tick
	for i := math.Ceil(min / minor); i <= math.Floor(max/minor); i++ {
		v := i * minor
		t := plot.Tick{Value: v}
		if math.Mod(i, subdivisions) == 0 {
			t.Label = strconv.FormatFloat(v, 'f', decimals, 64)
			if t.Label[0] == '-' && strconv.FormatFloat(0, 'f', decimals, 64) == t.Label[1:] {
				t.Label = t.Label[1:] // -0.00
			}
		}
		ticks = append(ticks, t)
	}
	return ticks
}

func max0(n int) int {
	if n < 0 {
		return 0
	}
	return n
}
