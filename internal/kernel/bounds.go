package kernel

import "fmt"

// The checks every exported entry makes before it touches an element. A
// kernel reads and writes through pointers (the assembly) or with the
// bounds its shapes imply, and it is the process's BLAS for Gorgonia too, so
// a caller's mistake would otherwise become a read or a write past the end
// of a slice. Like gonum's BLAS they panic: a wrong shape is a programming
// error, not a condition to handle. Each message names the entry, the
// argument and the numbers that disagree.

// checkGemm panics unless op(A) (m×k, stored with row stride lda), op(B)
// (k×n, row stride ldb) and C (m×n, row stride ldc) are matrices of
// non-negative size that lie inside slices of lengths lenA, lenB and lenC.
// The conditions are gonum's Dgemm's, in its order.
func checkGemm(entry string, tA, tB bool, m, n, k, lda, ldb, ldc, lenA, lenB, lenC int) {
	ar, ac := storedShape(m, k, tA)
	br, bc := storedShape(k, n, tB)
	if m < 0 || n < 0 || k < 0 || lda < max(1, ac) || ldb < max(1, bc) || ldc < max(1, n) ||
		m != 0 && n != 0 && (lenA < span(ar, ac, lda) || lenB < span(br, bc, ldb) || lenC < span(m, n, ldc)) {
		badGemm(entry, tA, tB, m, n, k, lda, ldb, ldc, lenA, lenB, lenC)
	}
}

// badGemm panics with the first of checkGemm's conditions that fails; it
// is apart so that checkGemm stays a few comparisons.
func badGemm(entry string, tA, tB bool, m, n, k, lda, ldb, ldc, lenA, lenB, lenC int) {
	fail := func(format string, args ...any) {
		panic(fmt.Sprintf("kernel: %s: ", entry) + fmt.Sprintf(format, args...))
	}
	switch {
	case m < 0:
		fail("m < 0 (m = %d)", m)
	case n < 0:
		fail("n < 0 (n = %d)", n)
	case k < 0:
		fail("k < 0 (k = %d)", k)
	}
	ar, ac := storedShape(m, k, tA)
	br, bc := storedShape(k, n, tB)
	switch {
	case lda < max(1, ac):
		fail("bad leading dimension of A: lda = %d, the stored A (%s) has %d columns", lda, stored(ar, ac, tA), ac)
	case ldb < max(1, bc):
		fail("bad leading dimension of B: ldb = %d, the stored B (%s) has %d columns", ldb, stored(br, bc, tB), bc)
	case ldc < max(1, n):
		fail("bad leading dimension of C: ldc = %d, C (%d×%d) has %d columns", ldc, m, n, n)
	}
	if need := span(ar, ac, lda); lenA < need {
		fail("insufficient length of a: %d elements, the stored A (%s) with lda = %d needs %d", lenA, stored(ar, ac, tA), lda, need)
	}
	if need := span(br, bc, ldb); lenB < need {
		fail("insufficient length of b: %d elements, the stored B (%s) with ldb = %d needs %d", lenB, stored(br, bc, tB), ldb, need)
	}
	fail("insufficient length of c: %d elements, C (%d×%d) with ldc = %d needs %d", lenC, m, n, ldc, span(m, n, ldc))
}

// storedShape returns the rows and columns of the stored operand whose op is
// rows×cols: A is m×k, or k×m when transposed; B is k×n, or n×k.
func storedShape(rows, cols int, transposed bool) (r, c int) {
	r, c = rows, cols
	if transposed {
		r, c = cols, rows
	}
	return r, c
}

// span is the number of elements gonum's Dgemm requires of a rows×cols
// matrix with row stride ld, (rows−1)·ld + cols: the last row need not be
// padded.
func span(rows, cols, ld int) int { return (rows-1)*ld + cols }

// stored describes a stored operand's shape, and whether op transposes it.
func stored(rows, cols int, transposed bool) string {
	if transposed {
		return fmt.Sprintf("%d×%d, transposed", rows, cols)
	}
	return fmt.Sprintf("%d×%d", rows, cols)
}

// checkLength panics unless the operand name has at least need elements.
func checkLength(entry, name string, have, need int) {
	if have < need {
		badLength(entry, name, have, need)
	}
}

func badLength(entry, name string, have, need int) {
	panic(fmt.Sprintf("kernel: %s: insufficient length of %s: %d elements, %d needed", entry, name, have, need))
}
