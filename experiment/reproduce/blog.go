package reproduce

import (
	"fmt"
	"math"
)

// Blog holds the blog's numbers (seed 0, PyTorch, float32), printed beside
// the run's.
var Blog = struct {
	ConstantTestMSE, SmallLRTestMSE, BestTestMSE, FirstDivergedLR, LabelNoiseTestMSE, SmallInitTestMSE float64
	BestLR                                                                                             string
}{1.97, 0.40, 0.002, 0.101, 0.01, 0.00, "0.08–0.09"}

// Check is one claim of the blog, tested on this run's numbers.
type Check struct {
	Claim string `json:"claim"`
	Holds bool   `json:"holds"`
}

// checks tests the blog's five claims on the numbers of s.
func checks(c *Settings, s *Summary) []Check {
	return []Check{
		{fmt.Sprintf("GD at lr %g reaches test MSE ≥ 0.05", c.SmallLR), s.SmallLRTestMSE >= 0.05},
		{"the best converged lr of the grid gives ≥ 10× less test MSE than lr " + fmt.Sprint(c.SmallLR),
			s.BestTestMSE*10 <= s.SmallLRTestMSE},
		{"some lr of the grid diverges", !math.IsNaN(float64(s.FirstDivergedLR))},
		{fmt.Sprintf("label noise at lr %g beats plain GD at lr %g", c.NoiseLR, c.NoiseLR), s.LabelNoiseTestMSE < s.PlainNoiseLRTestMSE},
		{fmt.Sprintf("small initialization (scale %g) gives ≥ 10× less test MSE than plain GD at lr %g", c.SmallInitScale, c.SmallLR),
			s.SmallInitTestMSE*10 <= s.SmallLRTestMSE},
	}
}
