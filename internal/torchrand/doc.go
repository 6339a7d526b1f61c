// Package torchrand reproduces, number for number, the random float32
// tensors that PyTorch 1.13 draws from its CPU generator, so that a PyTorch
// experiment can be replayed exactly in Go.
//
// What is reproduced, following the PyTorch 1.13 sources:
//
//   - torch.manual_seed: the generator is at::mt19937 (the reference
//     MT19937 with init_genrand seeding of the low 32 bits of the seed,
//     aten/src/ATen/core/MT19937RNGEngine.h), and reseeding clears the
//     cached Box–Muller sample (aten/src/ATen/CPUGeneratorImpl.cpp).
//   - torch.randn and Tensor.normal_ on contiguous float32 CPU tensors with
//     at least 16 elements: normal_fill_AVX2 from
//     aten/src/ATen/native/cpu/DistributionTemplates.h. Every element first
//     receives a uniform (random() & (1<<24 - 1)) * 2^-24 from one 32-bit
//     draw, in element order; each block of 16 is then transformed by
//     Box–Muller, pairing element j with j+8; when the length is not a
//     multiple of 16 the last 16 elements are drawn again and transformed
//     again. The transform is evaluated entirely in float32 with the
//     Cephes-derived log256_ps and sincos256_ps polynomials of
//     aten/src/ATen/native/cpu/avx_mathfun.h, not with libm, and with the
//     fused multiply-adds that GCC emits for that code when it builds the
//     AVX2 kernels (-mavx2 -mfma, default -ffp-contract=fast).
//   - Tensors with fewer than 16 elements: the scalar path, which draws
//     53-bit double uniforms from two 32-bit draws each and uses
//     at::normal_distribution<double>, caching the second Box–Muller value
//     in the generator for the next scalar draw. This path is computed in
//     float64 with Go's math package, so a last-bit difference from glibc
//     could, very rarely, change a float32 result.
//   - torch.nn.init.xavier_normal_ on a 2-D tensor: std = sqrt(2/(fan_in +
//     fan_out)) computed in float64, then normal_(0, std), which rounds std
//     to float32.
//
// The results are those of an x86-64 CPU on which PyTorch dispatches to its
// AVX2 kernels. Builds that run the AVX-512 or the portable (DEFAULT)
// kernels use libm's logf, cosf and sinf instead and differ from these
// values in the last bits of some elements.
//
// A Generator is not safe for concurrent use. Its complete state can be
// saved with State and restored with SetState, in the byte layout that
// torch.get_rng_state uses on x86-64.
package torchrand
