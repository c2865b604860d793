// Private declarations shared by the SGEMM translation units (not part of the public module).
//
// Layout of the implementation:
//   sgemm.c            public entry point: argument checks, degenerate cases, path dispatch
//   sgemm_scratch.c    per-thread, 64-byte aligned packing buffers (no shared global scratch)
//   sgemm_blocked.h    the GotoBLAS/BLIS loop nest + generic packing + small direct path,
//                      instantiated once per instruction-set path with that path's target
//   sgemm_avx512.c     AVX-512 micro-kernels (12x32) and packing helpers
//   sgemm_avx2.c       AVX2+FMA micro-kernels (6x16) and packing helpers
//   sgemm_portable.c   plain C micro-kernel (6x8) the compiler vectorizes for the baseline ISA
#ifndef SHRINK_SGEMM_INTERNAL_H
#define SHRINK_SGEMM_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#if defined(__x86_64__) || defined(__i386__)
#define SHRINK_HAVE_X86_PATHS 1
#define SHRINK_TARGET_AVX512 __attribute__((target("avx512f,avx512bw,avx512dq,avx512vl,fma")))
#define SHRINK_TARGET_AVX2 __attribute__((target("avx2,fma")))
#define SHRINK_TARGET_VNNI __attribute__((target("avx512f,avx512bw,avx512dq,avx512vl,avx512vnni,fma")))
#else
#define SHRINK_HAVE_X86_PATHS 0
#endif

#define SHRINK_ALWAYS_INLINE inline __attribute__((always_inline))

/// Keeps memcpy/memset loops of a function inline (clang's no_builtin; GCC has no such attribute
/// and ignores it with a warning, so it is left out there).
#if defined(__clang__)
#define SHRINK_NO_BUILTIN_COPIES __attribute__((no_builtin("memcpy", "memset")))
#else
#define SHRINK_NO_BUILTIN_COPIES
#endif

#if SHRINK_HAVE_X86_PATHS
/// Whether the CPU has AVX-512 VNNI (vpdpbusd), the int8 and sub-byte kernels' fastest path
/// (run when the active path is AVX-512 and this holds). Cached after the first query.
int shrink_cpu_has_vnni(void);
#endif

/// The arguments of one GEMM call, normalized by `shrink_sgemm` (m, n, k > 0, alpha != 0).
typedef struct {
    int transpose_a, transpose_b;
    ptrdiff_t m, n, k;
    float alpha, beta;
    const float *a; ptrdiff_t lda;
    const float *b; ptrdiff_t ldb;
    float *c; ptrdiff_t ldc;
} shrink_sgemm_call;

/// A 64-byte aligned buffer of at least `count` floats owned by the calling thread, or NULL when
/// memory is exhausted. Slots 0-4 are independent buffers: 0 and 1 SGEMM packing, 2 the int8 and
/// sub-byte kernels' quantized activations, 3 the CSR kernel's transposed input, 4 its transposed
/// output for column blocks (kept between calls, so steady-state inference neither allocates nor
/// page-faults). Valid until the next call on this thread with the same slot; freed when the
/// thread exits.
float *shrink_sgemm_scratch(int slot, size_t count);

/// fp32 weight panels (f32_panels.c): W [n×k] stored once at load as op(B) = Wᵀ in the layout
/// every path's prepacked driver reads, so no call packs B. Depth slices of
/// kc = balanced(k, SHRINK_PANEL_DEPTH) (as equal as possible, ≤ 384); within a slice starting at
/// depth p0, panels of 32 columns (the last one 16 when n mod 32 is 1-16): float (p0 + p, column
/// j0 + j) at panels[p0 · width + j0 · kc_s + p · s + j] for j0 a multiple of 32, j < s, p < kc_s
/// (the slice's depth), s = min(32, width − j0) the panel's width, width = n rounded up to 16;
/// columns past n zero.
#define SHRINK_PANEL_COLUMNS 32

/// The width of the panel starting at column j0 (a multiple of 32) of a layout `width` wide.
static inline ptrdiff_t shrink_f32_panel_stride(ptrdiff_t width, ptrdiff_t j0) {
    return width - j0 < SHRINK_PANEL_COLUMNS ? width - j0 : SHRINK_PANEL_COLUMNS;
}
#define SHRINK_PANEL_DEPTH 384

/// The depth of the slices of a k-deep panel layout (every slice but the last has it).
ptrdiff_t shrink_f32_panel_slice_depth(ptrdiff_t k);

/// Per-path prepacked drivers: C[m×n] = A[m×k] · (panel columns column_start ..< column_start + n)
/// + beta·C (column_start a multiple of 32). Return 0, or −1 when scratch memory is exhausted.
int shrink_sgemm_panels_portable(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const float *a, ptrdiff_t lda,
                                 const float *panels, ptrdiff_t width, ptrdiff_t column_start, float beta,
                                 float *c, ptrdiff_t ldc);
#if SHRINK_HAVE_X86_PATHS
int shrink_sgemm_panels_avx2(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const float *a, ptrdiff_t lda,
                             const float *panels, ptrdiff_t width, ptrdiff_t column_start, float beta,
                             float *c, ptrdiff_t ldc);
int shrink_sgemm_panels_avx512(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const float *a, ptrdiff_t lda,
                               const float *panels, ptrdiff_t width, ptrdiff_t column_start, float beta,
                               float *c, ptrdiff_t ldc);
#endif

/// Per-path drivers. Each computes the whole call on the calling thread.
void shrink_sgemm_portable(const shrink_sgemm_call *call);
#if SHRINK_HAVE_X86_PATHS
void shrink_sgemm_avx2(const shrink_sgemm_call *call);
void shrink_sgemm_avx512(const shrink_sgemm_call *call);
#endif

/// Writes beta·C (or zeros when beta == 0, without reading C) into the m×n block of C.
void shrink_sgemm_scale_c(ptrdiff_t m, ptrdiff_t n, float beta, float *c, ptrdiff_t ldc);

/// The naive triple loop, used when scratch memory cannot be allocated. Same contract.
void shrink_sgemm_naive(const shrink_sgemm_call *call);

#endif
