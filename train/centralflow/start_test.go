package centralflow_test

import (
	"context"
	"testing"

	"github.com/igr-project/igr/graph"
	"github.com/igr-project/igr/train"
	"github.com/igr-project/igr/train/centralflow"
)

// TestFirstBelowEdgeAfterACatapult starts GD on the small network at
// η = 3/λ0, above the edge: the loss rises before the sharpness falls below
// 2/η. FirstBelowEdge must return the first such iterate, the very iterate
// train.Run reaches at that step, and the flow must start from it.
func TestFirstBelowEdgeAfterACatapult(t *testing.T) {
	arch, data, p := smallProblem(t, 40, 5, 10, 1)
	net := newNetwork(t, arch, data, p, nil)
	lambda0, _, err := net.TopEigenpairs(context.Background(), p.Flat(), 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	eta := 3 / lambda0[0]
	es, err := centralflow.FirstBelowEdge(context.Background(), net, p.Flat(), eta, 100)
	if err != nil {
		t.Fatal(err)
	}
	if es.Step == 0 || es.Initial != lambda0[0] || es.Sharpness > 2/eta {
		t.Fatalf("step %d, sharpness %g from %g (2/η = %g)", es.Step, es.Sharpness, es.Initial, 2/eta)
	}
	var iterates []graph.Params
	_, err = train.Run(context.Background(), &train.Problem{Arch: arch, Data: data, Init: p},
		&train.Settings{LearningRate: eta, Steps: es.Step, Observe: func(_ int, q graph.Params) { iterates = append(iterates, q.Clone()) }})
	if err != nil {
		t.Fatal(err)
	}
	if len(iterates) != es.Step+1 {
		t.Fatalf("train.Run observed %d iterates for %d steps", len(iterates), es.Step)
	}
	for k, q := range iterates {
		s, _, err := net.TopEigenpairs(context.Background(), q.Flat(), 1, nil)
		if err != nil {
			t.Fatal(err)
		}
		if below := s[0] <= 2/eta; below != (k == es.Step) {
			t.Errorf("GD step %d: sharpness %g, 2/η = %g, but FirstBelowEdge returned step %d", k, s[0], 2/eta, es.Step)
		}
	}
	if d := iterates[es.Step].Distance(paramsOf(p, es.W)); d != 0 {
		t.Errorf("FirstBelowEdge's iterate is %g from train.Run's", d)
	}
	loss0, _ := net.Gradient(p.Flat(), make([]float64, net.Len()))
	if !(es.MaxLoss > loss0) {
		t.Errorf("no catapult: the largest loss %g is the initial %g", es.MaxLoss, loss0)
	}
	in, err := centralflow.New(context.Background(), net, es.W, &centralflow.Settings{LearningRate: eta, Start: float64(es.Step)})
	if err != nil {
		t.Fatal(err)
	}
	if in.T() != float64(es.Step) {
		t.Errorf("the flow starts at t = %g, want %d", in.T(), es.Step)
	}
	if _, err := centralflow.New(context.Background(), net, p.Flat(), &centralflow.Settings{LearningRate: eta}); err == nil {
		t.Error("the flow started above the edge")
	}
}

// paramsOf returns w laid out as like.
func paramsOf(like graph.Params, w []float64) graph.Params {
	q := like.Clone()
	q.SetFlat(w)
	return q
}
