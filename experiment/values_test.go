package experiment_test

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/igr-project/igr/experiment"
)

func TestBlogGrid(t *testing.T) {
	lrs, err := experiment.ParseGrid(experiment.BlogGrid)
	if err != nil {
		t.Fatal(err)
	}
	// th.arange(0.001, 0.15, 0.005): 30 values, 0.001 … 0.146.
	if len(lrs) != 30 || lrs[0] != 0.001 || lrs[29] != 0.146 || lrs[2] != 0.011 {
		t.Errorf("blog grid: %d values %v", len(lrs), lrs)
	}
}

func TestParseGridRejects(t *testing.T) {
	// The forms of a grid are grid.ParseValues's; learning rates must be
	// positive too.
	for _, in := range []string{"", "0.1:0.2", "0:0.1:0.01", "-1,0.1", "log:0:1:3", "-0.1:0.1:0.01", "0.1:0.2:0", "0.2:0.1:0.01",
		"a:b:c", "0.1,abc", "0.1,-0.2", "0.1,0", "NaN", "Inf", "1e-9:1:1e-9", "0.1:Inf:0.1"} {
		if _, err := experiment.ParseGrid(in); !errors.Is(err, experiment.ErrConfig) {
			t.Errorf("%q: error %v, want ErrConfig", in, err)
		}
	}
}

func FuzzParseGrid(f *testing.F) {
	for _, s := range []string{experiment.BlogGrid, "0.1,0.2", "1:2:0.5", "1e-300:1e300:1e299"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		lrs, err := experiment.ParseGrid(s)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "experiment: ") {
				t.Fatalf("error without package prefix: %v", err)
			}
			return
		}
		if len(lrs) == 0 || len(lrs) > 100000 {
			t.Fatalf("%q gave %d learning rates", s, len(lrs))
		}
		for _, lr := range lrs {
			if !(lr > 0) || math.IsInf(lr, 0) {
				t.Fatalf("%q gave learning rate %g", s, lr)
			}
		}
	})
}
