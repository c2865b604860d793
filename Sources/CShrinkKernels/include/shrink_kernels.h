#ifndef SHRINK_KERNELS_H
#define SHRINK_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Instruction-set paths a kernel can run on. On x86-64 they are ordered fastest last
/// (PORTABLE < AVX2 < AVX512); on aarch64 there are PORTABLE and NEON (Advanced SIMD, part of
/// every aarch64 CPU). A CPU supports PORTABLE, its detected path and, on x86-64, every x86 path
/// below the detected one (shrink_cpu_path_supported); NEON is never supported on x86-64 and the
/// AVX paths never on aarch64. On the NEON path the int8, palettized int8, fp16, palettized and CSR
/// kernels run NEON code, the others their portable code (kernel docs below name the x86 paths).
typedef enum {
    SHRINK_CPU_PATH_PORTABLE = 0,
    SHRINK_CPU_PATH_AVX2 = 1,
    SHRINK_CPU_PATH_AVX512 = 2,
    SHRINK_CPU_PATH_NEON = 3,
} shrink_cpu_path;

/// The fastest path this CPU supports.
shrink_cpu_path shrink_cpu_detected_path(void);

/// 1 when kernels can be forced onto `path` on this CPU (see shrink_cpu_path), else 0.
int shrink_cpu_path_supported(shrink_cpu_path path);

/// The path kernels called from this thread use (the detected one unless forced on this thread).
shrink_cpu_path shrink_cpu_active_path(void);

/// Forces kernels called from the calling thread onto `path` (for tests and benchmarks). Returns
/// 0 on success, -1 when the CPU does not support that path (shrink_cpu_path_supported; nothing
/// changes then). Per thread:
/// other threads keep their own path, so tests that force paths can run concurrently; worker
/// threads that run a chunk of a forced caller's work adopt the caller's forced path (see
/// `Parallelism` in ShrinkKernels, which uses `shrink_cpu_forced_path_raw`).
int shrink_cpu_force_path(shrink_cpu_path path);

/// The calling thread's forced path as a raw value: -1 when not forced, else a shrink_cpu_path.
int shrink_cpu_forced_path_raw(void);

/// Sets the calling thread's forced path from a raw value returned by shrink_cpu_forced_path_raw
/// (-1 clears it). Other values than -1 and supported paths are ignored. Returns 0 on success, -1
/// otherwise.
int shrink_cpu_set_forced_path_raw(int raw);

/// The calling thread's override of the thread count for parallel work: 0 when it has none.
int shrink_thread_count_override(void);

/// Sets (count > 0) or clears (count <= 0) the calling thread's thread-count override.
void shrink_set_thread_count_override(int count);

// MARK: - Memory

/// Makes the C library keep freed memory for reuse (glibc: blocks up to 32 MiB from the heap
/// rather than fresh mappings, and no trimming of the heap), so the same-sized tensors of
/// consecutive training steps reuse their pages instead of faulting in zeroed ones. For
/// training processes; returns 0, or −1 where the C library has no such settings (nothing changes).
int shrink_retain_freed_memory(void);

// MARK: - Worker pool

/// Runs body(context, chunk) for every chunk in 0..<chunks, in parallel on a persistent pool of
/// worker threads, and returns when all have finished.
///
/// The calling thread runs chunk 0 itself, then any chunk not yet taken; up to (online
/// processors − 1, at most 15) detached pthreads, created on first use, take the others through
/// atomics. Idle workers spin for about 100 µs after each job (so back-to-back jobs cost well
/// under a microsecond to hand over), then poll between 50 µs sleeps for 10 ms (a late worker
/// costs the caller nothing: it runs the chunks itself), then block on a condition variable
/// until the next job wakes them (a system call in the caller: 7–25 µs on a 2-vCPU VM).
///
/// One job runs in the pool at a time: when it is busy (another thread's job, or a nested call
/// from inside a chunk), the caller runs its chunks serially on its own thread, in order, without
/// waiting. Chunks must not wait for each other. Worker threads do not inherit the caller's
/// thread-local settings (forced CPU path, thread-count override): pass them in `context`.
///
/// Returns the number of worker threads the job was offered to: 0 when it ran serially on the
/// calling thread (chunks ≤ 1, the pool busy, or a one-processor machine).
int shrink_parallel_for(int chunks, void (*body)(void *context, int chunk), void *context);

/// Single-precision GEMM, row-major: C[m×n] = alpha · op(A)[m×k] · op(B)[k×n] + beta · C.
/// op(X) is X or its transpose. lda/ldb/ldc are row strides in elements of the stored matrices
/// (A is stored m×k, or k×m when transposed; B is stored k×n, or n×k when transposed).
///
/// - beta == 0: C is written without being read (it may hold NaN or garbage).
/// - k == 0 or alpha == 0 (as in BLAS): A and B are not read, C becomes beta · C.
/// - Only the m×n block of C is written; padding between rows is left alone.
///
/// Cache-blocked and packed (GotoBLAS/BLIS style) with AVX-512, AVX2+FMA or portable
/// micro-kernels chosen by shrink_cpu_active_path() on each call; tiny and single-row problems
/// take an unpacked direct path. Thread-safe and reentrant: packing buffers are per thread.
/// Runs on the calling thread only; see the Swift `GEMM` API for multi-threading.
void shrink_sgemm(int transpose_a, int transpose_b,
                  ptrdiff_t m, ptrdiff_t n, ptrdiff_t k,
                  float alpha,
                  const float *a, ptrdiff_t lda,
                  const float *b, ptrdiff_t ldb,
                  float beta,
                  float *c, ptrdiff_t ldc);

// MARK: - Int8 linear (runtime kernels)

/// Output channels per packed int8 weight panel.
#define SHRINK_INT8_PANEL_COLUMNS 64

/// Bytes of the packed int8 weights of an n×k matrix (n output channels, k inputs); 0 when empty.
size_t shrink_int8_packed_size(ptrdiff_t n, ptrdiff_t k);

/// Packs s8 weights W[n×k] (row j = output channel j, row stride ldw) into `packed`
/// (shrink_int8_packed_size(n, k) bytes, 64-byte aligned) and writes Σ_p W[j][p] to
/// row_sums[j] (the zero-point compensation term; row_sums may be NULL).
void shrink_int8_pack_weights(ptrdiff_t n, ptrdiff_t k, const int8_t *w, ptrdiff_t ldw,
                              int8_t *packed, int32_t *row_sums);

/// Dynamic activation quantization: x[m×k] (row stride ldx) → u8 codes (row stride ldq), with
/// scale and zero point per row (per_row != 0) or one pair for the whole tensor (written to every
/// row's slot). The range [min(0, min x), max(0, max x)] maps to 0...255: scale = (hi − lo)/255
/// (1 when the range is empty), zero point = nearbyint(−lo/scale) clamped to 0...255,
/// code = clamp(nearbyint(x · (1/scale)) + zero point, 0, 255). Zero is exactly representable.
void shrink_quantize_activations(ptrdiff_t m, ptrdiff_t k, const float *x, ptrdiff_t ldx, int per_row,
                                 uint8_t *codes, ptrdiff_t ldq, float *scales, int32_t *zero_points);

/// Static activation quantization with calibrated parameters (no range scan): x[m×k] → u8
/// codes, code = clamp(nearbyint(x · (1/scale)) + zero_point, 0, 255) (the rounding of
/// shrink_quantize_activations). scale must be positive and finite, zero_point in 0...255.
void shrink_quantize_activations_static(ptrdiff_t m, ptrdiff_t k, const float *x, ptrdiff_t ldx, float scale,
                                        int32_t zero_point, uint8_t *codes, ptrdiff_t ldq);

/// Exact int32 products C[i][j] = Σ_p x[i][p] · W[j][p] of u8 codes by packed s8 weights.
void shrink_int8_gemm_s32(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const uint8_t *x, ptrdiff_t ldx,
                          const int8_t *packed, int32_t *c, ptrdiff_t ldc);

/// Int8 linear layer: y[i][j] = (float)(Σ_p x[i][p]·W[j][p] − zx[i]·row_sums[j]) · (sx[i]·sw[j])
/// + bias[j] (bias may be NULL). u8 activations with per-row scale sx / zero point zx, s8 weights
/// symmetric per output channel (scale sw[j], zero point 0). AVX-512 VNNI, AVX2 or portable
/// path chosen by shrink_cpu_active_path(); thread-safe; runs on the calling thread.
void shrink_int8_linear(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const uint8_t *x, ptrdiff_t ldx,
                        const float *x_scales, const int32_t *x_zero_points,
                        const int8_t *packed, const int32_t *row_sums, const float *w_scales,
                        const float *bias, float *y, ptrdiff_t ldy);

/// The dequantization step of shrink_int8_linear on its own (for per-stage profiling):
/// y[i][j] = (float)(c[i][j] − zx[i]·row_sums[j]) · (sx[i]·sw[j]) + bias[j] (bias may be NULL),
/// with c the int32 sums of shrink_int8_gemm_s32. Same arithmetic as the fused epilogue.
void shrink_int8_dequantize(ptrdiff_t m, ptrdiff_t n, const int32_t *c, ptrdiff_t ldc,
                            const float *x_scales, const int32_t *x_zero_points, const int32_t *row_sums,
                            const float *w_scales, const float *bias, float *y, ptrdiff_t ldy);

/// The geometry of an int8 convolution read from a padded channels-last u8 image
/// [image_height, image_width, channels] (spatial padding already in the image): output pixel
/// (oy, ox) reads the k × k window at (oy·stride, ox·stride).
typedef struct {
    ptrdiff_t output_height, output_width;
    ptrdiff_t image_width;
    ptrdiff_t channels;
    ptrdiff_t kernel, stride;
} shrink_int8_convolution_geometry;

/// Int8 convolution of one sample: y[i][j] for output pixel i = oy·ow + ox and output channel j,
/// with the arithmetic of shrink_int8_linear on the row made of the window's k kernel rows of
/// k·channels codes each (depth order (kernelRow, kernelColumn, channel), the order `packed` must
/// have, with k·k·channels inputs). With channels a multiple of 4, AVX-512 VNNI reads each window
/// in place (one depth segment per kernel row, no im2col buffer); otherwise the windows are
/// copied out as rows (thread scratch) and the product runs on them. Returns 0, −1 when scratch
/// cannot be had, −2 for a bad geometry.
int shrink_int8_convolution(const shrink_int8_convolution_geometry *geometry, ptrdiff_t n, const uint8_t *image,
                            const float *x_scales, const int32_t *x_zero_points, const int8_t *packed,
                            const int32_t *row_sums, const float *w_scales, const float *bias, float *y,
                            ptrdiff_t ldy);

/// u8 codes [channels, height, width] (NCHW) → the padded channels-last image [height + 2·padding,
/// width + 2·padding, channels] for shrink_int8_convolution; padding reads `pad` (the activations'
/// zero point, the code of 0.0).
void shrink_pad_channels_last_u8(ptrdiff_t channels, ptrdiff_t height, ptrdiff_t width, ptrdiff_t padding,
                                 const uint8_t *codes, uint8_t pad, uint8_t *image);

/// shrink_quantize_activations followed by shrink_int8_linear on fp32 input. Returns 0, or −1
/// when the temporary code buffer cannot be allocated.
int shrink_int8_linear_dynamic(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const float *x, ptrdiff_t ldx, int per_row,
                               const int8_t *packed, const int32_t *row_sums, const float *w_scales,
                               const float *bias, float *y, ptrdiff_t ldy);

/// shrink_quantize_activations_static followed by shrink_int8_linear on fp32 input (every row
/// with the same scale / zero point). Returns 0, or −1 when the code buffer cannot be allocated.
int shrink_int8_linear_static(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const float *x, ptrdiff_t ldx, float scale,
                              int32_t zero_point, const int8_t *packed, const int32_t *row_sums, const float *w_scales,
                              const float *bias, float *y, ptrdiff_t ldy);

/// How shrink_int8_linear_fused quantizes its fp32 input.
typedef enum {
    SHRINK_INT8_PER_TENSOR = 0, ///< dynamic, one range for all rows
    SHRINK_INT8_PER_ROW = 1,    ///< dynamic, one range per row
    SHRINK_INT8_STATIC = 2,     ///< the given scale / zero point (shrink_quantize_activations_static)
} shrink_int8_activation_mode;

/// fp32 input quantized as `mode` says, the int8 product, and with relu != 0 max(0, y) applied in
/// the dequantizing epilogue (y >= 0 ? y : 0, NaN to 0; no second pass over y). Otherwise as
/// shrink_int8_linear_dynamic / shrink_int8_linear_static (scale and zero_point are read only
/// for SHRINK_INT8_STATIC). Returns 0, or −1 when the code buffer cannot be allocated.
int shrink_int8_linear_fused(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const float *x, ptrdiff_t ldx,
                             shrink_int8_activation_mode mode, float scale, int32_t zero_point, int relu,
                             const int8_t *packed, const int32_t *row_sums, const float *w_scales, const float *bias,
                             float *y, ptrdiff_t ldy);

// MARK: - Sub-byte integer linear (1-4-bit affine weight codes)

/// Output channels per packed sub-byte weight panel.
#define SHRINK_SUBBYTE_PANEL_COLUMNS 64

/// Bytes of the packed unsigned codes of an n×k matrix in a `bits`-bit container (4: codes 0...15,
/// two per byte; 2: codes 0...3, four per byte); 0 when empty or bits is not 2 or 4. The layout is
/// described byte by byte at the top of int4_linear.c.
size_t shrink_subbyte_packed_size(int bits, ptrdiff_t n, ptrdiff_t k);

/// Packs unsigned codes u[n×k] (row stride ldc, each below 2^bits) into `packed`
/// (shrink_subbyte_packed_size bytes, 64-byte aligned) and writes compensation[j] =
/// Σ_p (u[j][p] − offsets[j]) (offsets may be NULL for 0; compensation may be NULL). Returns 0,
/// or −1 for a bad container width or a code that does not fit it.
int shrink_subbyte_pack_weights(int bits, ptrdiff_t n, ptrdiff_t k, const uint8_t *codes, ptrdiff_t ldc,
                                const int32_t *offsets, uint8_t *packed, int32_t *compensation);

/// sums[i] = Σ_p codes[i][p] over the k codes of each of m rows (row stride ldq).
void shrink_activation_code_sums(ptrdiff_t m, ptrdiff_t k, const uint8_t *codes, ptrdiff_t ldq, int32_t *sums);

/// Exact int32 products C[i][j] = Σ_p x[i][p] · u[j][p] of u8 codes by packed unsigned weight
/// codes. Returns 0, or −1 for a bad container width.
int shrink_subbyte_gemm_s32(int bits, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const uint8_t *x, ptrdiff_t ldx,
                            const uint8_t *packed, int32_t *c, ptrdiff_t ldc);

/// Sub-byte linear layer on u8 activations (per-row scale sx, zero point zx, code sums
/// A[i] = Σ_p x[i][p] from shrink_activation_code_sums):
/// y[i][j] = (float)(Σ_p x[i][p]·u[j][p] − offsets[j]·A[i] − zx[i]·compensation[j]) · (sx[i]·sw[j])
/// + bias[j] (bias may be NULL; int32 arithmetic), which is Σ_p (x − zx)(u − offset) scaled; with
/// relu != 0, y >= 0 ? y : 0 (NaN to 0). AVX-512 VNNI, AVX2 or portable by
/// shrink_cpu_active_path(); runs on the calling thread. Returns 0, or −1 for a bad container width.
int shrink_subbyte_linear(int bits, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const uint8_t *x, ptrdiff_t ldx,
                          const float *x_scales, const int32_t *x_zero_points, const int32_t *x_code_sums,
                          const uint8_t *packed, const int32_t *offsets, const int32_t *compensation,
                          const float *w_scales, const float *bias, int relu, float *y, ptrdiff_t ldy);

/// shrink_quantize_activations (per row or per tensor) and shrink_activation_code_sums on fp32
/// input into thread scratch, then shrink_subbyte_linear. Returns 0, −1 when the scratch cannot be
/// allocated, −2 for a bad container width.
int shrink_subbyte_linear_dynamic(int bits, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const float *x, ptrdiff_t ldx,
                                  int per_row, int relu, const uint8_t *packed, const int32_t *offsets,
                                  const int32_t *compensation, const float *w_scales, const float *bias, float *y,
                                  ptrdiff_t ldy);

// MARK: - fp16-weight linear

/// Output channels per packed fp16 weight panel.
#define SHRINK_F16_PANEL_COLUMNS 64

/// Number of uint16 elements of the packed fp16 weights of an n×k matrix; 0 when empty.
size_t shrink_f16_packed_count(ptrdiff_t n, ptrdiff_t k);

/// Packs IEEE half weights W[n×k] (bit patterns, row stride ldw) into `packed`
/// (shrink_f16_packed_count(n, k) elements).
void shrink_f16_pack_weights(ptrdiff_t n, ptrdiff_t k, const uint16_t *w, ptrdiff_t ldw, uint16_t *packed);

/// The fp32 value of an IEEE half bit pattern (exact; handles subnormals, infinities, NaN).
float shrink_f16_to_f32(uint16_t half);

/// y[m×n] = x[m×k] · Wᵀ + bias (bias may be NULL) with packed fp16 weights converted to fp32 in
/// registers (AVX-512 F16C, AVX2+F16C or portable, by shrink_cpu_active_path()); fp32 accumulation.
void shrink_f16_linear(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const float *x, ptrdiff_t ldx,
                       const uint16_t *packed, const float *bias, float *y, ptrdiff_t ldy);

// MARK: - Palettized (look-up) linear

/// Output channels per packed palette-index panel.
#define SHRINK_PALETTE_PANEL_COLUMNS 64

/// Bytes of the packed `bits`-bit indices (1...8) of an n×k matrix (32-bit words per column holding
/// 8 depths of 4-bit nibbles for bits ≤ 4, 4 depths of bytes for 5...8 bits): nibbles for bits ≤ 4,
/// bytes for 5...8 bits, plus 64 bytes of slack the vector loads may read. 0 when empty or bits is
/// out of range.
size_t shrink_palette_packed_size(int bits, ptrdiff_t n, ptrdiff_t k);

/// Packs byte indices index[n×k] (row stride ldi, each < 2^bits) into `packed`
/// (shrink_palette_packed_size bytes). Returns 0, or −1 for a bad bit width or index.
int shrink_palette_pack_indices(int bits, ptrdiff_t n, ptrdiff_t k, const uint8_t *indices, ptrdiff_t ldi,
                                uint8_t *packed);

/// y[m×n] = x[m×k] · Wᵀ + bias (bias may be NULL), W[j][p] = centroids[index[j][p]], looked up
/// in registers (AVX-512 vpermps / vpermt2ps / gather, AVX2 gather, or portable). fp32
/// accumulation. Returns 0, or −1 when bits is not 1...8 or centroid_count not 1...2^bits.
int shrink_palette_linear(int bits, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const float *x, ptrdiff_t ldx,
                          const uint8_t *packed, const float *centroids, ptrdiff_t centroid_count,
                          const float *bias, float *y, ptrdiff_t ldy);

// MARK: - CSR sparse linear

/// y[m×n] = x[m×k] · Wᵀ + bias (bias may be NULL) with W in compressed sparse rows: row_ptr[n+1]
/// (non-zeros of output row j are entries row_ptr[j] ..< row_ptr[j+1]), column indices of
/// `column_bytes` (2: uint16, for k ≤ 65536; 4: uint32) and values: fp32 `values`, or when values is
/// NULL palettized, codes[e] indexing `centroids` (1...256 entries). Gathers x on AVX-512 / AVX2;
/// portable otherwise. With `accumulate` non-zero the products are added to y (bias ignored):
/// y[m×n] += x · Wᵀ, for matrices split into column blocks (one call per block, x offset to the
/// block's first column, column indices relative to it). Returns 0, or −1 for bad column_bytes /
/// codebook arguments.
int shrink_csr_linear(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const float *x, ptrdiff_t ldx,
                      const int32_t *row_ptr, const void *columns, int column_bytes,
                      const float *values, const uint8_t *codes, const float *centroids, ptrdiff_t centroid_count,
                      const float *bias, int accumulate, float *y, ptrdiff_t ldy);

/// The CSR product for a matrix packed in column blocks (SparseLinearWeights): block b covers
/// inputs b·block_columns ..< min(k, (b+1)·block_columns), has its own row pointers at
/// block_row_ptr + b·row_ptr_stride (absolute positions in columns / values / codes) and UInt16
/// column indices relative to its first input. y[m×n] = x · Wᵀ + bias. At batch ≥ 3 on AVX-512
/// the blocks add into a transposed scratch yᵀ; otherwise each block after the first adds into y.
/// Returns 0, or −1 for bad block or codebook arguments.
int shrink_csr_linear_blocked(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const float *x, ptrdiff_t ldx,
                              ptrdiff_t block_columns, const int32_t *block_row_ptr, ptrdiff_t row_ptr_stride,
                              const uint16_t *columns, const float *values, const uint8_t *codes,
                              const float *centroids, ptrdiff_t centroid_count, const float *bias, float *y, ptrdiff_t ldy);

/// yᵀ[n × m] = W · xᵀ + bias (bias may be NULL) for W packed as for shrink_csr_linear_blocked
/// (column blocks of block_columns inputs, row pointers per block row_ptr_stride apart, UInt16
/// columns relative to the block), with the activations transposed: xᵀ[k × m] (row p at
/// xt + p · ldxt) and yᵀ[n × m] (row j at yt + j · ldyt). For convolutions: xᵀ is the im2col
/// [depth × pixels] of shrink_lower_samples and yᵀ the output planes [channels × pixels]. Each
/// non-zero is one contiguous m-wide multiply-add (no gathers, no transposes); per output row
/// the products are added in entry order from 0, then the bias. Codes index `centroids` (1...256)
/// when values is NULL. Returns 0, or −1 for bad block, stride or codebook arguments.
int shrink_csr_linear_transposed(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const float *xt, ptrdiff_t ldxt,
                                 ptrdiff_t block_columns, const int32_t *block_row_ptr, ptrdiff_t row_ptr_stride,
                                 const uint16_t *columns, const float *values, const uint8_t *codes,
                                 const float *centroids, ptrdiff_t centroid_count, const float *bias, float *yt,
                                 ptrdiff_t ldyt);

// MARK: - Palettized int8 linear (4-bit indices into an s8 codebook)

/// Bytes of the packed 4-bit indices of an n×k matrix for the palettized int8 kernel.
size_t shrink_palette_int8_packed_size(ptrdiff_t n, ptrdiff_t k);

/// Packs indices[n×k] (row stride ldi, each ≤ 15) into `packed` and writes the per-row sums of
/// codebook[index] to row_sums (may be NULL). Returns 0, or −1 for an index above 15.
int shrink_palette_int8_pack(ptrdiff_t n, ptrdiff_t k, const uint8_t *indices, ptrdiff_t ldi,
                             const int8_t *codebook, uint8_t *packed, int32_t *row_sums);

/// Exact int32 products C[i][j] = Σ_p x[i][p] · codebook[index[j][p]] (codebook: 16 s8 values).
/// AVX-512 VNNI (vpshufb look-up + vpdpbusd), AVX2 (pshufb + vpmaddwd) or portable.
void shrink_palette_int8_gemm_s32(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const uint8_t *x, ptrdiff_t ldx,
                                  const uint8_t *packed, const int8_t *codebook, int32_t *c, ptrdiff_t ldc);

/// Palettized int8 linear layer on quantized activations: as shrink_int8_linear with
/// W[j][p] = codebook[index[j][p]].
void shrink_palette_int8_linear(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const uint8_t *x, ptrdiff_t ldx,
                                const float *x_scales, const int32_t *x_zero_points,
                                const uint8_t *packed, const int8_t *codebook, const int32_t *row_sums,
                                const float *w_scales, const float *bias, float *y, ptrdiff_t ldy);

/// Dynamic activation quantization + palettized int8 product: as shrink_int8_linear_dynamic with
/// W[j][p] = codebook[index[j][p]] and per-channel scales w_scales. Returns 0, or −1 on allocation failure.
int shrink_palette_int8_linear_dynamic(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const float *x, ptrdiff_t ldx, int per_row,
                                       const uint8_t *packed, const int8_t *codebook, const int32_t *row_sums,
                                       const float *w_scales, const float *bias, float *y, ptrdiff_t ldy);

// MARK: - fp32 linear on prepacked weight panels

/// The width of the panel layout of n output channels: n rounded up to 16 (32-column panels, the
/// last one 16 columns when n mod 32 is 1-16).
ptrdiff_t shrink_f32_panels_width(ptrdiff_t n);

/// Floats of the panel layout of an [n×k] weight: k · shrink_f32_panels_width(n). Layout: depth
/// slices of kc = ⌈k / ⌈k/384⌉⌉ (the last may be shorter); in the slice starting at depth p0 with
/// depth kc_s, W[j][p0 + p] sits at panels[p0 · width + j0 · kc_s + p · s + (j − j0)] with
/// j0 = j − j mod 32 and s = min(32, width − j0) the panel's width; columns j ≥ n are zero.
size_t shrink_f32_panels_count(ptrdiff_t n, ptrdiff_t k);

/// Packs W [n×k] (row stride ldw, one row per output channel) into `panels` (64-byte aligned,
/// shrink_f32_panels_count floats), once at load.
void shrink_f32_pack_panels(ptrdiff_t n, ptrdiff_t k, const float *w, ptrdiff_t ldw, float *panels);

/// The inverse of shrink_f32_pack_panels: W [n×k] (row stride ldw) from its panels.
void shrink_f32_unpack_panels(ptrdiff_t n, ptrdiff_t k, const float *panels, float *w, ptrdiff_t ldw);

/// y[m×n] = x[m×k] · Wᵀ + bias (bias may be NULL) for output columns column_start ..< column_start
/// + n of a weight packed by shrink_f32_pack_panels with `width` (shrink_f32_panels_width);
/// column_start a multiple of 32; y and bias point at column column_start's entries. Up to 4 rows:
/// the panels streamed once per 4 rows; more: the blocked GEMM with the panels as its packed B
/// (no packing of W). AVX-512, AVX2+FMA or portable by shrink_cpu_active_path(); fp32
/// accumulation; each output's sum order does not depend on column_start (threads split
/// columns). Returns 0, or −1 for a column range outside the layout.
int shrink_f32_panels_linear(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const float *x, ptrdiff_t ldx,
                             const float *panels, ptrdiff_t width, ptrdiff_t column_start,
                             const float *bias, float *y, ptrdiff_t ldy);

// MARK: - Convolution lowering

/// im2col for one sample: input [channels, height, width] → columns [oh·ow, channels·k·k], row
/// (y·ow + x), column (channel·k + kernelRow)·k + kernelColumn; padding reads 0. Square kernel k,
/// one stride and symmetric padding; oh = (height + 2·padding − k)/stride + 1 (likewise ow).
/// Interior windows copy kernel rows without bounds checks; 1×1 stride-1 unpadded is a transpose.
void shrink_im2col(ptrdiff_t channels, ptrdiff_t height, ptrdiff_t width, ptrdiff_t k, ptrdiff_t stride,
                   ptrdiff_t padding, const float *input, float *columns);

/// output[c·pixels + p] = clamp(src[p·channels + c] · scale[c] + shift[c], lower, upper) for one
/// sample (a blocked transpose); scale and shift may both be NULL (no affine). lower/upper may be
/// ±infinity (no bound); the clamp is max(lower, ·) then min(upper, ·).
void shrink_transpose_transform(ptrdiff_t pixels, ptrdiff_t channels, const float *src, float *output,
                                const float *scale, const float *shift, float lower, float upper);

/// Depthwise convolution for one sample: input [channels, height, width], weights [channels, k, k]
/// and the same weights tap-major [k·k, channels] (tap_weights; may be NULL), bias [channels] (may
/// be NULL) → output [channels, oh, ow], each output then clamped to [lower, upper] (±infinity: no
/// bound). Square kernel, one stride, symmetric padding (reads 0). Output planes of up to 16
/// pixels with tap_weights run channels-last (vectorized across channels); the others plane by
/// plane through a zero-padded copy (vectorized along the plane). Sums in fp32, taps in row order.
void shrink_depthwise_conv(ptrdiff_t channels, ptrdiff_t height, ptrdiff_t width, ptrdiff_t k, ptrdiff_t stride,
                           ptrdiff_t padding, const float *input, const float *weights, const float *tap_weights,
                           const float *bias, float lower, float upper, float *output);

/// Max pooling over `planes` planes of [height, width] → [oh, ow]: window kh × kw, strides sh, sw,
/// top and left pads (padding never wins; a window with no input reads −infinity).
void shrink_max_pool(ptrdiff_t planes, ptrdiff_t height, ptrdiff_t width, ptrdiff_t kh, ptrdiff_t kw, ptrdiff_t sh,
                     ptrdiff_t sw, ptrdiff_t pad_top, ptrdiff_t pad_left, ptrdiff_t oh, ptrdiff_t ow, const float *input,
                     float *output);

// MARK: - Training convolutions and batch normalization (training_kernels.c)

/// The sizes of one convolution's im2col lowering: input planes [channels, height, width], a
/// kernel_height × kernel_width window with strides, dilations and top/left pads placing the first
/// window, and the output size (the trailing pads only change it).
typedef struct {
    ptrdiff_t channels, height, width;
    ptrdiff_t kernel_height, kernel_width, stride_height, stride_width;
    ptrdiff_t dilation_height, dilation_width, pad_top, pad_left;
    ptrdiff_t output_height, output_width;
} shrink_lowering_geometry;

/// im2col of `samples` inputs [samples, channels, height, width] into the lowered matrix
/// [channels·kernel_height·kernel_width, samples·output_height·output_width], rows ordered
/// (channel, kernel row, kernel column), columns (sample, output row, output column); padding reads
/// 0. The Swift reference is ShrinkNN's ConvolutionGeometry.lowerReference.
void shrink_lower_samples(const shrink_lowering_geometry *geometry, ptrdiff_t samples, const float *input,
                          float *columns);

/// col2im: adds the lowered-matrix gradient (the layout of shrink_lower_samples) into the input
/// gradient [samples, channels, height, width]; padding positions are dropped. The Swift reference
/// is ConvolutionGeometry.accumulateLoweredReference.
void shrink_accumulate_lowered_samples(const shrink_lowering_geometry *geometry, ptrdiff_t samples,
                                       const float *columns, float *input_gradient);

/// Batch-normalization statistics of channels first..<end of x [batch, channels, plane]: per channel
/// the mean and the sum of squared deviations from it (two passes, fp32 partial sums per plane
/// added in fp64), written to mean[c] and squares[c] (indexed by absolute channel).
void shrink_batch_norm_statistics(ptrdiff_t batch, ptrdiff_t channels, ptrdiff_t plane, ptrdiff_t first,
                                  ptrdiff_t end, const float *x, double *mean, double *squares);

/// Per channel c in first..<end: normalized = (x − mean[c]) · inverse[c] (skipped when NULL) and
/// y = scale[c] · (x − mean[c]) · inverse[c] + shift[c], then clamped below at `lower` (−infinity
/// for none; 0 fuses a following ReLU).
void shrink_batch_norm_forward(ptrdiff_t batch, ptrdiff_t channels, ptrdiff_t plane, ptrdiff_t first,
                               ptrdiff_t end, const float *x, const float *mean, const float *inverse,
                               const float *scale, const float *shift, float lower, float *normalized, float *y);

/// Batch-normalization backward for channels first..<end: with g = dy (or dy where mask > 0 when
/// mask is not NULL, a fused ReLU's gradient), shift_gradient[c] = Σ g, scale_gradient[c] = Σ g·x̂
/// (fp32 partial sums per plane added in fp64) and
/// dx = factor[c] · (M·g − shift_gradient[c] − x̂·scale_gradient[c]) with M = batch·plane.
void shrink_batch_norm_backward(ptrdiff_t batch, ptrdiff_t channels, ptrdiff_t plane, ptrdiff_t first,
                                ptrdiff_t end, const float *normalized, const float *dy, const float *mask,
                                const float *factor, float *shift_gradient, float *scale_gradient, float *dx);

/// The tap sum of a stride-1 convolution on a padded grid (shifted_convolution.c):
/// output[o·output_stride + q] = (accumulate ? output[…] : 0) + Σ_tap Σ_c
/// weights[(tap·outputs + o)·channels + c] · input[c·input_stride + q + offsets[tap]] for o in
/// 0..<outputs, q in 0..<width; offsets may be negative (every read must lie in the caller's
/// buffer). AVX-512 blocks of 8 × 48 or vectorized C. Swift reference: ShiftedConvolution.tapSumReference.
void shrink_shifted_tap_sum(ptrdiff_t outputs, ptrdiff_t channels, ptrdiff_t taps, const ptrdiff_t *offsets,
                            const float *weights, const float *input, ptrdiff_t input_stride, ptrdiff_t width,
                            float *output, ptrdiff_t output_stride, int accumulate);

// MARK: - Clock probe

/// Runs a chain of `count` (rounded up to a multiple of 4) dependent integer additions, one core
/// cycle each, and returns the count; timing it gives the effective core clock.
uint64_t shrink_dependent_adds(uint64_t count);

// MARK: - Wide palettes (9-16-bit indices; palette_wide_linear.c)

/// Output channels per packed wide-palette index panel.
#define SHRINK_PALETTE_WIDE_PANEL_COLUMNS 64
/// The most centroids a wide palette holds (16-bit indices).
#define SHRINK_PALETTE_WIDE_MAX_CENTROIDS 65536

/// u16 elements of the packed indices of an [n×k] wide palette: panels of 64 output channels,
/// packed[(panel · k + p) · 64 + column] (padding columns hold index 0); 0 for an empty matrix.
size_t shrink_palette_wide_packed_count(ptrdiff_t n, ptrdiff_t k);

/// Packs indices [n×k] (row stride ldi, one u16 per weight) into `packed`
/// (shrink_palette_wide_packed_count elements). Returns 0, or −1 for a centroid count outside
/// 1...65536 or an index ≥ centroid_count.
int shrink_palette_wide_pack_indices(ptrdiff_t n, ptrdiff_t k, const uint16_t *indices, ptrdiff_t ldi,
                                     ptrdiff_t centroid_count, uint16_t *packed);

/// y[m×n] = x[m×k] · Wᵀ + bias (bias may be NULL) with W[j][p] = centroids[index[j][p]] gathered
/// from the fp32 centroids in registers, products and sums in fp32 (AVX-512, AVX2 or portable by
/// shrink_cpu_active_path()). `packed` is from shrink_palette_wide_pack_indices with at most
/// centroid_count centroids (columns j0 ..< n of it start at packed + j0 · k for j0 a multiple of
/// 64); x and y must not overlap. Returns 0, or −1 for a centroid count outside 1...65536.
int shrink_palette_wide_linear(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const float *x, ptrdiff_t ldx,
                               const uint16_t *packed, const float *centroids, ptrdiff_t centroid_count,
                               const float *bias, float *y, ptrdiff_t ldy);

#ifdef __cplusplus
}
#endif

#endif
