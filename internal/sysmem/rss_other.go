//go:build !unix

package sysmem

import "math"

// PeakRSSMB is unknown on this system.
func PeakRSSMB() float64 { return math.NaN() }
