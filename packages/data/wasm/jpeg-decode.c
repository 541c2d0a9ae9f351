// A baseline JPEG decoder for WebAssembly whose output is bit-identical to libjpeg-turbo's default decode
// to RGB (the decoder inside both Pillow and sharp): ISLOW integer IDCT, "fancy" triangle upsampling of
// 4:2:2 / 4:2:0 chroma with libjpeg's edge rules, and its fixed-point YCbCr -> RGB tables.
//
// It takes only the plain case: 8-bit baseline or extended-sequential Huffman, one scan holding every
// component, 1 (grey) or 3 (YCbCr) components, chroma subsampled 1x1, 2x1 or 2x2, no ICC profile, no Adobe
// marker, and a stream with nothing odd in it. Everything else returns a negative code and the caller
// decodes with sharp instead, so odd or broken files behave exactly as before (same pixels, same errors).
//
// Build: node scripts/build-wasm.mjs (clang --target=wasm32, no libc). No allocation: the caller passes
// the work and output buffers, sized from jpeg_header's answer.
#include <stdint.h>

#define OK 0
#define UNSUPPORTED (-1)
#define CORRUPT (-2)

typedef struct {
  uint16_t fast16[512];    // 9-bit lookahead: length << 8 | symbol, 0 when the code is longer
  int32_t maxcode[18];     // largest code of each length, -1 when none
  int32_t valoffset[18];   // symbol index = code + valoffset[length]
  uint8_t values[256];
  int defined;
} Huffman;

typedef struct {
  int id, h, v, tq, td, ta;
  int blocks_x, blocks_y;  // blocks in the plane (whole MCUs)
  int ds_width, ds_height; // libjpeg's downsampled_width / downsampled_height
  int stride;
  uint8_t *plane;
  int pred;
} Component;

static uint16_t quant[4][64];
static int quant_defined[4];
static Huffman huff_dc[4], huff_ac[4];
static Component comps[3];
static int ncomp, width, height, hmax, vmax, mcus_x, mcus_y, restart_interval;
static const uint8_t *scan_data;
static int32_t info[4];

// jpeg_natural_order, padded with 16 entries of 63 as libjpeg does so a corrupt run cannot write past it.
static const uint8_t natural[80] = {
    0,  1,  8,  16, 9,  2,  3,  10, 17, 24, 32, 25, 18, 11, 4,  5,  12, 19, 26, 33,
    40, 48, 41, 34, 27, 20, 13, 6,  7,  14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36,
    29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54,
    47, 55, 62, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63};

static int read16(const uint8_t *p) { return (p[0] << 8) | p[1]; }

static int build_huffman(Huffman *t, const uint8_t *counts, const uint8_t *symbols, int total, int is_dc) {
  for (int i = 0; i < total; i++) {
    // libjpeg rejects DC symbols above 15 (JERR_BAD_HUFF_TABLE).
    if (is_dc && symbols[i] > 15) return CORRUPT;
    t->values[i] = symbols[i];
  }
  for (int i = 0; i < 512; i++) t->fast16[i] = 0;
  int code = 0, k = 0;
  for (int len = 1; len <= 16; len++) {
    int n = counts[len - 1];
    if (n == 0) {
      t->maxcode[len] = -1;
    } else {
      t->valoffset[len] = k - code;
      for (int i = 0; i < n; i++, k++, code++) {
        if (len <= 9) {
          int first = code << (9 - len), count = 1 << (9 - len);
          for (int j = 0; j < count; j++) t->fast16[first + j] = (uint16_t)((len << 8) | t->values[k]);
        }
      }
      t->maxcode[len] = code - 1;
      // As libjpeg's jpeg_make_d_derived_tbl: codes must fit in their length, and none may be all ones.
      if (code >= (1 << len)) return CORRUPT;
    }
    code <<= 1;
  }
  t->maxcode[17] = 0x7fffffff;
  t->defined = 1;
  return OK;
}

// Parses every marker up to the first scan. info: width, height, components, work bytes.
__attribute__((export_name("jpeg_header"))) int jpeg_header(const uint8_t *data, int length) {
  const uint8_t *p = data, *end = data + length;
  for (int i = 0; i < 4; i++) quant_defined[i] = huff_dc[i].defined = huff_ac[i].defined = 0;
  ncomp = 0;
  restart_interval = 0;
  int saw_frame = 0;
  if (length < 4 || p[0] != 0xFF || p[1] != 0xD8) return UNSUPPORTED;
  p += 2;
  for (;;) {
    // Markers must follow each other directly (fill bytes 0xFF allowed): libjpeg warns otherwise.
    if (p + 2 > end || p[0] != 0xFF) return CORRUPT;
    while (p < end && p[0] == 0xFF) p++;
    if (p >= end) return CORRUPT;
    int marker = *p++;
    if (marker == 0xD8 || marker == 0xD9 || (marker >= 0xD0 && marker <= 0xD7) || marker == 0x01)
      return CORRUPT;
    if (p + 2 > end) return CORRUPT;
    int seglen = read16(p);
    if (seglen < 2 || p + seglen > end) return CORRUPT;
    const uint8_t *s = p + 2, *send = p + seglen;
    p += seglen;
    switch (marker) {
      case 0xC0:
      case 0xC1: {  // baseline / extended sequential, Huffman
        if (saw_frame || send - s < 6) return CORRUPT;
        saw_frame = 1;
        if (s[0] != 8) return UNSUPPORTED;
        height = read16(s + 1);
        width = read16(s + 3);
        ncomp = s[5];
        if (height == 0 || width == 0) return UNSUPPORTED;  // DNL-defined height
        if (ncomp != 1 && ncomp != 3) return UNSUPPORTED;
        if (send - s != 6 + 3 * ncomp) return CORRUPT;
        hmax = vmax = 1;
        for (int c = 0; c < ncomp; c++) {
          Component *cp = &comps[c];
          cp->id = s[6 + 3 * c];
          cp->h = s[7 + 3 * c] >> 4;
          cp->v = s[7 + 3 * c] & 15;
          cp->tq = s[8 + 3 * c];
          if (cp->h < 1 || cp->h > 4 || cp->v < 1 || cp->v > 4 || cp->tq > 3) return CORRUPT;
          if (cp->h > hmax) hmax = cp->h;
          if (cp->v > vmax) vmax = cp->v;
        }
        break;
      }
      case 0xC4: {  // DHT
        while (s < send) {
          if (send - s < 17) return CORRUPT;
          int tc = s[0] >> 4, th = s[0] & 15, total = 0;
          if (tc > 1 || th > 3) return CORRUPT;
          for (int i = 0; i < 16; i++) total += s[1 + i];
          if (total > 256 || send - s < 17 + total) return CORRUPT;
          int r = build_huffman(tc ? &huff_ac[th] : &huff_dc[th], s + 1, s + 17, total, tc == 0);
          if (r != OK) return r;
          s += 17 + total;
        }
        break;
      }
      case 0xDB: {  // DQT
        while (s < send) {
          int pq = s[0] >> 4, tq = s[0] & 15;
          if (pq > 1 || tq > 3 || send - s < 1 + 64 * (pq + 1)) return CORRUPT;
          for (int k = 0; k < 64; k++)
            quant[tq][natural[k]] = pq ? (uint16_t)read16(s + 1 + 2 * k) : s[1 + k];
          quant_defined[tq] = 1;
          s += 1 + 64 * (pq + 1);
        }
        break;
      }
      case 0xDD:  // DRI
        if (send - s != 2) return CORRUPT;
        restart_interval = read16(s);
        break;
      case 0xE0:  // APP0: libjpeg warns about a JFIF major version other than 1
        if (send - s >= 7 && s[0] == 'J' && s[1] == 'F' && s[2] == 'I' && s[3] == 'F' && s[4] == 0 && s[5] != 1)
          return CORRUPT;
        break;
      case 0xE2:  // APP2: an ICC profile makes sharp convert colours, so leave those files to sharp
        if (send - s >= 12 && s[0] == 'I' && s[1] == 'C' && s[2] == 'C' && s[3] == '_') return UNSUPPORTED;
        break;
      case 0xEE:  // APP14 "Adobe": its transform flag changes the colour space
        if (send - s >= 5 && s[0] == 'A' && s[1] == 'd' && s[2] == 'o' && s[3] == 'b' && s[4] == 'e')
          return UNSUPPORTED;
        break;
      case 0xDA: {  // SOS
        if (!saw_frame || send - s < 1) return CORRUPT;
        int n = s[0];
        if (n != ncomp || send - s != 4 + 2 * n) return UNSUPPORTED;  // one scan with every component
        for (int i = 0; i < n; i++) {
          int id = s[1 + 2 * i], c;
          for (c = 0; c < ncomp && comps[c].id != id; c++) {
          }
          if (c != i) return UNSUPPORTED;  // scan order differs from frame order
          comps[c].td = s[2 + 2 * i] >> 4;
          comps[c].ta = s[2 + 2 * i] & 15;
          if (comps[c].td > 3 || comps[c].ta > 3) return CORRUPT;
          if (!huff_dc[comps[c].td].defined || !huff_ac[comps[c].ta].defined) return CORRUPT;
          if (!quant_defined[comps[c].tq]) return CORRUPT;
        }
        const uint8_t *q = s + 1 + 2 * n;
        if (q[0] != 0 || q[1] != 63 || q[2] != 0) return UNSUPPORTED;  // Ss, Se, Ah/Al of a sequential scan
        // libjpeg reads component ids 'R','G','B' without a JFIF marker as RGB; leave that to sharp.
        if (ncomp == 3 && comps[0].id == 'R' && comps[1].id == 'G' && comps[2].id == 'B') return UNSUPPORTED;
        if (ncomp == 3) {
          // Luma at full resolution, chroma at 1x1, 2x1 or 2x2 of it: the ratios libjpeg upsamples "fancily".
          if (comps[0].h != hmax || comps[0].v != vmax) return UNSUPPORTED;
          for (int c = 1; c < 3; c++) {
            if (hmax % comps[c].h || vmax % comps[c].v) return UNSUPPORTED;
            int rh = hmax / comps[c].h, rv = vmax / comps[c].v;
            if (!((rh == 1 && rv == 1) || (rh == 2 && rv == 1) || (rh == 2 && rv == 2))) return UNSUPPORTED;
          }
        }
        scan_data = send;
        int64_t work = 0;
        if (ncomp == 1) {
          // A single-component scan is non-interleaved: one block per MCU, whatever the sampling factors.
          Component *cp = &comps[0];
          cp->blocks_x = (width + 7) / 8;
          cp->blocks_y = (height + 7) / 8;
          cp->ds_width = width;
          cp->ds_height = height;
        } else {
          mcus_x = (width + 8 * hmax - 1) / (8 * hmax);
          mcus_y = (height + 8 * vmax - 1) / (8 * vmax);
          for (int c = 0; c < ncomp; c++) {
            Component *cp = &comps[c];
            cp->blocks_x = mcus_x * cp->h;
            cp->blocks_y = mcus_y * cp->v;
            cp->ds_width = (width * cp->h + hmax - 1) / hmax;
            cp->ds_height = (height * cp->v + vmax - 1) / vmax;
          }
        }
        for (int c = 0; c < ncomp; c++) {
          comps[c].stride = comps[c].blocks_x * 8;
          work += (int64_t)comps[c].stride * comps[c].blocks_y * 8;
        }
        work += 2 * (int64_t)(width + 16);  // two upsampled chroma rows
        if (work > 0x40000000) return UNSUPPORTED;
        info[0] = width;
        info[1] = height;
        info[2] = ncomp;
        info[3] = (int32_t)work;
        return OK;
      }
      default:
        // APPn and COM are skipped, as libjpeg does. SOF2/3/5-15 (progressive, lossless, hierarchical,
        // arithmetic), DAC, DNL and the rest are sharp's job: libjpeg rejects unknown markers outright.
        if ((marker >= 0xE0 && marker <= 0xEF) || marker == 0xFE) break;
        return UNSUPPORTED;
    }
  }
}

__attribute__((export_name("jpeg_info"))) int32_t *jpeg_info(void) { return info; }

// ---- entropy decoding -------------------------------------------------------------------------------

static const uint8_t *pos, *stream_end;
static uint32_t bits;  // MSB-aligned
static int nbits;      // valid bits in `bits`
static int fake_bits;  // trailing zero bits invented past a marker or the end of the data
static int at_marker;
static int next_restart;

static void fill(void) {
  while (nbits <= 24) {
    uint32_t b = 0;
    if (!at_marker && pos < stream_end) {
      if (*pos == 0xFF) {
        if (pos + 1 < stream_end && pos[1] == 0x00) {
          b = 0xFF;
          pos += 2;
        } else {
          at_marker = 1;
          fake_bits += 8;
        }
      } else {
        b = *pos++;
      }
    } else {
      fake_bits += 8;
    }
    bits |= b << (24 - nbits);
    nbits += 8;
  }
}

static inline void consume(int n) {
  bits <<= n;
  nbits -= n;
}

static inline int get_bits(int n) {
  if (nbits < n) fill();
  int v = (int)(bits >> (32 - n));
  consume(n);
  return v;
}

static inline int extend(int v, int s) { return v < (1 << (s - 1)) ? v - (1 << s) + 1 : v; }

static int decode_symbol(const Huffman *t) {
  if (nbits < 16) fill();
  int e = t->fast16[bits >> 23];
  if (e) {
    consume(e >> 8);
    return e & 255;
  }
  for (int len = 10; len <= 16; len++) {
    int code = (int)(bits >> (32 - len));
    if (code <= t->maxcode[len]) {
      consume(len);
      return t->values[(code + t->valoffset[len]) & 255];
    }
  }
  return -1;  // libjpeg: "bad Huffman code" warning
}

static int decode_block(Component *cp, int16_t *coef) {
  for (int i = 0; i < 64; i++) coef[i] = 0;
  int t = decode_symbol(&huff_dc[cp->td]);
  if (t < 0) return CORRUPT;
  int diff = t ? extend(get_bits(t), t) : 0;
  cp->pred += diff;
  coef[0] = (int16_t)cp->pred;
  const Huffman *ac = &huff_ac[cp->ta];
  for (int k = 1; k < 64; k++) {
    int rs = decode_symbol(ac);
    if (rs < 0) return CORRUPT;
    int r = rs >> 4, s = rs & 15;
    if (s) {
      k += r;
      coef[natural[k]] = (int16_t)extend(get_bits(s), s);
    } else {
      if (r != 15) break;
      k += 15;
    }
  }
  return fake_bits > nbits ? CORRUPT : OK;  // used invented bits: libjpeg's "premature end of data"
}

// ---- ISLOW inverse DCT (libjpeg's jidctint.c arithmetic) -------------------------------------------

#define CONST_BITS 13
#define PASS1_BITS 2
#define FIX_0_298631336 2446
#define FIX_0_390180644 3196
#define FIX_0_541196100 4433
#define FIX_0_765366865 6270
#define FIX_0_899976223 7373
#define FIX_1_175875602 9633
#define FIX_1_501321110 12299
#define FIX_1_847759065 15137
#define FIX_1_961570560 16069
#define FIX_2_053119869 16819
#define FIX_2_562915447 20995
#define FIX_3_072711026 25172
#define DESCALE(x, n) (((x) + (1 << ((n)-1))) >> (n))

// libjpeg-turbo has two ISLOW IDCTs, the C one (32-bit, wrap-around range limit past |v| = 512) and the x86
// SIMD one (16-bit lanes that saturate). They agree while every value stays in range, which holds for any
// file an encoder wrote: dequantised coefficients within 1024 + q/2. Outside that (damaged data), which one
// ran decides the pixels, so the image goes to sharp instead: `out_of_range` records it.
static int out_of_range;

#define CHECK_RANGE(v, limit) out_of_range |= (unsigned)((v) + (limit)) > (unsigned)(2 * (limit)-1)

static inline uint8_t clamp_sample(int v) {
  CHECK_RANGE(v, 512);
  v += 128;
  return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
}

// One 8-point ISLOW pass (jidctint.c's even and odd parts): v[k] = sum before descaling, in output order 0..7.
static inline void idct_1d(int in0, int in1, int in2, int in3, int in4, int in5, int in6, int in7, int *v) {
  int z1 = (in2 + in6) * FIX_0_541196100;
  int tmp2 = z1 + in6 * (-FIX_1_847759065);
  int tmp3 = z1 + in2 * FIX_0_765366865;
  int tmp0 = (in0 + in4) * (1 << CONST_BITS);
  int tmp1 = (in0 - in4) * (1 << CONST_BITS);
  int tmp10 = tmp0 + tmp3, tmp13 = tmp0 - tmp3, tmp11 = tmp1 + tmp2, tmp12 = tmp1 - tmp2;
  tmp0 = in7;
  tmp1 = in5;
  tmp2 = in3;
  tmp3 = in1;
  z1 = tmp0 + tmp3;
  int z2 = tmp1 + tmp2, z3 = tmp0 + tmp2, z4 = tmp1 + tmp3;
  int z5 = (z3 + z4) * FIX_1_175875602;
  tmp0 *= FIX_0_298631336;
  tmp1 *= FIX_2_053119869;
  tmp2 *= FIX_3_072711026;
  tmp3 *= FIX_1_501321110;
  z1 *= -FIX_0_899976223;
  z2 *= -FIX_2_562915447;
  z3 = z3 * -FIX_1_961570560 + z5;
  z4 = z4 * -FIX_0_390180644 + z5;
  tmp0 += z1 + z3;
  tmp1 += z2 + z4;
  tmp2 += z2 + z3;
  tmp3 += z1 + z4;
  v[0] = tmp10 + tmp3;
  v[7] = tmp10 - tmp3;
  v[1] = tmp11 + tmp2;
  v[6] = tmp11 - tmp2;
  v[2] = tmp12 + tmp1;
  v[5] = tmp12 - tmp1;
  v[3] = tmp13 + tmp0;
  v[4] = tmp13 - tmp0;
}

static void idct_islow(const int16_t *coef, const uint16_t *q, uint8_t *out, int stride) {
  int ws[64], v[8];
  for (int c = 0; c < 8; c++) {
    int d[8];
    for (int k = 0; k < 8; k++) {
      d[k] = coef[8 * k + c] * q[8 * k + c];
      // Sums of four such values must fit the SIMD code's 16-bit lanes.
      CHECK_RANGE(d[k], 2048);
    }
    if ((d[1] | d[2] | d[3] | d[4] | d[5] | d[6] | d[7]) == 0) {
      int dc = d[0] * (1 << PASS1_BITS);
      for (int r = 0; r < 8; r++) ws[8 * r + c] = dc;
      continue;
    }
    idct_1d(d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7], v);
    for (int r = 0; r < 8; r++) {
      ws[8 * r + c] = DESCALE(v[r], CONST_BITS - PASS1_BITS);
      CHECK_RANGE(ws[8 * r + c], 32768);
    }
  }
  for (int r = 0; r < 8; r++, out += stride) {
    const int *w = ws + 8 * r;
    if ((w[1] | w[2] | w[3] | w[4] | w[5] | w[6] | w[7]) == 0) {
      uint8_t dc = clamp_sample(DESCALE(w[0], PASS1_BITS + 3));
      for (int i = 0; i < 8; i++) out[i] = dc;
      continue;
    }
    idct_1d(w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7], v);
    for (int i = 0; i < 8; i++) out[i] = clamp_sample(DESCALE(v[i], CONST_BITS + PASS1_BITS + 3));
  }
}

// ---- scan -------------------------------------------------------------------------------------------

static int restart(void) {
  // Drop the padding bits, then expect RSTn right here (libjpeg warns and resyncs otherwise).
  if (fake_bits > nbits) return CORRUPT;
  int whole_bytes = (nbits - fake_bits) / 8;
  if (whole_bytes > 0) return CORRUPT;  // data left before the marker
  const uint8_t *p = pos;
  if (p >= stream_end || *p != 0xFF) return CORRUPT;
  while (p < stream_end && *p == 0xFF) p++;
  if (p >= stream_end || *p != 0xD0 + next_restart) return CORRUPT;
  next_restart = (next_restart + 1) & 7;
  pos = p + 1;
  bits = 0;
  nbits = fake_bits = at_marker = 0;
  for (int c = 0; c < ncomp; c++) comps[c].pred = 0;
  return OK;
}

static int decode_scan(void) {
  int16_t coef[64];
  pos = scan_data;
  bits = 0;
  nbits = fake_bits = at_marker = next_restart = 0;
  for (int c = 0; c < ncomp; c++) comps[c].pred = 0;
  int total, per_row;
  if (ncomp == 1) {
    per_row = comps[0].blocks_x;
    total = per_row * comps[0].blocks_y;
  } else {
    per_row = mcus_x;
    total = mcus_x * mcus_y;
  }
  for (int m = 0; m < total; m++) {
    if (restart_interval && m > 0 && m % restart_interval == 0) {
      int r = restart();
      if (r != OK) return r;
    }
    int mx = m % per_row, my = m / per_row;
    if (ncomp == 1) {
      Component *cp = &comps[0];
      if (decode_block(cp, coef) != OK) return CORRUPT;
      idct_islow(coef, quant[cp->tq], cp->plane + (my * 8) * cp->stride + mx * 8, cp->stride);
      continue;
    }
    for (int c = 0; c < ncomp; c++) {
      Component *cp = &comps[c];
      for (int by = 0; by < cp->v; by++) {
        for (int bx = 0; bx < cp->h; bx++) {
          if (decode_block(cp, coef) != OK) return CORRUPT;
          int row = (my * cp->v + by) * 8, col = (mx * cp->h + bx) * 8;
          idct_islow(coef, quant[cp->tq], cp->plane + row * cp->stride + col, cp->stride);
        }
      }
    }
  }
  // The scan must end here: padding bits, then EOI (libjpeg warns about extraneous bytes otherwise).
  if (fake_bits > nbits || (nbits - fake_bits) / 8 > 0) return CORRUPT;
  const uint8_t *p = pos;
  if (p >= stream_end || *p != 0xFF) return CORRUPT;
  while (p < stream_end && *p == 0xFF) p++;
  if (p >= stream_end || *p != 0xD9) return CORRUPT;
  if (p + 1 != stream_end) return UNSUPPORTED;  // trailing bytes after EOI: leave to sharp
  return OK;
}

// ---- upsampling and colour conversion ---------------------------------------------------------------

// libjpeg's h2v1_fancy_upsample / h2v1_upsample for one row.
static void upsample_h2v1(const uint8_t *in, int ds_width, uint8_t *out) {
  if (ds_width <= 2) {
    for (int i = 0; i < ds_width; i++) out[2 * i] = out[2 * i + 1] = in[i];
    return;
  }
  int v = in[0];
  *out++ = (uint8_t)v;
  *out++ = (uint8_t)((v * 3 + in[1] + 2) >> 2);
  for (int i = 1; i < ds_width - 1; i++) {
    v = in[i] * 3;
    *out++ = (uint8_t)((v + in[i - 1] + 1) >> 2);
    *out++ = (uint8_t)((v + in[i + 1] + 2) >> 2);
  }
  v = in[ds_width - 1];
  *out++ = (uint8_t)((v * 3 + in[ds_width - 2] + 1) >> 2);
  *out = (uint8_t)v;
}

// libjpeg's h2v2_fancy_upsample / h2v2_upsample for output row `y` of a component.
static void upsample_h2v2(const Component *cp, int y, uint8_t *out) {
  int near = y >> 1;
  const uint8_t *in0 = cp->plane + near * cp->stride;
  int n = cp->ds_width;
  if (n <= 2) {
    for (int i = 0; i < n; i++) out[2 * i] = out[2 * i + 1] = in0[i];
    return;
  }
  // The nearer row's neighbour above (even y) or below (odd y), the edge rows repeated as libjpeg's context.
  int far = (y & 1) ? near + 1 : near - 1;
  if (far < 0) far = 0;
  if (far > cp->ds_height - 1) far = cp->ds_height - 1;
  const uint8_t *in1 = cp->plane + far * cp->stride;
  int this_sum = in0[0] * 3 + in1[0], next_sum = in0[1] * 3 + in1[1], last_sum;
  *out++ = (uint8_t)((this_sum * 4 + 8) >> 4);
  *out++ = (uint8_t)((this_sum * 3 + next_sum + 7) >> 4);
  last_sum = this_sum;
  this_sum = next_sum;
  for (int i = 2; i < n; i++) {
    next_sum = in0[i] * 3 + in1[i];
    *out++ = (uint8_t)((this_sum * 3 + last_sum + 8) >> 4);
    *out++ = (uint8_t)((this_sum * 3 + next_sum + 7) >> 4);
    last_sum = this_sum;
    this_sum = next_sum;
  }
  *out++ = (uint8_t)((this_sum * 3 + last_sum + 8) >> 4);
  *out = (uint8_t)((this_sum * 4 + 7) >> 4);
}

static const uint8_t *chroma_row(const Component *cp, int y, uint8_t *scratch) {
  int rh = hmax / cp->h, rv = vmax / cp->v;
  if (rh == 1 && rv == 1) return cp->plane + y * cp->stride;
  if (rv == 1) {
    upsample_h2v1(cp->plane + y * cp->stride, cp->ds_width, scratch);
    return scratch;
  }
  upsample_h2v2(cp, y, scratch);
  return scratch;
}

#define SCALEBITS 16
#define ONE_HALF (1 << (SCALEBITS - 1))

static int cr_r[256], cb_b[256], cr_g[256], cb_g[256];
static int tables_ready;

static void build_color_tables(void) {
  // jdcolor.c's build_ycc_rgb_table: FIX(1.40200) = 91881, FIX(1.77200) = 116130, FIX(0.71414) = 46802,
  // FIX(0.34414) = 22554.
  for (int i = 0; i < 256; i++) {
    int x = i - 128;
    cr_r[i] = (91881 * x + ONE_HALF) >> SCALEBITS;
    cb_b[i] = (116130 * x + ONE_HALF) >> SCALEBITS;
    cr_g[i] = -46802 * x;
    cb_g[i] = -22554 * x + ONE_HALF;
  }
  tables_ready = 1;
}

static inline uint8_t clamp255(int v) { return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v); }

// Decodes the image whose headers jpeg_header has just read into `out` (width * height * 3 RGB bytes).
__attribute__((export_name("jpeg_decode"))) int jpeg_decode(const uint8_t *data, int length, uint8_t *work,
                                                             uint8_t *out) {
  stream_end = data + length;
  uint8_t *w = work;
  for (int c = 0; c < ncomp; c++) {
    comps[c].plane = w;
    w += comps[c].stride * comps[c].blocks_y * 8;
  }
  out_of_range = 0;
  int r = decode_scan();
  if (r != OK) return r;
  if (out_of_range) return UNSUPPORTED;
  if (ncomp == 1) {
    const Component *cp = &comps[0];
    for (int y = 0; y < height; y++) {
      const uint8_t *g = cp->plane + y * cp->stride;
      for (int x = 0; x < width; x++, out += 3) out[0] = out[1] = out[2] = g[x];
    }
    return OK;
  }
  if (!tables_ready) build_color_tables();
  uint8_t *cb_scratch = w, *cr_scratch = w + width + 16;
  for (int y = 0; y < height; y++) {
    const uint8_t *yy = comps[0].plane + y * comps[0].stride;
    const uint8_t *cb = chroma_row(&comps[1], y, cb_scratch);
    const uint8_t *cr = chroma_row(&comps[2], y, cr_scratch);
    for (int x = 0; x < width; x++, out += 3) {
      int l = yy[x], b = cb[x], rr = cr[x];
      out[0] = clamp255(l + cr_r[rr]);
      out[1] = clamp255(l + ((cb_g[b] + cr_g[rr]) >> SCALEBITS));
      out[2] = clamp255(l + cb_b[b]);
    }
  }
  return OK;
}
