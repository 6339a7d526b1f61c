package experiment

import (
	"math"

	"github.com/igr-project/igr/internal/kernel"
	"github.com/igr-project/igr/internal/tidycsv"
	"github.com/igr-project/igr/train"
	"github.com/igr-project/igr/train/dataset"
)

// Number is a float64 that JSON encodes as null when it is NaN or infinite:
// the numbers of summaries, which may not exist (no learning rate diverged).
type Number = tidycsv.Number

// ComputedBy records what computed a result: the matrix-product kernel
// (package kernel: avx2, gonum or openblas) and the CPU features it saw.
type ComputedBy struct {
	Kernel      string   `json:"kernel"`
	CPUFeatures []string `json:"cpu_features"`
}

// Provenance describes the kernel that new runs of this process use.
func Provenance() ComputedBy {
	return ComputedBy{Kernel: kernel.Default().Name(), CPUFeatures: kernel.Features()}
}

// Headline holds the numbers a learning-rate sweep is read for.
type Headline struct {
	// ConstantTestMSE is the test MSE of the predictor that always says 1.
	ConstantTestMSE Number `json:"constant_test_mse"`
	// BestLR is the converged learning rate with the least test MSE,
	// BestTestMSE that error.
	BestLR      Number `json:"best_lr"`
	BestTestMSE Number `json:"best_test_mse"`
	// FirstDivergedLR is the smallest learning rate that diverged,
	// LastConvergedLR the largest that converged.
	FirstDivergedLR Number `json:"first_diverged_lr"`
	LastConvergedLR Number `json:"last_converged_lr"`
}

// HeadlineOf reads the headline numbers off the runs of one sweep (one
// seed) on the test set test.
func HeadlineOf(test dataset.Split, rows []RunRow) Headline {
	nan := Number(math.NaN())
	h := Headline{ConstantTestMSE: Number(dataset.ConstantMSE(test, 1)),
		BestLR: nan, BestTestMSE: nan, FirstDivergedLR: nan, LastConvergedLR: nan}
	for _, r := range rows {
		switch r.Status {
		case train.Converged:
			if math.IsNaN(float64(h.BestTestMSE)) || r.TestMSE < float64(h.BestTestMSE) {
				h.BestLR, h.BestTestMSE = Number(r.LR), Number(r.TestMSE)
			}
			if math.IsNaN(float64(h.LastConvergedLR)) || r.LR > float64(h.LastConvergedLR) {
				h.LastConvergedLR = Number(r.LR)
			}
		case train.Diverged:
			if math.IsNaN(float64(h.FirstDivergedLR)) || r.LR < float64(h.FirstDivergedLR) {
				h.FirstDivergedLR = Number(r.LR)
			}
		}
	}
	return h
}
