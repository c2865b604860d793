#!/usr/bin/env bash
# Fetches ONNX's backend node tests (onnx/backend/test/data/node/*) from the
# onnx==1.16.2 wheel on PyPI and unpacks them into CACHE_DIR/node.
#
#   scripts/onnx/fetch_node_tests.sh CACHE_DIR
#
# Result: CACHE_DIR/node/<test_name>/model.onnx and
#         CACHE_DIR/node/<test_name>/test_data_set_N/{input,output}_K.pb
# (the wheel's onnx/backend/test/data/node/ prefix is stripped), plus
# CACHE_DIR/node/.complete holding the wheel's sha256.
#
# Needs only python3 with pip (python3 -m pip, or pip3/pip on PATH): no venv, no
# unzip. The test data does not depend on the Python version or platform, so the
# script always asks pip for one pinned wheel (CPython 3.11, manylinux x86_64),
# whatever python runs it, and checks it against a pinned sha256 (pip checks it
# too, through --require-hashes). Idempotent: an existing complete unpack is kept,
# a cached wheel with the right hash is reused. Exits non-zero with a message on
# any failure.
set -euo pipefail

ONNX_VERSION="1.16.2"
WHEEL="onnx-1.16.2-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"
WHEEL_SHA256="7b98aa9733bd4b781eb931d33b4078ff2837e7d68062460726d6dd011f332bd4"
PREFIX="onnx/backend/test/data/node/"

die() { echo "fetch_node_tests.sh: error: $*" >&2; exit 1; }

[ $# -eq 1 ] || { echo "usage: $0 CACHE_DIR" >&2; exit 2; }
CACHE_DIR="$1"

command -v python3 >/dev/null 2>&1 || die "python3 not found on PATH"

NODE_DIR="$CACHE_DIR/node"
WHEEL_DIR="$CACHE_DIR/wheel"
MARKER="$NODE_DIR/.complete"

if [ -f "$MARKER" ] && [ "$(cat "$MARKER")" = "$WHEEL_SHA256" ]; then
    count=$(find "$NODE_DIR" -mindepth 1 -maxdepth 1 -type d | wc -l)
    echo "node tests already in $NODE_DIR ($count tests, onnx $ONNX_VERSION); nothing to do"
    exit 0
fi

mkdir -p "$WHEEL_DIR" || die "cannot create $WHEEL_DIR"

sha256_of() {
    python3 -c 'import hashlib,sys
h = hashlib.sha256()
with open(sys.argv[1], "rb") as f:
    for block in iter(lambda: f.read(1 << 20), b""):
        h.update(block)
print(h.hexdigest())' "$1"
}

wheel_path="$WHEEL_DIR/$WHEEL"
if [ -f "$wheel_path" ] && [ "$(sha256_of "$wheel_path")" = "$WHEEL_SHA256" ]; then
    echo "using cached $wheel_path"
else
    rm -f "$wheel_path"
    if python3 -m pip --version >/dev/null 2>&1; then
        PIP=(python3 -m pip)
    elif command -v pip3 >/dev/null 2>&1; then
        PIP=(pip3)
    elif command -v pip >/dev/null 2>&1; then
        PIP=(pip)
    else
        die "pip not found (tried python3 -m pip, pip3, pip); on Debian: apt-get install python3-pip"
    fi
    req=$(mktemp)
    trap 'rm -f "$req"' EXIT
    echo "onnx==$ONNX_VERSION --hash=sha256:$WHEEL_SHA256" > "$req"
    echo "downloading $WHEEL with ${PIP[*]}"
    # `pip download` is allowed on PEP 668 (externally managed) systems; only install is not.
    "${PIP[@]}" download --no-deps --only-binary=:all: --require-hashes -r "$req" \
        --python-version 3.11 --implementation cp --abi cp311 \
        --platform manylinux_2_17_x86_64 -d "$WHEEL_DIR" \
        || die "pip download of onnx==$ONNX_VERSION failed: PyPI unreachable, or a hash mismatch with the pinned sha256 (see pip's message above)"
    [ -f "$wheel_path" ] || die "pip did not leave $wheel_path"
    actual=$(sha256_of "$wheel_path")
    [ "$actual" = "$WHEEL_SHA256" ] \
        || die "sha256 of $wheel_path is $actual, expected $WHEEL_SHA256"
fi
echo "wheel sha256 OK: $WHEEL_SHA256"

# Unpack into a temporary sibling, then move into place, so an interrupted run
# never leaves a half-filled CACHE_DIR/node that looks complete.
tmp_dir="$CACHE_DIR/node.tmp.$$"
rm -rf "$tmp_dir"
python3 - "$wheel_path" "$PREFIX" "$tmp_dir" <<'PY' || { rm -rf "$tmp_dir"; die "unpacking the node tests failed"; }
import os, sys, zipfile
wheel, prefix, dest = sys.argv[1:4]
n = 0
with zipfile.ZipFile(wheel) as z:
    for info in z.infolist():
        name = info.filename
        if not name.startswith(prefix) or name.endswith("/"):
            continue
        rel = name[len(prefix):]
        parts = rel.split("/")
        if any(p in ("", ".", "..") for p in parts):
            raise SystemExit(f"unsafe path in wheel: {name}")
        target = os.path.join(dest, *parts)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with z.open(info) as src, open(target, "wb") as out:
            out.write(src.read())
        n += 1
if n == 0:
    raise SystemExit(f"no files under {prefix} in {wheel}")
print(f"unpacked {n} files")
PY
rm -rf "$NODE_DIR"
mv "$tmp_dir" "$NODE_DIR" || die "cannot move $tmp_dir to $NODE_DIR"
echo "$WHEEL_SHA256" > "$MARKER"
count=$(find "$NODE_DIR" -mindepth 1 -maxdepth 1 -type d | wc -l)
echo "node tests of onnx $ONNX_VERSION in $NODE_DIR ($count tests)"
