package experiment

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"testing"

	"github.com/igr-project/igr/train"
	"github.com/igr-project/igr/train/dataset"
)

// TestTorchGeneratorIsTheBlogSequence checks, against values PyTorch
// produced, that -rng torch draws the blog's data, initialization and label
// noise.
func TestTorchGeneratorIsTheBlogSequence(t *testing.T) {
	b, err := os.ReadFile("../internal/torchrand/testdata/torch_rng.json")
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

// TestBlogNumbers trains the blog's run at lr 0.01 with PyTorch's generator in
// float32 and prints, as the blog does with %.2f, its numbers: the constant
// predictor 1.97 and lr 0.01 → 0.40. The long runs of the blog are in
// TestBlogNumbersLong.
func TestBlogNumbers(t *testing.T) {
	s, err := Config{RNG: "torch", Dtype: "float32"}.Resolve()
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprintf("%.2f", dataset.ConstantMSE(s.Data().Test, 1)); got != "1.97" {
		t.Errorf("constant predictor: test MSE %s, blog 1.97", got)
	}
	st := s.Settings(0.01)
	r, err := train.Run(context.Background(), s.Problem, &st)
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprintf("%.2f", r.TestMSE); r.Status != train.Converged || got != "0.40" {
		t.Errorf("lr 0.01: %s, test MSE %s; blog 0.40", r.Status, got)
	}
	// PyTorch's float32 run ends at training loss 9.99728436e-05 after 3272
	// updates (bench/pytorch/results.json counts the final loop iteration
	// too). float32 sums in another order differ in the last bits: the same
	// run in float64 ends at 9.99724016e-05, 4.4e-6 from PyTorch's, and
	// igr's float32 runs end 0.01e-6 (gonum kernel) to 1.2e-6 (AVX2 kernel,
	// fused multiply-adds) from PyTorch's, so they must agree within 5e-6.
	if r.Steps != 3272 || math.Abs(r.TrainMSE-9.99728436e-05) > 5e-6*9.99728436e-05 {
		t.Errorf("lr 0.01: %d steps to train MSE %.9g; PyTorch 3272 to 9.99728436e-05", r.Steps, r.TrainMSE)
	}
}

// TestBlogNumbersLong runs the rest of the blog with PyTorch's generator in
// float32 — the edge of divergence, label noise and small initialization —
// and compares with its numbers. It takes minutes, so -short skips it.
func TestBlogNumbersLong(t *testing.T) {
	if testing.Short() {
		t.Skip("the blog's long runs take minutes")
	}
	s, err := Config{RNG: "torch", Dtype: "float32"}.Resolve()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	edge, err := train.Sweep(ctx, s.Problem, []float64{0.096, 0.101}, ptr(s.Settings(0)), 0)
	if err != nil {
		t.Fatal(err)
	}
	if edge[0].Status != train.Converged || edge[1].Status != train.Diverged {
		t.Errorf("lr 0.096 %s, 0.101 %s; the blog: 0.096 converges, 0.101 diverges", edge[0].Status, edge[1].Status)
	}
	noisy := s.Settings(0.03)
	noisy.LabelNoise, noisy.Steps = 1, 100_000
	small := s.Settings(0.01)
	jobs := []train.Job{{Problem: s.Problem, Settings: noisy}, {Problem: s.WithScale(100), Settings: small}}
	res, err := train.RunAll(ctx, jobs, 0)
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprintf("%.2f", res[0].TestMSE); got != "0.01" {
		t.Errorf("label noise: test MSE %s, blog 0.01", got)
	}
	if got := fmt.Sprintf("%.2f", res[1].TestMSE); got != "0.00" {
		t.Errorf("small initialization: test MSE %s, blog 0.00", got)
	}
}

func ptr[T any](v T) *T { return &v }
