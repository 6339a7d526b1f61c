//go:build !unix

package experiment

import "math"

// peakRSSMB is unknown on this system.
func peakRSSMB() float64 { return math.NaN() }
