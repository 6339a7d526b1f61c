package experiment

import (
	"encoding/json"
	"math"
	"os"
	"testing"
)

// TestTorchGeneratorIsTheBlogSequence checks, against values PyTorch
// produced, that -rng torch draws the blog's data, initialization and label
// noise.
func TestTorchGeneratorIsTheBlogSequence(t *testing.T) {
	b, err := os.ReadFile("../../internal/torchrand/testdata/torch_rng.json")
	if err != nil {
		t.Fatal(err)
	}
	var fx struct {
		Blog struct {
			XFirst []float64   `json:"X_first_row"`
			XLast  []float64   `json:"X_last_row"`
			XSum   float64     `json:"X_sum"`
			AFirst []float64   `json:"A_first"`
			Noise  [][]float64 `json:"label_noise_draws_first5"`
		} `json:"blog_sequence"`
	}
	if err := json.Unmarshal(b, &fx); err != nil {
		t.Fatal(err)
	}
	s, err := Config{RNG: "torch"}.Resolve()
	if err != nil {
		t.Fatal(err)
	}
	d := s.Data()
	close := func(what string, got, want []float64) {
		t.Helper()
		for i := range want {
			if math.Abs(got[i]-want[i]) > 1e-6 {
				t.Fatalf("%s[%d] = %.9g, PyTorch %.9g", what, i, got[i], want[i])
			}
		}
	}
	close("X[0]", d.Train.X[:30], fx.Blog.XFirst)
	close("X[399]", d.Test.X[len(d.Test.X)-30:], fx.Blog.XLast)
	var sum float64
	for _, v := range append(append([]float64(nil), d.Train.X...), d.Test.X...) {
		sum += v
	}
	if math.Abs(sum-fx.Blog.XSum) > 1e-6 {
		t.Errorf("sum of X = %.12g, PyTorch %.12g", sum, fx.Blog.XSum)
	}
	close("A", s.Problem.Init.Data(0), fx.Blog.AFirst)
	noise := s.newNoise(0)
	for k, want := range fx.Blog.Noise {
		got := make([]float64, 200)
		noise.FillNormal(got, 0, 1)
		close("label noise of step "+string(rune('0'+k)), got, want)
	}
}
