#!/usr/bin/env bash
# Exports Shrink model files to ONNX and checks that onnxruntime (CPU, one thread) computes what
# Shrink's runtime computes for the same seeded input (scripts/onnx/check_roundtrip.py).
#
#   scripts/onnx/roundtrip.sh --shrink BINARY --venv DIR --work DIR MODEL.shrink[:qdq] ...
#
# fp32 exports must agree within 1e-5 of the largest output magnitude. A ":qdq" model (an int8
# file) is exported as QDQ int8 and checked twice, within 1e-2: with onnxruntime's graph
# optimizations off (float arithmetic on dequantized values, where Shrink accumulates integers
# exactly: the float rounding of one layer can move an activation across a code boundary, which
# moves the logits by about one quantization step; seen: LeNet-5 6.7e-3, resnet-mini 1.4e-7) and
# with all optimizations (onnxruntime's own integer kernels, which also round requantization and
# the bias differently). --venv is created with scripts/onnx/requirements-check.txt when it does
# not exist.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
shrink="" venv="" work=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --shrink) shrink="$2"; shift 2 ;;
        --venv) venv="$2"; shift 2 ;;
        --work) work="$2"; shift 2 ;;
        --) shift; break ;;
        -*) echo "roundtrip.sh: unknown option $1" >&2; exit 2 ;;
        *) break ;;
    esac
done
[[ -x "$shrink" && -n "$venv" && -d "$work" && $# -gt 0 ]] || {
    echo "usage: roundtrip.sh --shrink BINARY --venv DIR --work DIR MODEL.shrink[:qdq] ..." >&2; exit 2; }
if [[ ! -x "$venv/bin/python" ]]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q -r "$here/requirements-check.txt"
fi
for entry in "$@"; do
    model="${entry%:qdq}"
    name="$(basename "$model" .shrink)"
    if [[ "$entry" == *:qdq ]]; then
        "$shrink" export "$model" --qdq --output "$work/$name-qdq.onnx" --force --check-files "$work"
        "$venv/bin/python" "$here/check_roundtrip.py" "$work/$name-qdq.onnx" "$work/$name-qdq.input.npy" "$work/$name-qdq.expected.npy" \
            --optimization disable --tolerance 1e-2
        "$venv/bin/python" "$here/check_roundtrip.py" "$work/$name-qdq.onnx" "$work/$name-qdq.input.npy" "$work/$name-qdq.expected.npy" \
            --optimization all --tolerance 1e-2
    else
        "$shrink" export "$model" --output "$work/$name.onnx" --force --check-files "$work"
        "$venv/bin/python" "$here/check_roundtrip.py" "$work/$name.onnx" "$work/$name.input.npy" "$work/$name.expected.npy" --tolerance 1e-5
    fi
done
