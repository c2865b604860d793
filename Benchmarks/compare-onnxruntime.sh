#!/usr/bin/env bash
# The VGG-16 classifier head (25088-4096-4096-1000) on ONE thread: onnxruntime fp32 and
# quantize_dynamic int8, PyTorch fp32 and quantize_dynamic int8, against every Shrink encoding
# (int4: ptq-4bit's signed symmetric codes; shrink-benchmarks kernels --format tsv),
# batch 1 and 64, in one invocation; then
# LeNet-300-100 single-sample latency per encoding (shrink-benchmarks runtime). Prints the
# machine, the load, a side-by-side table (median and p5–p95 ms) and the acceptance ratios of
# issues 6 and 14.
#
# Usage: Benchmarks/compare-onnxruntime.sh [--samples N] [--skip-lenet] [--skip-pytorch]
# The first run creates Benchmarks/.venv-ort (onnxruntime, onnx, numpy and the CPU build of
# torch; git-ignored). Raw rows are kept in Benchmarks/results/onnxruntime.tsv.tmp.
set -euo pipefail

cd "$(dirname "$0")"
samples=21
lenet=1
pytorch=1
while [[ $# -gt 0 ]]; do
    case "$1" in
        --samples) samples="$2"; shift 2 ;;
        --skip-lenet) lenet=0; shift ;;
        --skip-pytorch) pytorch=0; shift ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
done

if [[ ! -x .venv-ort/bin/python ]] || ! .venv-ort/bin/python -c 'import onnxruntime, onnx, numpy' 2>/dev/null; then
    echo "Creating .venv-ort with onnxruntime, onnx, numpy..." >&2
    python3 -m venv .venv-ort
    .venv-ort/bin/pip install --quiet onnxruntime onnx numpy >&2
fi
if (( pytorch )) && ! .venv-ort/bin/python -c 'import torch' 2>/dev/null; then
    echo "Installing the CPU build of torch into .venv-ort..." >&2
    .venv-ort/bin/pip install --quiet torch --index-url https://download.pytorch.org/whl/cpu >&2 ||
        .venv-ort/bin/pip install --quiet torch >&2
fi

echo "Building shrink-benchmarks (release)..." >&2
swift build -c release --product shrink-benchmarks >&2
binary="$(swift build -c release --show-bin-path)/shrink-benchmarks"

mkdir -p results
raw=results/onnxruntime.tsv.tmp
: > "$raw"
load_before="$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
echo "  onnxruntime (fp32, quantize_dynamic int8), batch 1 and 64" >&2
.venv-ort/bin/python python/head_onnxruntime.py --samples "$samples" --batch 1 --batch 64 >> "$raw"
if (( pytorch )); then
    echo "  PyTorch (fp32, quantize_dynamic int8), batch 1 and 64" >&2
    .venv-ort/bin/python python/head_torch.py --samples "$samples" --batch 1 --batch 64 >> "$raw"
fi
echo "  shrink-benchmarks kernels, every encoding, batch 1 and 64" >&2
"$binary" kernels --format tsv --samples "$samples" --batch 1 --batch 64 --threads 1 >> "$raw"
load_after="$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"

.venv-ort/bin/python - "$raw" "$samples" "$load_before" "$load_after" <<'PYTHON'
import os, sys
raw, samples, load_before, load_after = sys.argv[1:5]
rows, versions = {}, []
for line in open(raw):
    if line.startswith("# onnxruntime") or line.startswith("# pytorch"):
        versions.append(line[2:].strip())
    if line.startswith("#") or not line.strip():
        continue
    implementation, encoding, batch, median, p5, p95, threads = line.rstrip("\n").split("\t")
    side = implementation if implementation in ("onnxruntime", "pytorch") else "shrink"
    rows[(side, encoding, int(batch))] = (float(median), float(p5), float(p95), implementation)

model = "unknown CPU"
for line in open("/proc/cpuinfo"):
    if line.startswith("model name"):
        model = line.split(":", 1)[1].strip()
        break
path = next((value[3] for key, value in rows.items() if key[0] == "shrink"), "shrink")
print(f"Machine: {model}, {os.cpu_count()} CPUs; load average {load_before} before, {load_after} after")
print(f"Shrink {path}; {'; '.join(versions)}; 1 thread; {samples} samples per row (each ≥ 20 ms of repeated calls)")
print()
print("VGG-16 classifier head 25088-4096-4096-1000 (with ReLUs), ms per batch: median [p5–p95]")
header = f"{'implementation':13} {'encoding':18} {'batch':>5}  {'median [p5–p95] ms':28} {'vs Shrink fp32':>14}"
print(header)
print("-" * len(header))
for batch in sorted({key[2] for key in rows}):
    base = rows.get(("shrink", "fp32", batch))
    for (side, encoding, b), (median, p5, p95, _) in rows.items():
        if b != batch:
            continue
        speed = f"×{base[0] / median:.2f}" if base else "-"
        print(f"{side:13} {encoding:18} {batch:>5}  {median:9.3f} [{p5:7.3f}–{p95:7.3f}]   {speed:>14}")
    print()

def median(side, encoding, batch):
    value = rows.get((side, encoding, batch))
    return value[0] if value else float("nan")

def check(label, ratio, target):
    verdict = "met" if ratio >= target else "MISSED"
    print(f"  {label:62} ×{ratio:5.2f} (target ≥ {target}) {verdict}")

def fastest(side, encodings, batch):
    return min(median(side, encoding, batch) for encoding in encodings)

print("Issue 6 acceptance (batch 1 unless stated; ratio = slower time / faster time):")
ort_fp32 = fastest("onnxruntime", ["fp32", "fp32-gemm"], 1)
check("our fp32 no slower than onnxruntime fp32 (faster of MatMul, Gemm)", ort_fp32 / median("shrink", "fp32", 1), 1.0)
check("int8 vs our fp32", median("shrink", "fp32", 1) / median("shrink", "int8", 1), 3.5)
check("int8 vs onnxruntime quantize_dynamic int8", median("onnxruntime", "int8-dynamic", 1) / median("shrink", "int8", 1), 1.0)
check("4-bit palettized (palette4-int8) vs our int8", median("shrink", "int8", 1) / median("shrink", "palette4-int8", 1), 1.6)
check("deep compression (4 % CSR, 5-bit palette) vs our fp32", median("shrink", "fp32", 1) / median("shrink", "deep-compression", 1), 8.0)
check("batch 64: int8 vs our fp32", median("shrink", "fp32", 64) / median("shrink", "int8", 64), 2.0)
print()
print("Issue 14 acceptance (one thread; a missing peer row shows as nan and MISSED):")
for batch in (1, 64):
    check(f"batch {batch}: our fp32 vs onnxruntime fp32 (faster of MatMul, Gemm)",
          fastest("onnxruntime", ["fp32", "fp32-gemm"], batch) / median("shrink", "fp32", batch), 1.0)
    check(f"batch {batch}: our fp32 vs PyTorch fp32", median("pytorch", "fp32", batch) / median("shrink", "fp32", batch), 1.0)
    check(f"batch {batch}: our int8 vs onnxruntime int8 (faster than)",
          median("onnxruntime", "int8-dynamic", batch) / median("shrink", "int8", batch), 1.0)
    check(f"batch {batch}: our int8 vs PyTorch dynamic int8 (faster than)",
          median("pytorch", "int8-dynamic", batch) / median("shrink", "int8", batch), 1.0)
check("4-bit integer (int4) vs our int8", median("shrink", "int8", 1) / median("shrink", "int4", 1), 1.8)
deep = median("shrink", "deep-compression", 1)
verdict = "met" if deep <= 1.6 or median("shrink", "fp32", 1) / deep >= 12 else "MISSED"
print(f"  {'deep compression: ≤ 1.6 ms or ≥ 12x our fp32':62} {deep:.3f} ms, ×{median('shrink', 'fp32', 1) / deep:.2f} {verdict}")
PYTHON

if (( lenet )); then
    echo
    "$binary" runtime
fi
