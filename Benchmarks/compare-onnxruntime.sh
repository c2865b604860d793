#!/usr/bin/env bash
# The VGG-16 classifier head (25088-4096-4096-1000) on ONE thread: onnxruntime fp32 and
# quantize_dynamic int8 against every Shrink encoding (int4: ptq-4bit's signed symmetric codes) (shrink-benchmarks kernels --format tsv),
# batch 1 and 64, in one invocation; then LeNet-300-100 single-sample latency per encoding
# (shrink-benchmarks runtime). Prints the machine, the load, a side-by-side table (median and
# p5–p95 ms) and the acceptance ratios of issue 6.
#
# Usage: Benchmarks/compare-onnxruntime.sh [--samples N] [--skip-lenet]
# The first run creates Benchmarks/.venv-ort (onnxruntime, onnx, numpy from PyPI; git-ignored).
# Raw rows are kept in Benchmarks/results/onnxruntime.tsv.tmp.
set -euo pipefail

cd "$(dirname "$0")"
samples=21
lenet=1
while [[ $# -gt 0 ]]; do
    case "$1" in
        --samples) samples="$2"; shift 2 ;;
        --skip-lenet) lenet=0; shift ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
done

if [[ ! -x .venv-ort/bin/python ]] || ! .venv-ort/bin/python -c 'import onnxruntime, onnx, numpy' 2>/dev/null; then
    echo "Creating .venv-ort with onnxruntime, onnx, numpy..." >&2
    python3 -m venv .venv-ort
    .venv-ort/bin/pip install --quiet onnxruntime onnx numpy >&2
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
echo "  shrink-benchmarks kernels, every encoding, batch 1 and 64" >&2
"$binary" kernels --format tsv --samples "$samples" --batch 1 --batch 64 --threads 1 >> "$raw"
load_after="$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"

.venv-ort/bin/python - "$raw" "$samples" "$load_before" "$load_after" <<'PYTHON'
import os, sys
raw, samples, load_before, load_after = sys.argv[1:5]
rows, versions = {}, ""
for line in open(raw):
    if line.startswith("# onnxruntime"):
        versions = line[2:].strip()
    if line.startswith("#") or not line.strip():
        continue
    implementation, encoding, batch, median, p5, p95, threads = line.rstrip("\n").split("\t")
    side = "onnxruntime" if implementation == "onnxruntime" else "shrink"
    rows[(side, encoding, int(batch))] = (float(median), float(p5), float(p95), implementation)

model = "unknown CPU"
for line in open("/proc/cpuinfo"):
    if line.startswith("model name"):
        model = line.split(":", 1)[1].strip()
        break
path = next((value[3] for key, value in rows.items() if key[0] == "shrink"), "shrink")
print(f"Machine: {model}, {os.cpu_count()} CPUs; load average {load_before} before, {load_after} after")
print(f"Shrink {path}; {versions}; 1 thread; {samples} samples per row (each ≥ 20 ms of repeated calls)")
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

print("Issue 6 acceptance (batch 1 unless stated; ratio = slower time / faster time):")
ort_fp32 = min(median("onnxruntime", "fp32", 1), median("onnxruntime", "fp32-gemm", 1))
check("our fp32 no slower than onnxruntime fp32 (faster of MatMul, Gemm)", ort_fp32 / median("shrink", "fp32", 1), 1.0)
check("int8 vs our fp32", median("shrink", "fp32", 1) / median("shrink", "int8", 1), 3.5)
check("int8 vs onnxruntime quantize_dynamic int8", median("onnxruntime", "int8-dynamic", 1) / median("shrink", "int8", 1), 1.0)
check("4-bit palettized (palette4-int8) vs our int8", median("shrink", "int8", 1) / median("shrink", "palette4-int8", 1), 1.6)
check("issue 14: 4-bit affine codes (int4, sub-byte kernel) vs our int8", median("shrink", "int8", 1) / median("shrink", "int4", 1), 1.8)
check("deep compression (4 % CSR, 5-bit palette) vs our fp32", median("shrink", "fp32", 1) / median("shrink", "deep-compression", 1), 8.0)
check("batch 64: int8 vs our fp32", median("shrink", "fp32", 64) / median("shrink", "int8", 64), 2.0)
PYTHON

if (( lenet )); then
    echo
    "$binary" runtime
fi
