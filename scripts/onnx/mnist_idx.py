"""Reads the MNIST IDX files (optionally gzipped) with numpy only.

Shared by train_third_party.py and reference_eval.py. Nothing is downloaded:
the directory must already hold the four files, named as in Data/mnist
(`train-images-idx3-ubyte[.gz]`, `train-labels-idx1-ubyte[.gz]`,
`t10k-images-idx3-ubyte[.gz]`, `t10k-labels-idx1-ubyte[.gz]`).
If a SHA256SUMS file sits beside them (format of Data/mnist/SHA256SUMS: sha256
of the .gz, sha256 of the decompressed bytes, file name), both are checked.
"""

from __future__ import annotations

import gzip
import hashlib
import os

import numpy as np

# Candidate locations, tried in order when no directory is given.
DEFAULT_DIRS = (
    "/work/main/Data/mnist",
    "/work/shared/data/mnist",
    os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Data", "mnist"),
)

MEAN = 0.1307
STD = 0.3081


def find_mnist_dir(explicit: str | None = None) -> str:
    candidates = (explicit,) if explicit else DEFAULT_DIRS
    for d in candidates:
        if d and os.path.isdir(d) and _resolve(d, "t10k-images-idx3-ubyte") is not None:
            return os.path.abspath(d)
    raise SystemExit(f"MNIST IDX files not found in {', '.join(c for c in candidates if c)}")


def _resolve(directory: str, stem: str) -> str | None:
    for name in (stem + ".gz", stem):
        p = os.path.join(directory, name)
        if os.path.isfile(p):
            return p
    return None


def _checksums(directory: str) -> dict[str, tuple[str, str]]:
    path = os.path.join(directory, "SHA256SUMS")
    sums: dict[str, tuple[str, str]] = {}
    if not os.path.isfile(path):
        return sums
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) == 3 and not line.startswith("#"):
                sums[parts[2]] = (parts[0], parts[1])
    return sums


def read_idx(path: str, expected: tuple[str, str] | None = None) -> np.ndarray:
    with open(path, "rb") as f:
        stored = f.read()
    raw = gzip.decompress(stored) if path.endswith(".gz") else stored
    if expected is not None:
        gz_sum, raw_sum = expected
        if path.endswith(".gz") and hashlib.sha256(stored).hexdigest() != gz_sum:
            raise SystemExit(f"{path}: sha256 of the .gz differs from SHA256SUMS")
        if hashlib.sha256(raw).hexdigest() != raw_sum:
            raise SystemExit(f"{path}: sha256 of the IDX bytes differs from SHA256SUMS")
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        raise SystemExit(f"{path}: not an unsigned-byte IDX file")
    rank = raw[3]
    dims = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(rank))
    data = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * rank)
    if data.size != int(np.prod(dims)):
        raise SystemExit(f"{path}: {data.size} elements, header says {dims}")
    return data.reshape(dims)


def load_split(directory: str, split: str) -> tuple[np.ndarray, np.ndarray]:
    """Returns (images uint8 [N,28,28], labels int64 [N]) for split 'train' or 't10k'."""
    sums = _checksums(directory)
    out = []
    for stem in (f"{split}-images-idx3-ubyte", f"{split}-labels-idx1-ubyte"):
        p = _resolve(directory, stem)
        if p is None:
            raise SystemExit(f"{stem}[.gz] not found in {directory}")
        out.append(read_idx(p, sums.get(os.path.basename(p))))
    images, labels = out
    if images.shape[0] != labels.shape[0]:
        raise SystemExit(f"{split}: {images.shape[0]} images but {labels.shape[0]} labels")
    return images, labels.astype(np.int64)


def normalize(images: np.ndarray, mean: float = MEAN, std: float = STD) -> np.ndarray:
    """uint8 [N,28,28] -> float32 [N,1,28,28]: (pixel/255 - mean) / std."""
    x = images.astype(np.float32) / np.float32(255.0)
    x = (x - np.float32(mean)) / np.float32(std)
    return x[:, None, :, :]
