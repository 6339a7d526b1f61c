package kernel

import "testing"

// BenchmarkChecks is what the bounds checks of one product and of one
// elementwise pass cost, against a step's products of 25 µs and elementwise
// passes of 2–5 µs (BenchmarkStepOps).
func BenchmarkChecks(b *testing.B) {
	b.Run("Gemm", func(b *testing.B) {
		for b.Loop() {
			checkGemm("Gemm64", true, false, 30, 100, 200, 30, 100, 100, 6000, 20000, 3000)
		}
	})
	b.Run("Elementwise", func(b *testing.B) {
		for b.Loop() {
			checkArith("Elementwise64", Mul)
			checkLength("Elementwise64", "x", 20000, 20000)
			checkLength("Elementwise64", "y", 20000, 20000)
		}
	})
}
