#!/usr/bin/python3
"""Golden fixtures for @celeba/data, made with Debian's python3-pil and the standard zipfile module.

Run from packages/data:  /usr/bin/python3 scripts/make-fixtures.py
Outputs (all small, committed): fixtures/tiny-rgb.jpg, fixtures/tiny-gray.jpg, fixtures/pil-decoded.json,
and, for the shared zip reader's tests, ../internal/fixtures/python.zip, python-zip64.zip and zips.json.
"""
import base64
import hashlib
import io
import json
import os
import zipfile

import numpy as np
from PIL import Image

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures")
os.makedirs(OUT, exist_ok=True)
# The zips test the zip reader of the private @celeba/internal package; they hold this script's JPEGs.
ZIP_OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "internal", "fixtures")
rng = np.random.default_rng(1234)


def save(name, data):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)


def jpeg(img, **kw):
    buf = io.BytesIO()
    img.save(buf, format="JPEG", **kw)
    return buf.getvalue()


# Odd sizes exercise the chroma upsampling at the right/bottom edges.
h, w = 19, 23
yy, xx = np.mgrid[0:h, 0:w]
rgb = np.stack([xx * 11 % 256, yy * 13 % 256, (xx * yy * 7) % 256], axis=-1).astype(np.int16)
rgb = np.clip(rgb + rng.integers(-30, 31, size=rgb.shape), 0, 255).astype(np.uint8)
tiny_rgb = jpeg(Image.fromarray(rgb, "RGB"), quality=85, subsampling=2)
save("tiny-rgb.jpg", tiny_rgb)
gray = np.clip(xx * 9 + yy * 5 + rng.integers(-20, 21, size=(h, w)), 0, 255).astype(np.uint8)
tiny_gray = jpeg(Image.fromarray(gray, "L"), quality=90)
save("tiny-gray.jpg", tiny_gray)

decoded = {}
for name, data in [("tiny-rgb.jpg", tiny_rgb), ("tiny-gray.jpg", tiny_gray)]:
    im = Image.open(io.BytesIO(data))
    mode = im.mode
    im = im.convert("RGB")
    decoded[name] = {
        "sourceMode": mode,
        "width": im.width,
        "height": im.height,
        "rgbBase64": base64.b64encode(im.tobytes()).decode("ascii"),
    }
with open(os.path.join(OUT, "pil-decoded.json"), "w") as f:
    json.dump({"generator": "PIL " + Image.__version__ + ' Image.open(...).convert("RGB").tobytes()', "images": decoded}, f, indent=1)

entries = [
    ("img_align_celeba/000001.jpg", tiny_rgb, zipfile.ZIP_DEFLATED),
    ("img_align_celeba/000002.jpg", tiny_gray, zipfile.ZIP_STORED),
    ("img_align_celeba/notes.txt", b"hello zip " * 50, zipfile.ZIP_DEFLATED),
]


def make_zip(path, force_zip64):
    if force_zip64:
        # Shrink the module's limits so every size, offset and count "overflows" and zipfile writes
        # zip64 extra fields, the zip64 end record and its locator, as it does for the real 1.4 GB file.
        saved = (zipfile.ZIP64_LIMIT, zipfile.ZIP_FILECOUNT_LIMIT)
        zipfile.ZIP64_LIMIT, zipfile.ZIP_FILECOUNT_LIMIT = 0, 0
    try:
        with zipfile.ZipFile(path, "w") as z:
            z.writestr(zipfile.ZipInfo("img_align_celeba/", date_time=(2015, 1, 1, 0, 0, 0)), b"")
            for name, data, method in entries:
                info = zipfile.ZipInfo(name, date_time=(2015, 1, 1, 0, 0, 0))
                info.compress_type = method
                z.writestr(info, data)
    finally:
        if force_zip64:
            zipfile.ZIP64_LIMIT, zipfile.ZIP_FILECOUNT_LIMIT = saved


make_zip(os.path.join(ZIP_OUT, "python.zip"), False)
make_zip(os.path.join(ZIP_OUT, "python-zip64.zip"), True)
with open(os.path.join(ZIP_OUT, "python-zip64.zip"), "rb") as f:
    raw = f.read()
assert b"PK\x06\x06" in raw and b"PK\x06\x07" in raw, "zip64 records missing"
with zipfile.ZipFile(os.path.join(ZIP_OUT, "python-zip64.zip")) as z:
    assert [i.filename for i in z.infolist()][1:] == [e[0] for e in entries]

with open(os.path.join(ZIP_OUT, "zips.json"), "w") as f:
    json.dump(
        {
            "generator": "CPython zipfile (python-zip64.zip with ZIP64_LIMIT = ZIP_FILECOUNT_LIMIT = 0)",
            "entries": [
                {"name": n, "method": m, "size": len(d), "sha256": hashlib.sha256(d).hexdigest()} for n, d, m in entries
            ],
        },
        f,
        indent=1,
    )
print("wrote fixtures to", os.path.normpath(OUT))
