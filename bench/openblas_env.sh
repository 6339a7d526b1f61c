# Sourced by the bench scripts. OpenBLAS picks the kernels for the CPU it
# runs on, unless OPENBLAS_CORETYPE forces a family (and OPENBLAS_L2_SIZE
# its blocking). A machine's environment may set them: the 2-core VM of
# BENCHMARKS.md sets OPENBLAS_CORETYPE=Haswell, which makes the step's
# products 2–4× slower than the AVX-512 kernels OpenBLAS picks itself. So
# they are removed for every program timed (PyTorch, the OpenBLAS build of
# igr, the floor), and bench/harness.py records what was removed and which
# kernels OpenBLAS uses. KEEP_OPENBLAS_ENV=1 keeps them.
removed=()
if [ -z "${KEEP_OPENBLAS_ENV:-}" ]; then
	for v in OPENBLAS_CORETYPE OPENBLAS_L2_SIZE; do
		if [ -n "${!v:-}" ]; then
			removed+=("$v=${!v}")
			unset "$v"
		fi
	done
fi
export BENCH_OPENBLAS_REMOVED="${removed[*]:-}"
