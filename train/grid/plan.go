package grid

import (
	"context"
	"sort"

	"github.com/igr-project/igr/train"
)

// Plan is the training of the cells of one shard of a grid.
type Plan struct {
	Grid  Grid
	Shard Shard
	// Cells are the shard's cells in the order their jobs start, and Jobs
	// their trainings.
	Cells []Cell
	Jobs  []train.Job
}

// Outcome is a trained cell.
type Outcome struct {
	Cell
	// Job is what trained the cell, Result what it computed.
	Job    train.Job
	Result *train.Result
}

// NewPlan returns the plan of the cells of g that shard holds: job returns
// the training of a cell, and cost, if not nil, estimates its price. Cells
// start in decreasing cost, ties in canonical order, so that the longest
// runs do not end up last on one worker; nil starts them in canonical order.
func NewPlan(g Grid, shard Shard, job func(Cell) (train.Job, error), cost func(Cell) float64) (*Plan, error) {
	if err := shard.Check(); err != nil {
		return nil, err
	}
	p := &Plan{Grid: g, Shard: shard}
	for i := range g.Len() {
		if shard.Has(i) {
			p.Cells = append(p.Cells, g.Cell(i))
		}
	}
	if cost != nil {
		costs := make(map[int]float64, len(p.Cells))
		for _, c := range p.Cells {
			costs[c.Index] = cost(c)
		}
		sort.SliceStable(p.Cells, func(i, j int) bool { return costs[p.Cells[i].Index] > costs[p.Cells[j].Index] })
	}
	p.Jobs = make([]train.Job, len(p.Cells))
	for i, c := range p.Cells {
		var err error
		if p.Jobs[i], err = job(c); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// Outcomes pairs results, in the order of p.Jobs, with their cells and
// returns them in canonical order. Missing results (nil) are left out.
func (p *Plan) Outcomes(results []*train.Result) []Outcome {
	out := make([]Outcome, 0, len(results))
	for i, r := range results {
		if r != nil && i < len(p.Cells) {
			out = append(out, Outcome{Cell: p.Cells[i], Job: p.Jobs[i], Result: r})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Index < out[j].Index })
	return out
}

// Run trains the plan on workers goroutines (0 means GOMAXPROCS) with
// train.RunAll and returns the outcomes in canonical order; on an error or
// an interruption it returns what RunAll returned with it. It is RunWith
// without a journal.
func (p *Plan) Run(ctx context.Context, workers int) ([]Outcome, error) {
	res, err := p.RunWith(ctx, &RunSettings{Workers: workers})
	if res == nil {
		return nil, err
	}
	return res.Outcomes, err
}
