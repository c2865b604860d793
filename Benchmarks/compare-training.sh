#!/usr/bin/env bash
# Times MNIST training epochs of LeNet-300-100 (1 thread) and LeNet-5 (2 threads), and with
# --cifar10 DIR ResNet-20 on the first --cifar-samples CIFAR-10 training images (1 and 2 threads),
# in Shrink and in PyTorch's CPU build, in one run, alternating the two sides epoch block by epoch block so
# both see the same machine, and prints a side-by-side table (median seconds per epoch, spread,
# and the ratio Shrink / PyTorch). Same recipe on both sides: batch 64, SGD momentum 0.9,
# weight decay 5e-4, cosine schedule, PyTorch-style initialization.
#
# PyTorch comes from a venv in Benchmarks/.venv: a CPU-only wheel found on the machine
# (/opt/wheels/torch-*+cpu*.whl) is preferred, since PyPI's default torch pulls gigabytes of
# CUDA packages; otherwise `pip install torch` from PyPI.
#
# Usage: Benchmarks/compare-training.sh [--rounds N] [--epochs-per-round N] [--cifar10 DIR] [--cifar-samples N]
set -euo pipefail
cd "$(dirname "$0")"
rounds=3
epochs_per_round=1
cifar10=""
cifar_samples=5120
while [[ $# -gt 0 ]]; do
    case "$1" in
        --rounds) rounds="$2"; shift 2 ;;
        --epochs-per-round) epochs_per_round="$2"; shift 2 ;;
        --cifar10) cifar10="$(cd "$2" && pwd)"; shift 2 ;;
        --cifar-samples) cifar_samples="$2"; shift 2 ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
done

if [[ ! -x .venv/bin/python ]] || ! .venv/bin/python -c 'import torch' 2>/dev/null; then
    echo "Creating Benchmarks/.venv with PyTorch (CPU)..." >&2
    python3 -m venv .venv
    wheel=$(ls /opt/wheels/torch-*+cpu*.whl 2>/dev/null | head -n 1 || true)
    if [[ -n "$wheel" ]]; then
        .venv/bin/pip install -q "$wheel" numpy >&2
    else
        .venv/bin/pip install -q torch numpy >&2
    fi
fi

echo "Building shrink-benchmarks (release)..." >&2
swift build -c release --product shrink-benchmarks >&2
binary="$(swift build -c release --show-bin-path)/shrink-benchmarks"

mkdir -p results
raw=results/training.jsonl.tmp
: > "$raw"
settings=("lenet-300-100 1 0.05" "lenet-5 2 0.02")
if [[ -n "$cifar10" ]]; then settings+=("resnet-20 1 0.1" "resnet-20 2 0.1"); fi
for round in $(seq 1 "$rounds"); do
    for setting in "${settings[@]}"; do
        read -r model threads rate <<< "$setting"
        echo "  round $round: $model, $threads thread(s)" >&2
        data=()
        if [[ "$model" == resnet-20 ]]; then data=(--data-dir "$cifar10" --train-limit "$cifar_samples" --test-limit 1000); fi
        run_shrink() { "$binary" train-epoch --model "$model" --threads "$threads" --epochs "$epochs_per_round" --learning-rate "$rate" "${data[@]}" >> "$raw"; }
        run_torch() { .venv/bin/python python/train_torch.py --model "$model" --threads "$threads" --epochs "$epochs_per_round" --learning-rate "$rate" "${data[@]}" >> "$raw"; }
        if (( round % 2 == 1 )); then run_shrink; run_torch; else run_torch; run_shrink; fi
    done
done

python3 - "$raw" <<'PYTHON'
import json, platform, statistics, sys
rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.processor())
print(f"Machine: {cpu}, {platform.machine()}; seconds per training epoch (LeNets: 60,000 MNIST samples; "
      f"ResNet-20: the CIFAR-10 samples given; batch 64)")
print()
print("| model | threads | Shrink median [min–max] | PyTorch median [min–max] | Shrink / PyTorch |")
print("|---|---|---|---|---|")
for model, threads in (("lenet-300-100", 1), ("lenet-5", 2), ("resnet-20", 1), ("resnet-20", 2)):
    def times(prefix):
        return [r["train_seconds"] for r in rows
                if r["model"] == model and r["threads"] == threads and r["framework"].startswith(prefix)]
    shrink, torch = times("shrink"), times("pytorch")
    if not shrink or not torch:
        continue
    ms, mt = statistics.median(shrink), statistics.median(torch)
    print(f"| {model} | {threads} | {ms:.2f} [{min(shrink):.2f}–{max(shrink):.2f}] (n={len(shrink)}) "
          f"| {mt:.2f} [{min(torch):.2f}–{max(torch):.2f}] (n={len(torch)}) | {ms / mt:.2f} |")
torch_version = next((r["framework"] for r in rows if r["framework"].startswith("pytorch")), "pytorch")
print()
print(f"PyTorch: {torch_version}")
PYTHON
