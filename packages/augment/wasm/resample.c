// Inner loops of Pillow 9.4's 8-bit separable resampling (libImaging/Resample.c), in WebAssembly SIMD.
// The coefficients are computed in TypeScript (src/resample.ts) exactly as Pillow does; these loops only
// apply them, with the same int32 fixed-point arithmetic, so the output is bit-identical to Pillow's.
// Build: packages/augment/scripts/build-wasm.sh (clang 14 --target=wasm32, no libc).
#include <stdint.h>
#include <wasm_simd128.h>

#define PRECISION_BITS 22
#define HALF (1 << (PRECISION_BITS - 1))

// Horizontal pass. For each of `rows` rows (starting `src_stride` bytes apart) and each of `cols` output
// pixels, sums `taps` source pixels at byte offsets `offsets[col * taps + k]` (mirroring already folded in)
// with weights `weights[col * taps + k]`. A pixel is handled as one i32x4 of up to 4 channels, so `src`
// must be readable 4 bytes past its last pixel, and `out` writable 4 bytes past its last pixel.
__attribute__((export_name("horizontal_pass"))) void horizontal_pass(const uint8_t *src, int src_stride,
                                                                     int rows, int cols, int channels,
                                                                     int taps, const int32_t *offsets,
                                                                     const int32_t *weights, uint8_t *out) {
  const v128_t half = wasm_i32x4_splat(HALF);
  for (int r = 0; r < rows; r++) {
    const uint8_t *row = src + r * src_stride;
    const int32_t *off = offsets;
    const int32_t *w = weights;
    for (int j = 0; j < cols; j++) {
      v128_t acc = half;
      for (int k = 0; k < taps; k++) {
        v128_t px = wasm_v128_load32_zero(row + off[k]);
        px = wasm_u32x4_extend_low_u16x8(wasm_u16x8_extend_low_u8x16(px));
        acc = wasm_i32x4_add(acc, wasm_i32x4_mul(px, wasm_v128_load32_splat(w + k)));
      }
      off += taps;
      w += taps;
      acc = wasm_i32x4_shr(acc, PRECISION_BITS);
      // Saturating narrows clamp to [0, 255] exactly as Pillow's clip8.
      v128_t bytes = wasm_u8x16_narrow_i16x8(wasm_i16x8_narrow_i32x4(acc, acc), wasm_i16x8_splat(0));
      wasm_v128_store32_lane(out, bytes, 0);
      out += channels;
    }
  }
}

// Vertical pass. Output row y is the sum of `taps` consecutive rows of `src` (each `stride` bytes) starting
// at row `first_row[y]`, with weights `weights[y * taps + k]`. Works 16 bytes at a time; the last chunk of a
// row may overrun by up to 15 bytes on both sides, so both buffers need 16 bytes of padding.
__attribute__((export_name("vertical_pass"))) void vertical_pass(const uint8_t *src, int stride, int rows,
                                                                 int taps, const int32_t *first_row,
                                                                 const int32_t *weights, uint8_t *out) {
  const v128_t half = wasm_i32x4_splat(HALF);
  for (int y = 0; y < rows; y++) {
    const uint8_t *base = src + first_row[y] * stride;
    const int32_t *w = weights + y * taps;
    uint8_t *dst = out + y * stride;
    for (int i = 0; i < stride; i += 16) {
      v128_t a0 = half, a1 = half, a2 = half, a3 = half;
      const uint8_t *p = base + i;
      for (int k = 0; k < taps; k++) {
        v128_t v = wasm_v128_load(p);
        v128_t wk = wasm_v128_load32_splat(w + k);
        v128_t lo = wasm_u16x8_extend_low_u8x16(v);
        v128_t hi = wasm_u16x8_extend_high_u8x16(v);
        a0 = wasm_i32x4_add(a0, wasm_i32x4_mul(wasm_u32x4_extend_low_u16x8(lo), wk));
        a1 = wasm_i32x4_add(a1, wasm_i32x4_mul(wasm_u32x4_extend_high_u16x8(lo), wk));
        a2 = wasm_i32x4_add(a2, wasm_i32x4_mul(wasm_u32x4_extend_low_u16x8(hi), wk));
        a3 = wasm_i32x4_add(a3, wasm_i32x4_mul(wasm_u32x4_extend_high_u16x8(hi), wk));
        p += stride;
      }
      a0 = wasm_i32x4_shr(a0, PRECISION_BITS);
      a1 = wasm_i32x4_shr(a1, PRECISION_BITS);
      a2 = wasm_i32x4_shr(a2, PRECISION_BITS);
      a3 = wasm_i32x4_shr(a3, PRECISION_BITS);
      wasm_v128_store(dst + i, wasm_u8x16_narrow_i16x8(wasm_i16x8_narrow_i32x4(a0, a1),
                                                       wasm_i16x8_narrow_i32x4(a2, a3)));
    }
  }
}
