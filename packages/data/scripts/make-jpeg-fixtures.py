#!/usr/bin/python3
"""JPEG decoder fixtures for @celeba/data: encoder variants and Pillow's decode of each.

Run from packages/data:  /usr/bin/python3 scripts/make-jpeg-fixtures.py
Needs Debian's python3-pil and libjpeg-turbo-progs (cjpeg for 1x2 chroma; jpegtran adds restart markers and
arithmetic coding).
Output (committed): fixtures/jpeg-variants.json, a list of
  {name, jpegBase64, width, height, rgbBase64 (PIL Image.open().convert("RGB").tobytes()), fastPath,
   sharpMatchesPil}
where fastPath says whether the wasm decoder should take the file (true) or hand it to sharp (false).
"""
import base64
import io
import json
import os
import subprocess
import tempfile

import numpy as np
from PIL import Image, ImageCms

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "jpeg-variants.json")
rng = np.random.default_rng(2026)


def picture(w, h, mode="RGB", harsh=False):
    """A smooth gradient with noise; `harsh` adds saturated stripes whose ringing overshoots [0, 255]."""
    yy, xx = np.mgrid[0:h, 0:w]
    base = np.stack([xx * 255 // max(w - 1, 1), yy * 255 // max(h - 1, 1), (xx + yy) * 97 % 256], axis=-1)
    img = base.astype(np.int16) + rng.integers(-40, 41, size=(h, w, 3))
    if harsh:
        img[:, ::3] = 255
        img[::4, :] = 0
    img = np.clip(img, 0, 255).astype(np.uint8)
    im = Image.fromarray(img, "RGB")
    return im.convert(mode) if mode != "RGB" else im


def encode(im, **kw):
    buf = io.BytesIO()
    im.save(buf, format="JPEG", **kw)
    return buf.getvalue()


def cjpeg(im, *args):
    with tempfile.TemporaryDirectory() as d:
        src = os.path.join(d, "in.ppm")
        im.save(src)
        return subprocess.run(["cjpeg", *args, src], check=True, capture_output=True).stdout


def jpegtran(data, *args):
    with tempfile.TemporaryDirectory() as d:
        src = os.path.join(d, "in.jpg")
        with open(src, "wb") as f:
            f.write(data)
        return subprocess.run(["jpegtran", *args, src], check=True, capture_output=True).stdout


cases = []


def add(name, data, fast_path, sharp_matches_pil=True):
    im = Image.open(io.BytesIO(data)).convert("RGB")
    cases.append(
        {
            "name": name,
            "jpegBase64": base64.b64encode(data).decode("ascii"),
            "width": im.width,
            "height": im.height,
            "rgbBase64": base64.b64encode(im.tobytes()).decode("ascii"),
            "fastPath": fast_path,
            # False where sharp's own decode differs from PIL's: it converts an embedded ICC profile to
            # sRGB, and CMYK through a profile, where PIL does neither. Only the fast-path decision is
            # checked for those.
            "sharpMatchesPil": sharp_matches_pil,
        }
    )


# Chroma 4:2:0 (subsampling=2), 4:2:2 (1), 4:4:4 (0). Widths up to 4 give chroma 2 samples wide, where
# libjpeg replicates instead of interpolating; odd sizes exercise the right and bottom edges.
for sub, label in [(2, "420"), (1, "422"), (0, "444")]:
    for w, h in [(1, 1), (2, 2), (3, 5), (4, 7), (5, 3), (6, 9), (16, 16), (17, 17), (33, 19), (47, 40)]:
        add(f"{label}-{w}x{h}-q85", encode(picture(w, h), quality=85, subsampling=sub), True)
for w, h in [(1, 1), (9, 13), (47, 40)]:
    add(f"gray-{w}x{h}-q90", encode(picture(w, h, "L"), quality=90), True)
for q in [100, 50, 5]:
    add(f"420-45x38-q{q}-harsh", encode(picture(45, 38, harsh=True), quality=q, subsampling=2), True)
    add(f"444-45x38-q{q}-harsh", encode(picture(45, 38, harsh=True), quality=q, subsampling=0), True)
add("420-47x40-optimized-huffman", encode(picture(47, 40), quality=90, optimize=True), True)
base = encode(picture(47, 40), quality=90, subsampling=2)
add("420-47x40-restart-every-mcu", jpegtran(base, "-restart", "1B"), True)
add("420-47x40-restart-every-row", jpegtran(base, "-restart", "1"), True)
add("gray-47x40-restart-every-3", jpegtran(encode(picture(47, 40, "L"), quality=90), "-restart", "3B"), True)
add("420-47x40-exif-and-comment", encode(picture(47, 40), quality=90, exif=b"Exif\x00\x00" + b"\x00" * 20, comment=b"hi"), True)
# Files the fast path hands to sharp.
add("420-47x40-progressive", encode(picture(47, 40), quality=90, progressive=True), False)
add("420-47x40-arithmetic", jpegtran(base, "-arithmetic"), False)
add("cmyk-17x9", encode(picture(17, 9, "CMYK"), quality=90), False, sharp_matches_pil=False)
add("h1v2-21x14", cjpeg(picture(21, 14), "-quality", "90", "-sample", "1x2"), False)
add("420-21x14-cjpeg", cjpeg(picture(21, 14), "-quality", "90", "-sample", "2x2"), True)
srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
add("420-21x14-icc-profile", encode(picture(21, 14), quality=90, icc_profile=srgb), False, sharp_matches_pil=False)

with open(OUT, "w") as f:
    json.dump(
        {
            "generator": "PIL " + Image.__version__ + ' encode, cjpeg/jpegtran (libjpeg-turbo-progs) for restarts and arithmetic coding; rgbBase64 = Image.open(...).convert("RGB").tobytes()',
            "cases": cases,
        },
        f,
        indent=1,
    )
print(f"wrote {len(cases)} cases to {OUT} ({os.path.getsize(OUT)} bytes)")
