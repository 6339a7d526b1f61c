package instruments

import "github.com/igr-project/igr/experiment"

func init() {
	experiment.Declare(
		&experiment.Param{Name: "etas", Usage: "step sizes, FROM:TO:STEP, log:FROM:TO:N or a comma-separated list (default 1e-3 to 1e-1, four per decade)"},
		&experiment.Param{Name: "substeps", Usage: "RK4 steps of the flows per GD step", Whole: true, Range: experiment.Positive},
		&experiment.Param{Name: "warmup-steps", Usage: "GD steps at -warmup-lr from the initialization to the point θ₀", Whole: true, Range: experiment.Positive},
		&experiment.Param{Name: "warmup-lr", Usage: "learning rate of the warm-up", Range: experiment.Positive},
		&experiment.Param{Name: "every", Usage: "record every this many steps", Whole: true, Range: experiment.Positive},
	)
}
