package tidycsv

import (
	"encoding/json"
	"math"
)

// Number is a float64 that JSON encodes as null when it is NaN or infinite,
// which JSON cannot represent, and reads null back as NaN. Summaries use it
// for numbers that may not exist (no learning rate diverged, say).
type Number float64

// MarshalJSON writes the number, or null when it is not finite.
func (n Number) MarshalJSON() ([]byte, error) {
	f := float64(n)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return []byte("null"), nil
	}
	return json.Marshal(f)
}

// UnmarshalJSON reads a number, or null as NaN.
func (n *Number) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*n = Number(math.NaN())
		return nil
	}
	var f float64
	err := json.Unmarshal(b, &f)
	*n = Number(f)
	return err
}
