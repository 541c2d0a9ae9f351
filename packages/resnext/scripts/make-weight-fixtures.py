#!/usr/bin/python3
"""Golden fixtures for @celeba/resnext's weight readers (run with Debian's /usr/bin/python3).

Writes into fixtures/weights/:
  sd.zip.pth            torch.save (zip format, torch 1.13, archive folder "sd.zip")
  sd.legacy.pth         torch.save(..., _use_new_zipfile_serialization=False)
  sd.big-endian.pth     the zip re-written by hand: byteorder record "big", storages byte-swapped
  sd.deflate.pth        the zip re-packed with deflate and the archive folder renamed "weird_name"
  sd.safetensors        written by the hand-written safetensors writer below
  checkpoint.pth        {"epoch", "state_dict" with DataParallel "module." keys, "optimizer", ...}
  checkpoint.legacy.pth the same, legacy format
  expected.json         every tensor's dtype, shape and values (int64 as strings)
  evil-*.{pkl,pth}      hand-made malicious pickles (never run here; see `disassemble`)

Usage:
  /usr/bin/python3 scripts/make-weight-fixtures.py            # (re)generate
  /usr/bin/python3 scripts/make-weight-fixtures.py --verify-ts
      reads fixtures/weights/written-by-ts.safetensors (written by our TypeScript writer, see
      src/safetensors.test.ts) with a pure-Python safetensors reader plus numpy/torch and checks
      it against the same tensors, so the TS writer is proven loadable by Python.
"""

import collections
import io
import json
import os
import struct
import sys
import zipfile

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "fixtures", "weights")
PWNED = "/tmp/celeba-resnext-pwned"


def make_state_dict():
    g = torch.Generator().manual_seed(1234)

    def randn(*shape):
        return torch.randn(*shape, generator=g)

    sd = collections.OrderedDict()
    sd["conv1.weight"] = randn(4, 3, 3, 3)
    # A transposed (non-contiguous) view: stride (1, 5).
    sd["fc.weight"] = randn(6, 5).t()
    # A slice with a storage offset into a bigger storage.
    sd["fc.bias"] = randn(20)[7:12]
    # Every other column: stride (8, 2).
    sd["strided"] = randn(3, 8)[:, ::2]
    # Broadcast view with a zero stride.
    sd["expanded"] = randn(3, 1).expand(3, 4)
    # Two overlapping views of one storage.
    base = randn(12)
    sd["shared.a"] = base[0:6].view(2, 3)
    sd["shared.b"] = base[2:10]
    sd["half"] = (randn(2, 5) * 100).half()
    sd["half_t"] = randn(3, 4).half().t()
    sd["bf16"] = randn(2, 3).bfloat16()
    sd["double"] = randn(3).double()
    sd["bn1.num_batches_tracked"] = torch.tensor(123456789012345, dtype=torch.int64)
    sd["int64"] = torch.tensor([-(2 ** 62), -1, 0, 2 ** 53 + 1], dtype=torch.int64)
    sd["int32"] = torch.tensor([-2 ** 31, -7, 0, 2 ** 31 - 1], dtype=torch.int32)
    sd["int16"] = torch.tensor([-32768, 5, 32767], dtype=torch.int16)
    sd["uint8"] = torch.tensor([0, 1, 128, 255], dtype=torch.uint8)
    sd["int8"] = torch.tensor([-128, -1, 0, 127], dtype=torch.int8)
    sd["mask"] = torch.tensor([[True, False], [False, True]])
    sd["empty"] = torch.zeros(0, 3)
    sd["scalar"] = torch.tensor(3.25)
    sd["param"] = torch.nn.Parameter(randn(3))
    return sd


def expected_json(sd):
    out = collections.OrderedDict()
    for k, t in sd.items():
        t = t.detach()
        if t.dtype in (torch.float16, torch.bfloat16):
            values = t.float().flatten().tolist()
        elif t.dtype == torch.int64:
            values = [str(v) for v in t.flatten().tolist()]
        elif t.dtype == torch.bool:
            values = [int(v) for v in t.flatten().tolist()]
        else:
            values = t.flatten().tolist()
        out[k] = {"dtype": str(t.dtype).replace("torch.", ""), "shape": list(t.shape), "values": values}
    return out


ST_DTYPES = {
    torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16", torch.float64: "F64",
    torch.int64: "I64", torch.int32: "I32", torch.int16: "I16", torch.int8: "I8",
    torch.uint8: "U8", torch.bool: "BOOL",
}
ST_NUMPY = {
    "F32": "<f4", "F16": "<f2", "F64": "<f8", "I64": "<i8", "I32": "<i4", "I16": "<i2",
    "I8": "i1", "U8": "u1", "BOOL": "u1",
}


def tensor_bytes(t):
    t = t.detach().contiguous()
    if t.dtype == torch.bfloat16:
        return t.view(torch.int16).numpy().astype("<i2").tobytes()
    return t.numpy().astype(t.numpy().dtype.newbyteorder("<")).tobytes()


def write_safetensors(path, sd, metadata=None):
    """Hand-written writer (the pip package is not installed): same layout as safetensors."""
    header = collections.OrderedDict()
    if metadata:
        header["__metadata__"] = metadata
    blobs, offset = [], 0
    for k, t in sd.items():
        b = tensor_bytes(t)
        header[k] = {"dtype": ST_DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def read_safetensors(path):
    """Pure-Python reader following the safetensors spec, strict about offsets (like the Rust crate)."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    assert n <= len(data) - 8, "header length past end"
    header = json.loads(data[8:8 + n].decode("utf-8"))
    assert data[8:9] == b"{", "header must start with {"
    body = data[8 + n:]
    metadata = header.pop("__metadata__", None)
    if metadata is not None:
        assert all(isinstance(v, str) for v in metadata.values()), "metadata values must be strings"
    # The Rust crate requires the tensors to tile the data section exactly, in offset order.
    spans = sorted((v["data_offsets"][0], v["data_offsets"][1], k) for k, v in header.items())
    pos = 0
    for begin, end, k in spans:
        assert begin == pos, f"{k}: gap or overlap at {begin} (expected {pos})"
        pos = end
    assert pos == len(body), f"data section has {len(body)} bytes, tensors cover {pos}"
    out = collections.OrderedDict()
    for k, v in header.items():
        begin, end = v["data_offsets"]
        raw = body[begin:end]
        if v["dtype"] == "BF16":
            t = torch.frombuffer(bytearray(raw), dtype=torch.int16).view(torch.bfloat16) if raw else torch.zeros(0, dtype=torch.bfloat16)
        else:
            arr = np.frombuffer(raw, dtype=ST_NUMPY[v["dtype"]])
            t = torch.from_numpy(arr.astype(arr.dtype.newbyteorder("=")).copy())
            if v["dtype"] == "BOOL":
                t = t.bool()
        out[k] = t.reshape(v["shape"])
    return out, metadata


def storage_dtypes_of_zip_pickle(pkl):
    """Map storage key -> dtype by unpickling data.pkl with a recording persistent_load (our own file)."""
    found = {}

    class U(__import__("pickle").Unpickler):
        def persistent_load(self, pid):
            _, storage_type, key, _location, numel = pid
            found[key] = storage_type.dtype
            return torch.storage.TypedStorage(numel, dtype=storage_type.dtype)

    U(io.BytesIO(pkl)).load()
    return found


def rewrite_zip(src, dst, transform, compression=zipfile.ZIP_STORED, rename=None):
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", compression=compression) as zout:
        prefix = zin.namelist()[0].split("/")[0]
        records = {n: zin.read(n) for n in zin.namelist()}
        for name, data in transform(prefix, records).items():
            if rename is not None:
                name = rename + name[len(prefix):]
            zout.writestr(name, data)


def to_big_endian(prefix, records):
    dtypes = storage_dtypes_of_zip_pickle(records[f"{prefix}/data.pkl"])
    out = {}
    for name, data in records.items():
        key = name[len(f"{prefix}/data/"):] if name.startswith(f"{prefix}/data/") else None
        if key is not None:
            size = torch.tensor([], dtype=dtypes[key]).element_size()
            if size > 1:
                data = np.frombuffer(data, dtype=f"u{size}").byteswap().tobytes()
        out[name] = data
    out[f"{prefix}/byteorder"] = b"big"
    return out


def legacy_header():
    """The three small pickles that open a legacy torch.save file."""
    buf = io.BytesIO()
    import pickle
    pickle.dump(torch.serialization.MAGIC_NUMBER, buf, protocol=2)
    pickle.dump(torch.serialization.PROTOCOL_VERSION, buf, protocol=2)
    pickle.dump({"protocol_version": 1001, "little_endian": True,
                 "type_sizes": {"short": 2, "int": 4, "long": 4}}, buf, protocol=2)
    return buf.getvalue()


def evil_pickles():
    """Hand-assembled pickles that would run `touch PWNED` if a real unpickler loaded them."""
    cmd = f"touch {PWNED}".encode()
    unicode_cmd = b"\x8c" + bytes([len(cmd)]) + cmd
    # protocol 2: GLOBAL 'os system', arg tuple, REDUCE, STOP
    os_system = b"\x80\x02cos\nsystem\n" + unicode_cmd + b"\x85R."
    # What pickle.dumps of a __reduce__ to os.system really produces on Linux: posix.system.
    posix_system = b"\x80\x02cposix\nsystem\n" + unicode_cmd + b"\x85R."
    # protocol 4: STACK_GLOBAL builtins.exec, hidden inside an otherwise valid state dict.
    code = f"open('{PWNED}', 'w').close()".encode()
    body = (
        b"}\x94(\x8c\x03foo\x94K\x01"  # EMPTY_DICT, MEMOIZE, MARK, 'foo', 1
        b"\x8c\x03bar\x94"  # 'bar'
        b"\x8c\x08builtins\x94\x8c\x04exec\x94\x93\x94"  # STACK_GLOBAL builtins.exec
        + b"\x8c" + bytes([len(code)]) + code + b"\x85R"  # (code,) REDUCE
        + b"u."  # SETITEMS, STOP
    )
    builtins_exec = b"\x80\x04\x95" + struct.pack("<Q", len(body)) + body  # PROTO 4, FRAME
    return os_system, posix_system, builtins_exec


def disassemble(data):
    import pickletools
    out = io.StringIO()
    pickletools.dis(data, out)
    return out.getvalue()


def main():
    os.makedirs(OUT, exist_ok=True)
    sd = make_state_dict()
    torch.save(sd, os.path.join(OUT, "sd.zip.pth"))
    torch.save(sd, os.path.join(OUT, "sd.legacy.pth"), _use_new_zipfile_serialization=False)
    rewrite_zip(os.path.join(OUT, "sd.zip.pth"), os.path.join(OUT, "sd.big-endian.pth"), to_big_endian)
    rewrite_zip(os.path.join(OUT, "sd.zip.pth"), os.path.join(OUT, "sd.deflate.pth"),
                lambda p, r: r, compression=zipfile.ZIP_DEFLATED, rename="weird_name")
    write_safetensors(os.path.join(OUT, "sd.safetensors"), sd, {"format": "pt", "source": "make-weight-fixtures.py"})
    # Pickle protocol 4 (FRAME, SHORT_BINUNICODE, MEMOIZE, STACK_GLOBAL) in both containers.
    torch.save(sd, os.path.join(OUT, "sd.zip-proto4.pth"), pickle_protocol=4)
    torch.save(sd, os.path.join(OUT, "sd.legacy-proto4.pth"), pickle_protocol=4,
               _use_new_zipfile_serialization=False)
    # A TorchScript archive (torch.jit.save) is a zip with data.pkl too, but holds code.
    torch.jit.save(torch.jit.script(torch.nn.Linear(2, 1)), os.path.join(OUT, "torchscript.pt"))

    # A training checkpoint around a DataParallel state dict.
    g = torch.Generator().manual_seed(99)
    inner = collections.OrderedDict()
    inner["module.fc.weight"] = torch.randn(2, 3, generator=g)
    inner["module.fc.bias"] = torch.randn(2, generator=g)
    ckpt = {
        "epoch": 3,
        "best_acc": 0.9125,
        "arch": "resnext50_32x4d",
        "state_dict": inner,
        "optimizer": {"state": {}, "param_groups": [{"lr": 0.002, "betas": (0.9, 0.999), "params": [0, 1]}]},
        "history": [1.5, None, True, b"raw-bytes", {"nested": (1, 2)}],
        "big": 2 ** 70,
    }
    torch.save(ckpt, os.path.join(OUT, "checkpoint.pth"))
    torch.save(ckpt, os.path.join(OUT, "checkpoint.legacy.pth"), _use_new_zipfile_serialization=False)

    # Malicious files, never loaded here.
    os_system, posix_system, builtins_exec = evil_pickles()
    head = legacy_header()
    with open(os.path.join(OUT, "evil-os-system.pkl"), "wb") as f:
        f.write(os_system)
    with open(os.path.join(OUT, "evil-legacy-posix-system.pth"), "wb") as f:
        f.write(head + posix_system)
    with open(os.path.join(OUT, "evil-legacy-builtins-exec.pth"), "wb") as f:
        f.write(head + builtins_exec)
    with zipfile.ZipFile(os.path.join(OUT, "evil-zip-os-system.pth"), "w") as z:
        z.writestr("archive/data.pkl", os_system)
        z.writestr("archive/version", b"3\n")
    with zipfile.ZipFile(os.path.join(OUT, "evil-zip-posix-system.pth"), "w") as z:
        z.writestr("evil/data.pkl", posix_system)
    assert "GLOBAL     'posix system'" in disassemble(posix_system)
    assert "STACK_GLOBAL" in disassemble(builtins_exec)

    exp = {
        "sd": expected_json(sd),
        "checkpoint": expected_json(collections.OrderedDict((k[len("module."):], v) for k, v in inner.items())),
        "pwned_path": PWNED,
        "torch_version": torch.__version__,
    }
    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump(exp, f, indent=1)

    # Self-checks: torch reads back what it wrote; our safetensors reader reads our writer.
    # (sd.deflate.pth is not checked: torch 1.13 only reads stored entries; the TS reader takes both.)
    for name in ("sd.zip.pth", "sd.legacy.pth", "sd.zip-proto4.pth", "sd.legacy-proto4.pth"):
        back = torch.load(os.path.join(OUT, name))
        assert all(torch.equal(back[k], v) for k, v in sd.items()), name
    back, meta = read_safetensors(os.path.join(OUT, "sd.safetensors"))
    assert list(back) == list(sd) and meta["format"] == "pt"
    assert all(torch.equal(back[k], v.detach()) for k, v in sd.items())
    total = sum(os.path.getsize(os.path.join(OUT, n)) for n in os.listdir(OUT))
    print(f"wrote {len(os.listdir(OUT))} files, {total} bytes, into {os.path.normpath(OUT)}")


def verify_ts():
    path = os.path.join(OUT, "written-by-ts.safetensors")
    back, meta = read_safetensors(path)
    sd = make_state_dict()
    assert list(back) == list(sd), f"keys/order differ: {list(back)}"
    for k, v in sd.items():
        v = v.detach()
        assert back[k].dtype == v.dtype, (k, back[k].dtype, v.dtype)
        assert torch.equal(back[k], v.contiguous()), k
    assert meta == {"writer": "@celeba/resnext", "epoch": "3"}, meta
    print(f"OK: {path} ({len(back)} tensors, metadata {meta}) matches torch bit for bit")


def big(out_dir):
    """A full torchvision resnext50_32x4d (seeded, ~100 MB a file) in all three formats, for
    the Python-gated test in src/read-state-dict.big.test.ts; never committed."""
    import torchvision
    torch.manual_seed(0)
    model = torchvision.models.resnext50_32x4d()
    sd = model.state_dict()
    torch.save(sd, os.path.join(out_dir, "resnext50_32x4d.zip.pth"))
    torch.save(sd, os.path.join(out_dir, "resnext50_32x4d.legacy.pth"), _use_new_zipfile_serialization=False)
    write_safetensors(os.path.join(out_dir, "resnext50_32x4d.safetensors"), sd)
    summary = collections.OrderedDict()
    for k, t in sd.items():
        flat = t.flatten()
        summary[k] = {
            "dtype": str(t.dtype).replace("torch.", ""),
            "shape": list(t.shape),
            "sum": float(t.double().sum()),
            "first": [str(v) if t.dtype == torch.int64 else v for v in flat[:3].tolist()],
            "last": [str(v) if t.dtype == torch.int64 else v for v in flat[-3:].tolist()],
        }
    with open(os.path.join(out_dir, "summary.json"), "w") as f:
        json.dump(summary, f)


if __name__ == "__main__":
    if "--verify-ts" in sys.argv:
        verify_ts()
    elif "--big" in sys.argv:
        big(sys.argv[sys.argv.index("--big") + 1])
    else:
        main()
