package experiment_test

import (
	"math"
	"testing"

	"github.com/igr-project/igr/experiment"
	"github.com/igr-project/igr/internal/random"
	"github.com/igr-project/igr/train/dataset"
	"github.com/igr-project/igr/train/plots/plotstest"
)

// blogHistory is a history shaped as reproduce's: plain GD falls to the
// tolerance within 1,000 steps, label-noise GD stays noisy for 100,000,
// small initialization sits still for 3,000 steps and then drops; the
// label-noise regularizer rises along plain GD and falls along label noise.
func blogHistory() []experiment.HistoryRow {
	var h []experiment.HistoryRow
	noise := random.New(1, random.Noise)
	jitter := make([]float64, 1)
	add := func(run string, step int, train, test, reg float64) {
		h = append(h, experiment.HistoryRow{Run: run, Step: step, TrainMSE: train, TestMSE: test, LabelNoiseReg: reg,
			SGDReg: math.NaN(), SGDNoiseReg: reg * 100 / (1 + float64(step))})
	}
	for s := 0; s <= 1000; s += 10 {
		x := float64(s)
		add("plain", s, math.Exp(-x/110), 0.66+1.8*math.Exp(-x/150), 0.02-0.01*math.Exp(-x/60))
	}
	for s := 0; s <= 100_000; s += 100 {
		noise.FillNormal(jitter, 0, 1)
		x := float64(s)
		add("label_noise", s, 0.01*math.Exp(jitter[0]), 0.02+2*math.Exp(-math.Sqrt(x)/40), 0.019*math.Exp(-x/60000))
	}
	for s := 0; s <= 100_000; s += 100 {
		x := float64(s)
		add("small_init", s, 2.7/(1+math.Pow(x/3500, 4)), 0.0008+3/(1+math.Pow(x/4000, 3)), math.NaN())
	}
	return h
}

func TestDataFigureLayout(t *testing.T) {
	d, err := dataset.Generate(random.New(0, random.Data), 200, 30)
	if err != nil {
		t.Fatal(err)
	}
	p, err := experiment.DataFigure(d)
	if err != nil {
		t.Fatal(err)
	}
	if err := plotstest.CheckLegend(p, "train", "test"); err != nil {
		t.Error(err)
	}
	if err := plotstest.CheckAxes(p, 4, 4); err != nil {
		t.Error(err)
	}
}

func TestCurvesFigureLayout(t *testing.T) {
	p, err := experiment.CurvesFigure("Label noise vs plain GD (lr 0.03) and small init", blogHistory(), "label_noise", "plain", "small_init")
	if err != nil {
		t.Fatal(err)
	}
	if err := plotstest.CheckLegend(p, "label_noise train", "label_noise test", "plain train", "plain test", "small_init train", "small_init test"); err != nil {
		t.Error(err)
	}
}

func TestRegularizerFigureLayout(t *testing.T) {
	p, err := experiment.RegularizerFigure("Label-noise regularizer along the runs", blogHistory(), "label_noise", "plain")
	if err != nil {
		t.Fatal(err)
	}
	if err := plotstest.CheckLegend(p, "label_noise", "plain"); err != nil {
		t.Error(err)
	}
}

func TestTermsFigureLayout(t *testing.T) {
	var curves []experiment.TermCurve
	var entries []string
	for _, run := range []string{"label_noise", "plain"} {
		for _, term := range []string{"sgd_noise_reg", "label_noise_reg"} {
			curves = append(curves, experiment.TermCurve{Run: run, Term: term})
			entries = append(entries, run+" "+term)
		}
	}
	p, err := experiment.TermsFigure("SGD's Γ term and the label-noise regularizer", "regularizer", blogHistory(), curves...)
	if err != nil {
		t.Fatal(err)
	}
	if err := plotstest.CheckLegend(p, entries...); err != nil {
		t.Error(err)
	}
}
