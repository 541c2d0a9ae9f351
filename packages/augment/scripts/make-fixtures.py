#!/usr/bin/python3
"""Golden fixtures for @celeba/augment from Debian's Pillow 9.4 / torchvision 0.14.

Run with /usr/bin/python3 from packages/augment:  /usr/bin/python3 scripts/make-fixtures.py
Writes fixtures/manifest.json plus raw little-endian .bin files (uint8 HWC images, float32 tensors).
Noise sources are an integer hash (see noise()) that the tests recompute, so they are not stored.
"""
import hashlib
import json
import os
import sys

import numpy as np
import PIL
import torch
import torchvision
from PIL import Image
from torchvision import transforms as T

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "fixtures")
os.makedirs(OUT, exist_ok=True)

FILTERS = {
    "nearest": Image.Resampling.NEAREST,
    "box": Image.Resampling.BOX,
    "bilinear": Image.Resampling.BILINEAR,
    "hamming": Image.Resampling.HAMMING,
    "bicubic": Image.Resampling.BICUBIC,
    "lanczos": Image.Resampling.LANCZOS,
}
M32 = 0xFFFFFFFF


def noise(width, height, channels):
    """uint8 HWC noise from an integer hash, reproduced bit-for-bit in test/fixtures.ts."""
    out = np.zeros((height, width, channels), dtype=np.uint8)
    for y in range(height):
        for x in range(width):
            for c in range(channels):
                h = (x * 374761393 + y * 668265263 + c * 2147483647 + 12345) & M32
                h = ((h ^ (h >> 13)) * 1274126177) & M32
                out[y, x, c] = (h ^ (h >> 16)) & 255
    return out


def smooth(width, height):
    """A smooth RGB test card: gradients and sinusoids plus a hard-edged disc and bar (to hit clipping)."""
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    r = 127.5 + 110 * np.sin(x / 13.0) * np.cos(y / 17.0)
    g = 255.0 * x / (width - 1) * 0.6 + 255.0 * y / (height - 1) * 0.4
    b = 128 + 100 * np.sin((x + 2 * y) / 23.0)
    img = np.stack([r, g, b], axis=-1)
    disc = (x - width * 0.6) ** 2 + (y - height * 0.4) ** 2 < (min(width, height) * 0.18) ** 2
    img[disc] = [250, 5, 250]
    img[(y > height * 0.75) & (y < height * 0.8)] = [0, 0, 0]
    img[:, (x[0] > width * 0.1) & (x[0] < width * 0.13)] = [255, 255, 255]
    return np.clip(np.rint(img), 0, 255).astype(np.uint8)


def mode_of(arr):
    return "L" if arr.ndim == 2 or arr.shape[2] == 1 else "RGB"


def to_pil(arr):
    if arr.ndim == 3 and arr.shape[2] == 1:
        arr = arr[:, :, 0]
    return Image.fromarray(arr, mode_of(arr))


def from_pil(im):
    a = np.asarray(im, dtype=np.uint8)
    if a.ndim == 2:
        a = a[:, :, None]
    return a


cases = []
sources = {}


def write_bin(name, arr):
    path = os.path.join(OUT, name)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(np.ascontiguousarray(arr).tobytes())
    os.replace(tmp, path)
    return name


def source(name, arr, stored):
    entry = {"name": name, "width": arr.shape[1], "height": arr.shape[0], "channels": arr.shape[2]}
    if stored:
        entry["file"] = write_bin(f"src-{name}.bin", arr)
    else:
        entry["noise"] = True
    entry["sha256"] = hashlib.sha256(arr.tobytes()).hexdigest()
    sources[name] = (arr, entry)


def case(kind, src, params, out_arr, store=True):
    entry = {"kind": kind, "source": src, "params": params,
             "width": out_arr.shape[1], "height": out_arr.shape[0], "channels": out_arr.shape[2],
             "sha256": hashlib.sha256(out_arr.tobytes()).hexdigest()}
    if store:
        fname = "-".join([kind, src] + [f"{k}{v}" for k, v in params.items()]) + ".bin"
        entry["file"] = write_bin(fname, out_arr)
    cases.append(entry)


source("smooth178x218", smooth(178, 218), stored=True)
source("noise178x218", noise(178, 218, 3), stored=False)
source("noise37x29", noise(37, 29, 3), stored=False)
source("noise40x30gray", noise(40, 30, 1), stored=False)
source("noise13x11rgba", noise(13, 11, 4), stored=False)

# hflip: bit-exact with Image.transpose(FLIP_LEFT_RIGHT); big ones by hash only.
for name, store in [("smooth178x218", False), ("noise178x218", False), ("noise37x29", True), ("noise40x30gray", True), ("noise13x11rgba", True)]:
    arr = sources[name][0]
    im = to_pil(arr) if arr.shape[2] != 4 else Image.fromarray(arr, "RGBA")
    case("hflip", name, {}, from_pil(im.transpose(Image.Transpose.FLIP_LEFT_RIGHT)), store)

# resize: the 178x218 -> 220x270 with the default filter, on smooth and noisy images.
for name in ["smooth178x218", "noise178x218"]:
    im = to_pil(sources[name][0])
    case("resize", name, {"width": 220, "height": 270, "filter": "default"}, from_pil(im.resize((220, 270))))
# downscales of the card, by hash (exactness expected) and full for bicubic.
im = to_pil(sources["smooth178x218"][0])
case("resize", "smooth178x218", {"width": 64, "height": 80, "filter": "bicubic"}, from_pil(im.resize((64, 80), FILTERS["bicubic"])))
case("resize", "smooth178x218", {"width": 89, "height": 109, "filter": "bilinear"}, from_pil(im.resize((89, 109), FILTERS["bilinear"])))
for f in ["bilinear", "nearest"]:
    case("resize", "smooth178x218", {"width": 220, "height": 270, "filter": f}, from_pil(im.resize((220, 270), FILTERS[f])), store=False)
# every filter, up / down / mixed, on small noise (noise is the hardest case for rounding).
for name in ["noise37x29", "noise40x30gray"]:
    im = to_pil(sources[name][0])
    for (w, h) in [(61, 47), (19, 13), (25, 50), (37, 29 + 1)]:
        for f in FILTERS:
            case("resize", name, {"width": w, "height": h, "filter": f}, from_pil(im.resize((w, h), FILTERS[f])))

# crop: PIL box (left, upper, right, lower).
im = to_pil(sources["noise37x29"][0])
case("crop", "noise37x29", {"left": 5, "top": 3, "width": 20, "height": 17}, from_pil(im.crop((5, 3, 25, 20))))
# center crop (torchvision), odd margins to exercise round-half-even.
case("centerCrop", "noise37x29", {"width": 20, "height": 16}, from_pil(T.CenterCrop((16, 20))(im)))
case("centerCrop", "noise37x29", {"width": 34, "height": 26}, from_pil(T.CenterCrop((26, 34))(im)))

# the CelebA pipeline with fixed draws: flip, resize 220x270, crop(left, top) back to 178x218.
for name in ["smooth178x218", "noise178x218"]:
    for flip, left, top in [(True, 17, 29), (False, 42, 0), (True, 0, 52)]:
        im = to_pil(sources[name][0])
        if flip:
            im = im.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
        im = im.resize((220, 270)).crop((left, top, left + 178, top + 218))
        case("celebaTrain", name, {"flip": int(flip), "left": left, "top": top}, from_pil(im), store=False)

# torchvision ToTensor + Normalize (CHW in torch; stored transposed to HWC float32).
tensor_cases = []
for name, mean, std in [("noise37x29", [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]),
                        ("noise37x29", [0.5, 0.25, 0.125], [0.5, 0.3, 0.7]),
                        ("noise40x30gray", [0.45], [0.27])]:
    im = to_pil(sources[name][0])
    plain = T.ToTensor()(im)
    normed = T.Normalize(mean, std)(plain)
    fname = f"tensor-{name}-{len(tensor_cases)}.bin"
    write_bin(fname, normed.permute(1, 2, 0).contiguous().numpy().astype("<f4"))
    pname = f"totensor-{name}-{len(tensor_cases)}.bin"
    write_bin(pname, plain.permute(1, 2, 0).contiguous().numpy().astype("<f4"))
    tensor_cases.append({"source": name, "mean": mean, "std": std, "file": fname, "plainFile": pname})



def xoshiro128ss(state, n):
    """Reference xoshiro128** (Blackman & Vigna, xoshiro128starstar.c) for the rng test vector."""
    s = list(state)
    rotl = lambda x, k: ((x << k) | (x >> (32 - k))) & M32
    out = []
    for _ in range(n):
        out.append((rotl((s[1] * 5) & M32, 7) * 9) & M32)
        t = (s[1] << 9) & M32
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 11)
    return out


manifest = {
    "generator": "scripts/make-fixtures.py",
    "versions": {"python": sys.version.split()[0], "pillow": PIL.__version__, "torchvision": torchvision.__version__,
                 "torch": torch.__version__, "numpy": np.__version__},
    "sources": [e for (_, e) in sources.values()],
    "cases": cases,
    "tensors": tensor_cases,
    "xoshiro128ss": {"state": [1, 2, 3, 4], "outputs": xoshiro128ss([1, 2, 3, 4], 16)},
}
path = os.path.join(OUT, "manifest.json")
with open(path + ".tmp", "w") as f:
    json.dump(manifest, f, indent=1)
os.replace(path + ".tmp", path)
total = sum(os.path.getsize(os.path.join(OUT, n)) for n in os.listdir(OUT))
print(f"wrote {len(cases)} cases, {len(tensor_cases)} tensor cases, {total} bytes in fixtures/")
