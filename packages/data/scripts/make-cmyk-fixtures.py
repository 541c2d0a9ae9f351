#!/usr/bin/python3
"""CMYK and YCCK JPEG fixtures for @celeba/data, with Pillow's decode of each.

Run from packages/data:  /usr/bin/python3 scripts/make-cmyk-fixtures.py
Needs Debian's python3-pil (9.4) and numpy.
Output (committed): fixtures/cmyk-jpegs.json, {generator, cases: [{name, jpegBase64, width, height,
  rgbBase64}]}, where rgbBase64 is PIL's Image.open(f).convert("RGB").tobytes(), the reference.

Pillow writes CMYK JPEGs with an Adobe APP14 marker (transform 0, values stored inverted, as
Photoshop does). The YCCK case is such a file whose components are re-encoded as libjpeg's YCCK
(transform 2); the no-Adobe case drops the marker, so the values are read uninverted. Each case's
reference is whatever Pillow decodes from the final bytes.
"""
import base64
import io
import json
import os

import numpy as np
from PIL import Image

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "cmyk-jpegs.json")
rng = np.random.default_rng(15)


def cmyk_picture(w, h):
    yy, xx = np.mgrid[0:h, 0:w]
    planes = np.stack(
        [xx * 255 // max(w - 1, 1), yy * 255 // max(h - 1, 1), (xx + yy) * 37 % 256, (xx * yy) % 200],
        axis=-1,
    )
    img = np.clip(planes + rng.integers(-30, 31, size=(h, w, 4)), 0, 255).astype(np.uint8)
    return img


def encode_cmyk(planes, quality):
    buf = io.BytesIO()
    Image.fromarray(planes, "CMYK").save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def find_adobe(data):
    i = 2
    while i < len(data) - 4:
        assert data[i] == 0xFF, "marker expected"
        marker = data[i + 1]
        length = data[i + 2] << 8 | data[i + 3]
        if marker == 0xEE and data[i + 4 : i + 9] == b"Adobe":
            return i, length
        if marker == 0xDA:
            break
        i += 2 + length
    raise ValueError("no Adobe APP14 marker")


def stored_ycck(planes):
    """The YCCK components whose decode gives back `planes` as Pillow reads CMYK.

    Pillow reads CMYK as inverted (255 - libjpeg's values), and libjpeg's ycck_cmyk_convert gives
    C, M, Y = 255 - R, G, B of the stored YCbCr and K as stored; so the stored YCbCr is that of
    R, G, B = the planes' C, M, Y, and the stored K is 255 - K.
    """
    cmy = planes[..., :3].astype(np.float64)
    r, g, b = cmy[..., 0], cmy[..., 1], cmy[..., 2]
    y = 0.299 * r + 0.587 * g + 0.114 * b
    cb = -0.168736 * r - 0.331264 * g + 0.5 * b + 128
    cr = 0.5 * r - 0.418688 * g - 0.081312 * b + 128
    out = np.stack([y, cb, cr, 255.0 - planes[..., 3]], axis=-1)
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)


cases = []


def add(name, jpeg):
    im = Image.open(io.BytesIO(jpeg))
    assert im.mode == "CMYK", (name, im.mode)
    rgb = im.convert("RGB")
    cases.append(
        {
            "name": name,
            "jpegBase64": base64.b64encode(jpeg).decode(),
            "width": rgb.width,
            "height": rgb.height,
            "rgbBase64": base64.b64encode(rgb.tobytes()).decode(),
        }
    )


for w, h, q in [(17, 9, 90), (64, 48, 75)]:
    planes = cmyk_picture(w, h)
    jpeg = encode_cmyk(planes, q)
    add(f"cmyk-adobe-{w}x{h}", jpeg)
    at, length = find_adobe(jpeg)
    add(f"cmyk-no-adobe-{w}x{h}", jpeg[:at] + jpeg[at + 2 + length :])
    # Pillow stores the CMYK it is given inverted: hand it the inverted YCCK components, then mark
    # the file as YCCK (transform byte 2), so libjpeg converts YCCK -> CMYK when reading it.
    ycck = bytearray(encode_cmyk(255 - stored_ycck(planes), q))
    at, _ = find_adobe(ycck)
    assert ycck[at + 15] == 0, "Pillow's CMYK is expected to carry transform 0"
    ycck[at + 15] = 2
    add(f"ycck-{w}x{h}", bytes(ycck))

with open(OUT, "w") as f:
    json.dump({"generator": "scripts/make-cmyk-fixtures.py (Pillow 9.4)", "cases": cases}, f, indent=1)
    f.write("\n")
print(f"wrote {len(cases)} cases to {OUT}")
