package graph_test

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// analytic is the hand-written full-batch step of the blog's network,
//
//	L = ‖(XA ⊙ XA) b / s − y‖² / n,
//
// with the gradient derived by hand and computed with gonum BLAS (whatever
// blas64 uses, pure Go by default), allocating nothing after construction. It
// sets the speed limit the Gorgonia step is measured against, and is an
// independent oracle for the Gorgonia gradient.
type analytic struct {
	n, d, m int
	s       float64
	x, y    []float64 // n×d, n
	a, b    []float64 // d×m, m: the parameters
	h, h2   []float64 // n×m scratch
	p, g    []float64 // n scratch
	ga, gb  []float64 // gradients, d×m and m
	loss    float64
}

func newAnalytic(n, d, m int, scale float64, x, y, a, b []float64) *analytic {
	if scale == 0 {
		scale = 1
	}
	return &analytic{n: n, d: d, m: m, s: scale,
		x: append([]float64(nil), x...), y: append([]float64(nil), y...),
		a: append([]float64(nil), a...), b: append([]float64(nil), b...),
		h: make([]float64, n*m), h2: make([]float64, n*m), p: make([]float64, n), g: make([]float64, n),
		ga: make([]float64, d*m), gb: make([]float64, m)}
}

// eval computes the loss and the gradient at the current a, b:
//
//	H = X·A, H2 = H⊙H, p = H2·b / s, r = p − y, L = r·r / n
//	g = dL/dp / s = 2r / (n s)
//	dL/db = H2ᵀ·g
//	dL/dH = 2 H ⊙ (g bᵀ)
//	dL/dA = Xᵀ·dL/dH
func (h *analytic) eval() {
	n, d, m := h.n, h.d, h.m
	impl := blas64.Implementation()
	impl.Dgemm(blas.NoTrans, blas.NoTrans, n, m, d, 1, h.x, d, h.a, m, 0, h.h, m)
	for i, v := range h.h {
		h.h2[i] = v * v
	}
	impl.Dgemv(blas.NoTrans, n, m, 1/h.s, h.h2, m, h.b, 1, 0, h.p, 1)
	loss := 0.0
	c := 2 / (float64(n) * h.s)
	for i := range h.p {
		r := h.p[i] - h.y[i]
		loss += r * r
		h.g[i] = c * r
	}
	h.loss = loss / float64(n)
	impl.Dgemv(blas.Trans, n, m, 1, h.h2, m, h.g, 1, 0, h.gb, 1)
	for i := 0; i < n; i++ { // h2 becomes dL/dH
		gi := 2 * h.g[i]
		row, out := h.h[i*m:i*m+m], h.h2[i*m:i*m+m]
		for j, bj := range h.b[:m] {
			out[j] = gi * row[j] * bj
		}
	}
	impl.Dgemm(blas.Trans, blas.NoTrans, d, m, n, 1, h.x, d, h.h2, m, 0, h.ga, m)
}

// step is eval followed by a gradient-descent update.
func (h *analytic) step(lr float64) {
	h.eval()
	for i, g := range h.ga {
		h.a[i] -= lr * g
	}
	for i, g := range h.gb {
		h.b[i] -= lr * g
	}
}
