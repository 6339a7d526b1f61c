package grids

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/igr-project/igr/experiment"
)

// loadReference reads the best of the sweep in dir (its sweep.csv) and
// checks that the sweep was made on the map's configuration.
func loadReference(dir string, m *MapSummary) (*MapReference, error) {
	rows, err := SweepLayout.ReadRows(filepath.Join(dir, "sweep.csv"))
	if err != nil {
		return nil, fmt.Errorf("%w: reference %s is not the output of a sweep: %w", experiment.ErrConfig, dir, err)
	}
	ref := &MapReference{Dir: dir, LR: experiment.Number(math.NaN()), TestMSE: experiment.Number(math.NaN())}
	for _, c := range Cells(rows) {
		ref.Seeds = max(ref.Seeds, c.Seeds)
		if c.Finished() && (math.IsNaN(float64(ref.TestMSE)) || c.Median < float64(ref.TestMSE)) {
			ref.LR, ref.TestMSE = experiment.Number(c.X), experiment.Number(c.Median)
		}
	}
	if math.IsNaN(float64(ref.TestMSE)) {
		return nil, fmt.Errorf("%w: reference %s: no learning rate converged for every seed", experiment.ErrConfig, dir)
	}
	method := "GD"
	if b, err := os.ReadFile(filepath.Join(dir, "summary.json")); err == nil {
		var s SweepSummary
		if err := json.Unmarshal(b, &s); err == nil {
			if err := sameConfig(dir, &s, m, ref.Seeds); err != nil {
				return nil, err
			}
			if s.Batch > 0 {
				method = fmt.Sprintf("SGD (B %d)", s.Batch)
			}
		}
	}
	ref.Name = fmt.Sprintf("%s at its best lr %g (reference)", method, float64(ref.LR))
	if ref.Seeds > 1 {
		ref.Name = fmt.Sprintf("%s at its best lr %g (reference, median of %d seeds)", method, float64(ref.LR), ref.Seeds)
	}
	return ref, nil
}

// sameConfig returns an error naming what differs between a reference
// sweep's configuration and the map's, where no axis of the map varies it.
func sameConfig(dir string, s *SweepSummary, m *MapSummary, seeds int) error {
	var diffs []string
	differ := func(name string, ref, mine any) {
		if !m.has(name) && fmt.Sprint(ref) != fmt.Sprint(mine) {
			diffs = append(diffs, fmt.Sprintf("%s %v, the map's %v", name, ref, mine))
		}
	}
	if m.Seed != nil {
		differ("seed", s.Seed, *m.Seed)
	}
	differ("seed", seeds, m.Seeds)
	for _, size := range []struct {
		name      string
		ref, mine *int
	}{{"n", &s.N, m.N}, {"dim", &s.Dim, m.Dim}, {"width", &s.Width, m.Width}} {
		if size.mine != nil {
			differ(size.name, *size.ref, *size.mine)
		}
	}
	if s.Scale != 0 && m.Scale != nil {
		differ("scale", float64(s.Scale), float64(*m.Scale))
	}
	differ("arch", s.Arch, m.Arch)
	if len(diffs) > 0 {
		return fmt.Errorf("%w: reference %s was made on another configuration: %s", experiment.ErrConfig, dir, strings.Join(diffs, "; "))
	}
	return nil
}
