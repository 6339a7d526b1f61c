package machine

import (
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/igr-project/igr/internal/kernel"
)

// network is the blog's network with a tanh variant, built in a fresh graph
// and differentiated.
type network struct {
	loss   *G.Node
	grads  []*G.Node
	params []*tensor.Dense
}

func buildNetwork(t testing.TB, tanh bool, scale float64, x, y []float64, a, b []float64, n, d, m int) *network {
	t.Helper()
	g := G.NewGraph()
	mat := func(name string, r, c int, v []float64) *G.Node {
		return G.NewMatrix(g, G.Float64, G.WithShape(r, c), G.WithName(name),
			G.WithValue(tensor.New(tensor.WithShape(r, c), tensor.WithBacking(append([]float64(nil), v...)))))
	}
	X, Y, A, B := mat("x", n, d, x), mat("y", n, 1, y), mat("A", d, m, a), mat("b", m, 1, b)
	h := G.Must(G.Mul(X, A))
	var act *G.Node
	if tanh {
		act = G.Must(G.Tanh(h))
	} else {
		act = G.Must(G.HadamardProd(h, h))
	}
	p := G.Must(G.HadamardDiv(G.Must(G.Mul(act, B)), G.NewConstant(scale, G.WithName("scale"))))
	r := G.Must(G.Sub(p, Y))
	loss := G.Must(G.HadamardDiv(G.Must(G.Sum(G.Must(G.HadamardProd(r, r)))), G.NewConstant(float64(n), G.WithName("n"))))
	grads, err := G.Grad(loss, A, B)
	if err != nil {
		t.Fatal(err)
	}
	return &network{loss: loss, grads: grads, params: []*tensor.Dense{A.Value().(*tensor.Dense), B.Value().(*tensor.Dense)}}
}

// withPenalty returns the network's loss plus lambda·‖∇L‖², differentiated
// through the gradient as package graph does it: the loss and its gradient
// copied into a fresh graph, the penalty added there, Grad called once more.
func withPenalty(t testing.TB, net *network, lambda float64) *network {
	t.Helper()
	g := net.loss.Graph()
	var A, B *G.Node
	for _, n := range g.AllNodes() {
		switch n.Name() {
		case "A":
			A = n
		case "b":
			B = n
		}
	}
	c, err := Copy(append([]*G.Node{net.loss, A, B}, net.grads...), Options{})
	if err != nil {
		t.Fatal(err)
	}
	total := c.Node(net.loss)
	for _, gr := range net.grads {
		sq := G.Must(G.Sum(G.Must(G.HadamardProd(c.Node(gr), c.Node(gr)))))
		total = G.Must(G.Add(total, G.Must(G.HadamardProd(sq, G.NewConstant(lambda, G.WithName("lambda"))))))
	}
	grads, err := G.Grad(total, c.Node(A), c.Node(B))
	if err != nil {
		t.Fatal(err)
	}
	return &network{loss: total, grads: grads, params: net.params}
}

// TestMachineEqualsTapeMachine trains two copies of each network by gradient
// descent, one run by Gorgonia's tape machine as it comes, one by a Machine,
// and requires every loss and gradient to agree bit for bit: both run their
// matrix products on the same kernel (see blas.go).
func TestMachineEqualsTapeMachine(t *testing.T) {
	const n, d, m, steps, lr = 40, 6, 9, 60, 0.01
	r := rand.New(rand.NewPCG(5, 6))
	x, a, b := normals(r, n*d), normals(r, d*m), normals(r, m)
	for i := range a {
		a[i] *= math.Sqrt(2.0 / (d + m))
	}
	for i := range b {
		b[i] *= 0.1
	}
	y := make([]float64, n)
	for i := range y {
		y[i] = x[i*d] * x[i*d]
	}
	for _, tc := range []struct {
		name   string
		tanh   bool
		scale  float64
		lambda float64 // > 0: the loss plus lambda·‖∇L‖², the explicit regularizer
	}{
		{"quadratic", false, 1, 0}, {"quadratic/scale100", false, 100, 0}, {"tanh", true, 1, 0},
		{"quadratic/gradnorm", false, 1, 0.02}, {"tanh/gradnorm", true, 1, 0.02},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ref := buildNetwork(t, tc.tanh, tc.scale, x, y, a, b, n, d, m)
			fast := buildNetwork(t, tc.tanh, tc.scale, x, y, a, b, n, d, m)
			if tc.lambda > 0 {
				ref, fast = withPenalty(t, ref, tc.lambda), withPenalty(t, fast, tc.lambda)
			}
			vm := G.NewTapeMachine(ref.loss.Graph())
			defer vm.Close()
			mc, err := New(append([]*G.Node{fast.loss}, fast.grads...)...)
			if err != nil {
				t.Fatal(err)
			}
			defer mc.Close()
			// The quadratic networks exercise every rewrite of fuse.go.
			if !tc.tanh {
				want := []string{"2·(a ⊙ u·vᵀ)"}
				if tc.lambda > 0 {
					want = append(want, "(x + y) + z", "(a ⊙ (u·vᵀ + u·vᵀ))")
				}
				for _, w := range want {
					if !strings.Contains(mc.String(), w) {
						t.Errorf("no %q among the steps:\n%v", w, mc)
					}
				}
			}
			for step := 0; step < steps; step++ {
				vm.Reset()
				if err := vm.RunAll(); err != nil {
					t.Fatal(err)
				}
				if err := mc.Run(); err != nil {
					t.Fatal(err)
				}
				got, err := mc.Scalar(fast.loss)
				if err != nil {
					t.Fatal(err)
				}
				if want := ref.loss.Value().Data().(float64); math.Float64bits(got) != math.Float64bits(want) {
					t.Fatalf("step %d: loss %v, tape machine %v", step, got, want)
				}
				for i := range ref.grads {
					gd, err := mc.Dense(fast.grads[i])
					if err != nil {
						t.Fatal(err)
					}
					want := ref.grads[i].Value().Data().([]float64)
					if j := firstDifference(gd.Float64s(), want); j >= 0 {
						t.Fatalf("step %d: gradient %d[%d] = %v, tape machine %v", step, i, j, gd.Float64s()[j], want[j])
					}
					for _, net := range []struct {
						p, g []float64
					}{{ref.params[i].Float64s(), want}, {fast.params[i].Float64s(), gd.Float64s()}} {
						for j := range net.p {
							net.p[j] -= lr * net.g[j]
						}
					}
				}
			}
		})
	}
}

// TestReuseZeroesAccumulatingOps: the gradient of Slice is a sliceIncrOp whose
// UsePreallocDo adds into its buffer; a reused buffer must start from zero at
// every run, as a fresh allocation would.
func TestReuseZeroesAccumulatingOps(t *testing.T) {
	const n, d, m = 50, 4, 6
	build := func() (*G.Node, *G.Node) {
		g := G.NewGraph()
		x := G.NewMatrix(g, G.Float64, G.WithShape(n, d), G.WithName("x"), G.WithValue(tensor.New(tensor.WithShape(n, d), tensor.WithBacking(normals(rand.New(rand.NewPCG(1, 1)), n*d)))))
		a := G.NewMatrix(g, G.Float64, G.WithShape(d, m), G.WithName("A"), G.WithValue(tensor.New(tensor.WithShape(d, m), tensor.WithBacking(normals(rand.New(rand.NewPCG(2, 2)), d*m)))))
		h := G.Must(G.Mul(x, a))
		s := G.Must(G.Slice(h, G.S(3, 40)))
		l := G.Must(G.Sum(G.Must(G.HadamardProd(s, s))))
		gr, err := G.Grad(l, a)
		if err != nil {
			t.Fatal(err)
		}
		return l, gr[0]
	}
	l, gr := build()
	vm := G.NewTapeMachine(l.Graph())
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	want := append([]float64(nil), gr.Value().Data().([]float64)...)
	l, gr = build()
	mc, err := New(l, gr)
	if err != nil {
		t.Fatal(err)
	}
	for run := 0; run < 3; run++ {
		if err := mc.Run(); err != nil {
			t.Fatal(err)
		}
	}
	got, err := mc.Dense(gr)
	if err != nil {
		t.Fatal(err)
	}
	if i := firstDifference(got.Float64s(), want); i >= 0 {
		t.Fatalf("after 3 runs gradient[%d] = %v, want %v", i, got.Float64s()[i], want[i])
	}
}

// TestGemmOfAViewIsLeftToGorgonia: an operand that is a view is not the
// kernel's; the gemmOp runs Gorgonia's op into its own buffer instead and
// multiplies by the scale a rewrite folded into it. The result must be the
// default kernel's product of the same numbers times that scale, bit for
// bit (Gorgonia's products run on the default kernel, see blas.go), in the
// op's buffer, call after call.
func TestGemmOfAViewIsLeftToGorgonia(t *testing.T) {
	const n, d, m, alpha = 7, 5, 3, 3.0
	g := G.NewGraph()
	x := G.NewMatrix(g, G.Float64, G.WithShape(n, d), G.WithName("x"))
	a := G.NewMatrix(g, G.Float64, G.WithShape(d, m), G.WithName("A"))
	h := G.Must(G.Mul(x, a))
	op, ok := replaceOp(h.Op(), h, []*G.Node{x, a}, Options{Kernels: true}).(*gemmOp)
	if !ok {
		t.Fatalf("the product %v was not rewritten into a gemmOp", h)
	}
	op.scaleBy(alpha)
	r := rand.New(rand.NewPCG(9, 10))
	rows := tensor.New(tensor.WithShape(n+4, d), tensor.WithBacking(normals(r, (n+4)*d)))
	v, err := rows.Slice(G.S(2, 2+n))
	if err != nil {
		t.Fatal(err)
	}
	view := v.(*tensor.Dense)
	if plain(view) {
		t.Fatal("the slice is not a view: the test needs an operand the kernel does not take")
	}
	av := tensor.New(tensor.WithShape(d, m), tensor.WithBacking(normals(r, d*m)))
	want := make([]float64, n*m)
	kernel.Default().Gemm64(false, false, n, m, d, 1, view.Materialize().(*tensor.Dense).Float64s(), d, av.Float64s(), m, want, m)
	for i := range want {
		want[i] *= alpha
	}
	for call := 0; call < 2; call++ {
		got, err := op.Do(view, av)
		if err != nil {
			t.Fatal(err)
		}
		if got != op.buffer() {
			t.Fatalf("call %d: the result is not in the op's buffer", call)
		}
		if i := firstDifference(got.(*tensor.Dense).Float64s(), want); i >= 0 {
			t.Fatalf("call %d: C[%d] = %v, want %v", call, i, got.(*tensor.Dense).Float64s()[i], want[i])
		}
	}
}

func TestValueOfUnknownNode(t *testing.T) {
	g := G.NewGraph()
	x := G.NewScalar(g, G.Float64, G.WithName("x"), G.WithValue(2.0))
	y := G.Must(G.HadamardProd(x, x))
	z := G.Must(G.Add(x, x))
	mc, err := New(y)
	if err != nil {
		t.Fatal(err)
	}
	if err := mc.Run(); err != nil {
		t.Fatal(err)
	}
	if v, err := mc.Scalar(y); err != nil || v != 4 {
		t.Errorf("x² at 2 = %v, %v", v, err)
	}
	if _, err := mc.Value(z); err == nil {
		t.Error("Value of a node that is not a root: no error")
	}
}

func normals(r *rand.Rand, k int) []float64 {
	v := make([]float64, k)
	for i := range v {
		v[i] = r.NormFloat64()
	}
	return v
}

// firstDifference returns the first index where a and b differ in bits, or -1.
func firstDifference(a, b []float64) int { return firstDifferenceBeyond(a, b, 0) }

// firstDifferenceBeyond returns the first index where a and b differ by more
// than tol relative to the largest |b|, or -1; with tol 0, bit for bit.
func firstDifferenceBeyond(a, b []float64, tol float64) int {
	scale := 0.0
	for _, v := range b {
		scale = math.Max(scale, math.Abs(v))
	}
	for i := range b {
		if tol == 0 && math.Float64bits(a[i]) != math.Float64bits(b[i]) || math.Abs(a[i]-b[i]) > tol*scale {
			return i
		}
	}
	return -1
}

// blogNetwork is the blog's network at its size: X 200×30, A 30×100.
func blogNetwork(b *testing.B) *network {
	const n, d, m = 200, 30, 100
	r := rand.New(rand.NewPCG(1, 2))
	x, a, bs := normals(r, n*d), normals(r, d*m), normals(r, m)
	for i := range a {
		a[i] *= math.Sqrt(2.0 / (d + m))
	}
	for i := range bs {
		bs[i] *= 0.1
	}
	y := make([]float64, n)
	for i := range y {
		y[i] = x[i*d] * x[i*d]
	}
	return buildNetwork(b, false, 1, x, y, a, bs, n, d, m)
}

// BenchmarkTapeMachineStep evaluates loss and gradient of the blog's network
// with Gorgonia's tape machine as it comes (Reset, RunAll), the baseline of
// BenchmarkMachineStep.
func BenchmarkTapeMachineStep(b *testing.B) {
	net := blogNetwork(b)
	vm := G.NewTapeMachine(net.loss.Graph())
	defer vm.Close()
	b.ReportAllocs()
	for b.Loop() {
		vm.Reset()
		if err := vm.RunAll(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMachineStep evaluates the same on a Machine.
func BenchmarkMachineStep(b *testing.B) {
	net := blogNetwork(b)
	mc, err := New(append([]*G.Node{net.loss}, net.grads...)...)
	if err != nil {
		b.Fatal(err)
	}
	defer mc.Close()
	b.ReportAllocs()
	for b.Loop() {
		if err := mc.Run(); err != nil {
			b.Fatal(err)
		}
	}
}

// TestValueOfANodeThatIsNotARootIsAnError: the machine shares buffers among
// values whose lifetimes do not overlap and fuses ops, so after a run the
// buffer of an intermediate value may hold another value. Value must refuse
// such nodes instead of returning what their position holds, and still
// answer for the roots, the inputs and the constants.
func TestValueOfANodeThatIsNotARootIsAnError(t *testing.T) {
	const n, d, m = 20, 3, 4
	r := rand.New(rand.NewPCG(7, 8))
	g := G.NewGraph()
	mat := func(name string, rows, cols int) *G.Node {
		return G.NewMatrix(g, G.Float64, G.WithShape(rows, cols), G.WithName(name),
			G.WithValue(tensor.New(tensor.WithShape(rows, cols), tensor.WithBacking(normals(r, rows*cols)))))
	}
	x, y, a, b := mat("x", n, d), mat("y", n, 1), mat("A", d, m), mat("b", m, 1)
	h := G.Must(G.Mul(x, a))
	act := G.Must(G.HadamardProd(h, h))
	res := G.Must(G.Sub(G.Must(G.Mul(act, b)), y))
	loss := G.Must(G.HadamardDiv(G.Must(G.Sum(G.Must(G.HadamardProd(res, res)))), G.NewConstant(float64(n), G.WithName("n"))))
	grads, err := G.Grad(loss, a, b)
	if err != nil {
		t.Fatal(err)
	}
	mc, err := New(loss, grads[0], grads[1])
	if err != nil {
		t.Fatal(err)
	}
	if err := mc.Run(); err != nil {
		t.Fatal(err)
	}
	// The test is about shared buffers: there must be some.
	owners := make(map[*tensor.Dense]int)
	for _, s := range mc.prog.steps {
		if d, ok := mc.prog.values[s.out].(*tensor.Dense); ok {
			owners[d]++
		}
	}
	shared := false
	for _, count := range owners {
		shared = shared || count > 1
	}
	if !shared {
		t.Fatalf("no two steps share a buffer; the test needs a graph where they do:\n%v", mc)
	}
	for _, node := range []*G.Node{h, act, res} {
		if v, err := mc.Value(node); err == nil {
			t.Errorf("Value(%v) = %v, want an error: it is not a root", node, v)
		} else if !strings.Contains(err.Error(), "not kept") {
			t.Errorf("Value(%v): %v, want an error that says the value is not kept", node, err)
		}
	}
	for _, node := range []*G.Node{loss, grads[0], grads[1], x, a} {
		if _, err := mc.Value(node); err != nil {
			t.Errorf("Value(%v): %v", node, err)
		}
	}
}

// TestOpsOfAnotherLayoutAreLeftToGorgonia: the rewrites recognize
// Gorgonia's unexported ops by reading their fields through reflection. A
// Gorgonia whose ops are laid out otherwise must not make that panic: the
// op is then not recognized and stays Gorgonia's own. The readers are given
// structs that look like the ops with fields missing, renamed, of other
// kinds, or behind a nil pointer.
func TestOpsOfAnotherLayoutAreLeftToGorgonia(t *testing.T) {
	type operatorType struct{ ʘBinaryOperatorType uint8 }
	type operatorTypeString struct{ ʘBinaryOperatorType string }
	type inner struct{ transA, transB bool }
	for _, c := range []struct {
		name       string
		op         any
		ok, ta, tb bool
	}{
		{"the layout of v0.9.18", struct {
			āBinaryOperator byte
			transA, transB  bool
		}{0, true, false}, true, true, false},
		{"another operator", struct {
			āBinaryOperator byte
			transA, transB  bool
		}{1, false, false}, false, false, false},
		{"no transB", struct {
			āBinaryOperator byte
			transA          bool
		}{}, false, false, false},
		{"flags of another kind", struct {
			āBinaryOperator byte
			transA, transB  int
		}{}, false, false, false},
		{"operator of another kind", struct {
			āBinaryOperator string
			transA, transB  bool
		}{}, false, false, false},
		{"flags behind a nil pointer", struct {
			āBinaryOperator byte
			*inner
		}{}, false, false, false},
		{"not a struct", 3, false, false, false},
	} {
		ta, tb, ok := matMulFlags(reflect.ValueOf(c.op))
		if ok != c.ok || ta != c.ta || tb != c.tb {
			t.Errorf("matMulFlags(%s) = %v, %v, %v; want %v, %v, %v", c.name, ta, tb, ok, c.ta, c.tb, c.ok)
		}
	}
	type binOp struct{ ʘBinaryOperator any }
	for _, c := range []struct {
		name string
		op   any
		ok   bool
		want kernel.Arith
	}{
		{"the layout of v0.9.18", binOp{operatorType{2}}, true, kernel.Mul},
		{"an operator beyond ÷", binOp{operatorType{4}}, false, 0},
		{"operator type of another kind", binOp{operatorTypeString{"+"}}, false, 0},
		{"a nil operator", binOp{}, false, 0},
		{"an operator that is no struct", binOp{7}, false, 0},
		{"no operator field", struct{ op any }{operatorType{0}}, false, 0},
	} {
		got, ok := arithmeticOperator(reflect.ValueOf(c.op))
		if ok != c.ok || got != c.want {
			t.Errorf("arithmeticOperator(%s) = %v, %v; want %v, %v", c.name, got, ok, c.want, c.ok)
		}
	}
	if _, ok := intField(reflect.ValueOf(struct{ axis string }{"0"}), "axis"); ok {
		t.Error("intField read a string field as an axis")
	}
	// The ops of the Gorgonia this module builds with are recognized.
	g := G.NewGraph()
	x := G.NewMatrix(g, G.Float64, G.WithShape(2, 2), G.WithName("x"), G.WithValue(tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float64{1, 2, 3, 4}))))
	if _, _, ok := isMatMul(G.Must(G.Mul(x, x)).Op()); !ok {
		t.Error("Gorgonia's matrix product is not recognized")
	}
	if arith, ok := isArithmetic(G.Must(G.Sub(x, x)).Op()); !ok || arith != kernel.Sub {
		t.Errorf("Gorgonia's subtraction: %v, %v", arith, ok)
	}
	// An op that is not recognized (and has no UsePreallocDo) stays
	// Gorgonia's own.
	tanh := G.Must(G.Tanh(x))
	if op := replaceOp(tanh.Op(), tanh, []*G.Node{x}, Options{Reuse: true, Kernels: true}); reflect.TypeOf(op) != reflect.TypeOf(tanh.Op()) || op.String() != tanh.Op().String() {
		t.Errorf("tanh became %T %v, want Gorgonia's op %T %v", op, op, tanh.Op(), tanh.Op())
	}
}
