package train

import (
	"fmt"

	"github.com/igr-project/igr/graph"
	"github.com/igr-project/igr/internal/random"
	"github.com/igr-project/igr/train/dataset"
)

// batches feeds minibatch SGD: every epoch a fresh permutation of the n
// training examples, cut into batches of size examples, the last holding
// the n mod size left over when size does not divide n. One objective is
// compiled per distinct batch size and each batch's rows are written into
// its inputs and targets in place.
type batches struct {
	size  int
	n     int
	order []int // the permutation of the current epoch
	perm  *random.Permutations
	full  *graph.Objective // batches of size examples
	tail  *graph.Objective // the last batch of an epoch when size does not divide n, else nil
	x     []float64        // the training inputs, row-major
	clean []float64        // the clean training targets
	y     []float64        // the targets of the batch being fed
}

// newBatches compiles the objectives of batches of size examples of the
// training set of d, on params, with the penalties.
func newBatches(arch graph.Architecture, d *dataset.Set, size int, seed uint64, params graph.Params, penalties []graph.Penalty) (*batches, error) {
	n := d.Train.Len()
	b := &batches{size: size, n: n, order: make([]int, n), perm: random.NewPermutations(seed),
		x: d.Train.X, clean: d.Train.Y, y: make([]float64, size)}
	compile := func(rows int) (*graph.Objective, error) {
		o, err := graph.NewObjective(arch, graph.NewMatrix(rows, d.Dim, d.Train.X[:rows*d.Dim]),
			graph.NewMatrix(rows, 1, d.Train.Y[:rows]), params, &graph.ObjectiveSettings{Penalties: penalties})
		if err != nil {
			return nil, fmt.Errorf("train: batches of %d: %w", rows, err)
		}
		return o, nil
	}
	var err error
	if b.full, err = compile(size); err != nil {
		return nil, err
	}
	if rest := n % size; rest != 0 {
		if b.tail, err = compile(rest); err != nil {
			b.close()
			return nil, err
		}
	}
	return b, nil
}

// perEpoch is the number of steps of an epoch, ⌈n/size⌉.
func (b *batches) perEpoch() int { return (b.n + b.size - 1) / b.size }

// epochStart reports whether step is the first step of an epoch.
func (b *batches) epochStart(step int) bool { return step%b.perEpoch() == 0 }

// feed prepares the objective of step: at the start of an epoch it draws the
// epoch's permutation, then it writes the step's batch into its objective,
// with label noise drawn from source for each of its examples when source is
// not nil, and returns the objective.
func (b *batches) feed(step int, noise []float64, source graph.NormalSource, sigma float64) *graph.Objective {
	k := step % b.perEpoch()
	if k == 0 {
		b.perm.Permute(b.order)
	}
	rows := b.order[k*b.size : min((k+1)*b.size, b.n)]
	o := b.full
	if len(rows) < b.size {
		o = b.tail
	}
	y := b.y[:len(rows)]
	for i, r := range rows {
		y[i] = b.clean[r]
	}
	o.SetInputs(b.x, rows)
	if source == nil {
		o.SetTargets(y, nil)
		return o
	}
	source.FillNormal(noise[:len(rows)], 0, sigma)
	o.SetTargets(y, noise[:len(rows)])
	return o
}

func (b *batches) close() {
	for _, o := range []*graph.Objective{b.full, b.tail} {
		if o != nil {
			o.Close()
		}
	}
}
