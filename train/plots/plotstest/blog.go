package plotstest

import "math"

// BlogLRs is the blog's grid of learning rates, 0.001:0.15:0.005.
func BlogLRs() []float64 {
	out := make([]float64, 30)
	for i := range out {
		out[i] = 0.001 + 0.005*float64(i)
	}
	return out
}

// BlogTestMSE is a test MSE shaped as the blog's sweep at learning rate lr,
// for figures to be tested on: flat near 0.66 at small learning rates, a
// dip to 0.002 near the edge of divergence, which is at 0.108 + shift, and
// NaN beyond it, where runs diverge.
func BlogTestMSE(lr, shift float64) float64 {
	if lr > 0.108+shift {
		return math.NaN()
	}
	return 0.002 + 0.66/(1+math.Exp((lr-0.06-shift)/0.006)) + 0.5*math.Pow(math.Max(0, lr-0.096-shift), 1.2)
}
