import * as tf from "@tensorflow/tfjs-core";
import { maxPadRank } from "./backend-capabilities";
import { type GroupedConvImpl, groupedConv2d } from "./grouped-conv";

// The input half of the im2col convolution gradient (./conv-gradient): `conv2DBackpropInput`
// written with ops every backend has, strided outputs scattered back in place.

/**
 * The input gradient of a (grouped) convolution as a convolution of the output gradient with
 * the flipped, transposed filter. Internal; see {@link conv2dIm2colGrad}.
 */
export function inputGradient(
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  xShape: [number, number, number, number],
  options: { stride: number; pad: number; groups: number; impl: GroupedConvImpl | "auto" },
): tf.Tensor4D {
  const { stride, pad, groups, impl } = options;
  const [kh, kw, inPerGroup, out] = filter.shape;
  return tf.tidy(() => {
    if (groups === 1 && kh === 1 && kw === 1 && pad === 0) {
      // A pointwise convolution is a matrix product; with a stride the product lands on
      // every stride-th pixel and the rest of dx is zero.
      const [n, oh, ow] = dy.shape;
      // The filter is transposed explicitly: matMul's transpose flags are slow on wasm.
      const prod = tf.matMul(
        tf.reshape(dy, [n * oh * ow, out]),
        tf.transpose(tf.reshape(filter, [inPerGroup, out])),
      );
      const dxs = tf.reshape(prod, [n, oh, ow, inPerGroup]) as tf.Tensor4D;
      if (stride === 1) return dxs;
      return scatterStrided(dxs, xShape, stride);
    }
    if (groups === 1) return tf.conv2dTranspose(dy, filter, xShape, stride, pad) as tf.Tensor4D;
    if (kh === kw && pad <= kh - 1) {
      // The input gradient is itself a grouped convolution: dy, dilated by the stride,
      // correlated with the spatially flipped filter, each group's in/out swapped, padded by
      // k - 1 - pad. That runs as one fast grouped formulation instead of `groups` transposed
      // convolutions (and wasm's slow channel split).
      const outPerGroup = out / groups;
      const flipped = tf.reverse(filter, [0, 1]);
      const swapped = tf.reshape(
        tf.transpose(
          tf.reshape(flipped, [kh, kw, inPerGroup, groups, outPerGroup]),
          [0, 1, 4, 3, 2],
        ),
        [kh, kw, outPerGroup, groups * inPerGroup],
      ) as tf.Tensor4D;
      const p = kh - 1 - pad;
      if (stride === 1) return groupedConv2d(dy, swapped, { groups, stride: 1, pad: p, impl });
      const [n, h, w] = xShape;
      // Dilated dy placed from the top-left, sized so that a valid convolution gives h x w.
      const dilated = scatterStrided(dy, [n, h + kh - 1 - p, w + kw - 1 - p, out], stride);
      const padded = tf.pad(dilated, [
        [0, 0],
        [p, 0],
        [p, 0],
        [0, 0],
      ]);
      dilated.dispose();
      const dx = groupedConv2d(padded, swapped, { groups, stride: 1, pad: 0, impl });
      padded.dispose();
      return dx;
    }
    const dys = tf.split(dy, groups, 3) as tf.Tensor4D[];
    const fs = tf.split(filter, groups, 3) as tf.Tensor4D[];
    const groupShape: [number, number, number, number] = [
      xShape[0],
      xShape[1],
      xShape[2],
      inPerGroup,
    ];
    return tf.concat(
      dys.map((d, g) => tf.conv2dTranspose(d, fs[g]!, groupShape, stride, pad) as tf.Tensor4D),
      3,
    );
  });
}

/** Places `v` `[N, oh, ow, C]` at every `stride`-th pixel of a zero tensor of `shape`. */
function scatterStrided(
  v: tf.Tensor4D,
  shape: [number, number, number, number],
  stride: number,
): tf.Tensor4D {
  const [n, oh, ow, c] = v.shape;
  const [, h, w] = shape;
  return tf.tidy(() => scatterStridedIn(v, n, oh, ow, c, h, w, stride));
}

/** {@link scatterStrided}'s body; the interleaved map is freed as soon as it is padded. */
function scatterStridedIn(
  v: tf.Tensor4D,
  n: number,
  oh: number,
  ow: number,
  c: number,
  h: number,
  w: number,
  stride: number,
): tf.Tensor4D {
  // Interleave zeros: [N, oh, 1, ow, 1, C] padded to [N, oh, s, ow, s, C] is the dilated map.
  const interleaved =
    maxPadRank(tf.getBackend()) >= 6
      ? tf.pad(tf.reshape(v, [n, oh, 1, ow, 1, c]), [
          [0, 0],
          [0, 0],
          [0, stride - 1],
          [0, 0],
          [0, stride - 1],
          [0, 0],
        ])
      : interleaveRank4(v, n, oh, ow, c, stride);
  const spread = tf.reshape(interleaved, [n, oh * stride, ow * stride, c]) as tf.Tensor4D;
  const dh = h - oh * stride;
  const dw = w - ow * stride;
  let fitted = spread;
  if (dh < 0 || dw < 0) {
    fitted = tf.slice(
      spread,
      [0, 0, 0, 0],
      [n, Math.min(h, oh * stride), Math.min(w, ow * stride), c],
    );
    tf.dispose([interleaved, spread]);
  }
  const placed = tf.pad(fitted, [
    [0, 0],
    [0, Math.max(0, dh)],
    [0, Math.max(0, dw)],
    [0, 0],
  ]) as tf.Tensor4D;
  tf.dispose([interleaved, spread, fitted]);
  return placed;
}

/**
 * The same zero-interleaved `[N, oh, s, ow, s, C]` map as one rank-6 pad, made with two rank-4
 * pads (columns first, then rows) for backends whose pad stops at rank 4 ({@link maxPadRank}).
 */
function interleaveRank4(
  v: tf.Tensor4D,
  n: number,
  oh: number,
  ow: number,
  c: number,
  stride: number,
): tf.Tensor {
  const columns = tf.pad(tf.reshape(v, [n * oh, ow, 1, c]), [
    [0, 0],
    [0, 0],
    [0, stride - 1],
    [0, 0],
  ]);
  const rows = tf.pad(tf.reshape(columns, [n, oh, 1, ow * stride * c]), [
    [0, 0],
    [0, 0],
    [0, stride - 1],
    [0, 0],
  ]);
  columns.dispose();
  return rows;
}
