package centralflow

import (
	"fmt"
	"testing"

	"github.com/igr-project/igr/internal/random"
	"gonum.org/v1/gonum/mat"
)

// BenchmarkSolveInner solves random instances of the flow's form.
func BenchmarkSolveInner(b *testing.B) {
	for _, k := range []int{1, 2, 3, 6} {
		b.Run(fmt.Sprintf("k%d", k), func(b *testing.B) {
			src := random.New(7, random.Init)
			a := mat.NewSymDense(k, nil)
			for i := 0; i < k; i++ {
				for j := i; j < k; j++ {
					a.SetSym(i, j, randomVector(src, 1)[0])
				}
			}
			a.SetSym(0, 0, -1)
			op := gramOperator(src, k, k*(k+1)/2+3, 1)
			for b.Loop() {
				if _, err := SolveInner(a, op, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
