package grid_test

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/igr-project/igr/train/grid"
)

func TestParseValues(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []float64
	}{
		{"0.01:0.05:0.01", []float64{0.01, 0.02, 0.03, 0.04, 0.05}},
		{"0.001:0.15:0.005", nil}, // the blog's grid: checked below
		{"0:4:1", []float64{0, 1, 2, 3, 4}},
		{"-1:1:0.5", []float64{-1, -0.5, 0, 0.5, 1}},
		{"0.1:0.1:1", []float64{0.1}},
		{" 10 , 20,50", []float64{10, 20, 50}},
		{"0.3,0.1", []float64{0.3, 0.1}},
		{"log:0.1:100:4", []float64{0.1, 1, 10, 100}},
		{"log:1e-4:1:5", []float64{1e-4, 1e-3, 1e-2, 1e-1, 1}},
		{"log:0.1:100:7", []float64{0.1, 0.316227766017, 1, 3.16227766017, 10, 31.6227766017, 100}},
		{"log:2:2:1", []float64{2}},
		{"log:1:4:3", []float64{1, 2, 4}},
	} {
		got, err := grid.ParseValues(tc.in)
		if err != nil {
			t.Errorf("%q: %v", tc.in, err)
			continue
		}
		if tc.want == nil {
			if len(got) != 30 || got[0] != 0.001 || got[2] != 0.011 || got[29] != 0.146 {
				t.Errorf("%q: %d values %v", tc.in, len(got), got)
			}
			continue
		}
		if len(got) != len(tc.want) {
			t.Errorf("%q: %v, want %v", tc.in, got, tc.want)
			continue
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("%q: %v, want %v", tc.in, got, tc.want)
				break
			}
		}
	}
}

func TestParseValuesRejects(t *testing.T) {
	for in, want := range map[string]string{
		"":                       "no values",
		"0.1:0.2":                "is not FROM:TO:STEP",
		"0.1:0.2:0":              "STEP must be positive",
		"0.1:0.2:-1":             "STEP must be positive",
		"0.2:0.1:0.01":           "TO is below FROM",
		"a:b:c":                  `"a" is not a number`,
		"0.1,abc":                `"abc" is not a number`,
		"0.1,,0.2":               `"" is not a number`,
		"NaN":                    `"NaN" is not a number`,
		"Inf":                    `"Inf" is not a number`,
		"0.1:Inf:0.1":            `"Inf" is not a number`,
		"1e-9:1:1e-9":            "more than 100000 values",
		"0.1,0.2,0.1":            "0.1 appears twice",
		"log:0.1:1":              "is not log:FROM:TO:N",
		"log:0:1:3":              "needs FROM and TO positive",
		"log:-1:1:3":             "needs FROM and TO positive",
		"log:1:0.1:3":            "TO is below FROM",
		"log:0.1:1:0":            "N must be a whole number ≥ 1",
		"log:0.1:1:2.5":          "N must be a whole number ≥ 1",
		"log:0.1:1:1":            "one value cannot span FROM to TO",
		"log:1:1.00000000001:50": "appears twice",
		"log:1:10:200000":        "more than 100000 values",
	} {
		_, err := grid.ParseValues(in)
		if !errors.Is(err, grid.ErrValues) || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want ErrValues saying %q", in, err, want)
		}
	}
}

func FuzzParseValues(f *testing.F) {
	for _, s := range []string{"0.001:0.15:0.005", "0.1,0.2", "1:2:0.5", "log:0.1:100:7", "log:1e-300:1e300:9", "-3:3:1", "1e-300:1e300:1e299"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		values, err := grid.ParseValues(s)
		if err != nil {
			if !errors.Is(err, grid.ErrValues) || !strings.HasPrefix(err.Error(), "grid: ") {
				t.Fatalf("%q: error %v is not a wrapped ErrValues", s, err)
			}
			return
		}
		if len(values) == 0 || len(values) > grid.MaxValues {
			t.Fatalf("%q gave %d values", s, len(values))
		}
		seen := map[float64]bool{}
		for i, v := range values {
			if math.IsNaN(v) || math.IsInf(v, 0) || seen[v] {
				t.Fatalf("%q gave %v: value %d is %g", s, values, i, v)
			}
			seen[v] = true
			if i > 0 && !strings.Contains(s, ",") && !(v > values[i-1]) {
				t.Fatalf("%q gave %v, not increasing", s, values)
			}
		}
		if strings.HasPrefix(strings.TrimSpace(s), "log:") && !(values[0] > 0) {
			t.Fatalf("%q gave %v on a log scale", s, values)
		}
	})
}
