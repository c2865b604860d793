#!/usr/bin/env python3
"""Reference accuracy and latency of an ONNX MNIST classifier under onnxruntime.

  python scripts/onnx/reference_eval.py MODEL.onnx --mnist-dir DIR
      [--mean 0.1307 --std 0.3081] [--out RESULTS.json] [--logits-out FILE.json]

Accuracy: top-1 on the 10,000 MNIST test images (t10k-*), pixels scaled to [0,1]
then (x - mean) / std, fed as float32 [N, 1, 28, 28] to the model's first input;
the first output is taken as logits [N, 10].

Latency: CPU execution provider, intra_op_num_threads=1, inter_op_num_threads=1,
sequential execution, default graph optimization (ORT_ENABLE_ALL). Each figure is
the wall time (time.perf_counter_ns) of one InferenceSession.run call from Python
on a prepared float32 input (the first 1 or 64 test images), after warm-up runs;
reported as median and interquartile range (p75 - p25) in microseconds, with
p10/p25/p75/p90/min/mean. batch1_iobinding_* times the same batch-1 run through
an IOBinding with preallocated input and output, which leaves out most of the
Python-side conversion. *_block_medians_us are the medians of 5 consecutive
blocks of the runs, to show drift. The 1-minute load average before and after is recorded,
since another process on the machine inflates these numbers, and so is
other_processes_busy_cores: the machine's busy CPU time during the latency runs,
less this process's own, per second of wall time (0 on a quiet machine; here the
load average alone misleads, as it counts tasks blocked on I/O).

Prints one JSON object. With --out, the object is also merged into RESULTS.json
({"results": [...]}, one entry per "model" file name, replaced on re-run).
With --logits-out, the logits of the first --logits-count test images are written
too (for checking another runtime's outputs against onnxruntime's).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import sys
import time

import numpy as np
import onnx
import onnxruntime as ort

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mnist_idx  # noqa: E402


def cpu_name() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def cpu_snapshot() -> tuple[float, float, float] | None:
    """(wall s, busy CPU s of the whole machine, CPU s of this process), or None off Linux."""
    try:
        with open("/proc/stat") as f:
            fields = [int(v) for v in f.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    hz = os.sysconf("SC_CLK_TCK")
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    t = os.times()
    return time.monotonic(), (sum(fields[:8]) - idle) / hz, t.user + t.system


def other_load(before, after) -> float | None:
    """Average number of cores kept busy by other processes between two snapshots."""
    if before is None or after is None or after[0] <= before[0]:
        return None
    others = (after[1] - before[1]) - (after[2] - before[2])
    return round(max(0.0, others) / (after[0] - before[0]), 2)


def stats_us(ns: np.ndarray, prefix: str) -> dict:
    us = ns.astype(np.float64) / 1000.0
    p10, p25, p50, p75, p90 = np.percentile(us, [10, 25, 50, 75, 90])
    return {
        f"{prefix}_median_us": round(float(p50), 2),
        f"{prefix}_iqr_us": round(float(p75 - p25), 2),
        f"{prefix}_p10_us": round(float(p10), 2),
        f"{prefix}_p25_us": round(float(p25), 2),
        f"{prefix}_p75_us": round(float(p75), 2),
        f"{prefix}_p90_us": round(float(p90), 2),
        f"{prefix}_min_us": round(float(us.min()), 2),
        f"{prefix}_mean_us": round(float(us.mean()), 2),
        f"{prefix}_runs": int(us.size),
        # Medians of 5 consecutive blocks of runs: shows drift within the measurement
        # (this VM's speed changes by up to ~1.6x from minute to minute).
        f"{prefix}_block_medians_us": [round(float(np.median(b)), 2) for b in np.array_split(us, 5)],
    }


def time_runs(fn, warmup: int, runs: int) -> np.ndarray:
    for _ in range(warmup):
        fn()
    out = np.empty(runs, dtype=np.int64)
    clock = time.perf_counter_ns
    for i in range(runs):
        t0 = clock()
        fn()
        out[i] = clock() - t0
    return out


def fixed_batch(session: ort.InferenceSession) -> int | None:
    dim0 = session.get_inputs()[0].shape[0]
    return dim0 if isinstance(dim0, int) and dim0 > 0 else None


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model")
    ap.add_argument("--mnist-dir", default=None, help="directory of the IDX files (default: autodetect)")
    ap.add_argument("--mean", type=float, default=mnist_idx.MEAN)
    ap.add_argument("--std", type=float, default=mnist_idx.STD)
    ap.add_argument("--warmup", type=int, default=50)
    ap.add_argument("--batch1-runs", type=int, default=1000)
    ap.add_argument("--batch64-runs", type=int, default=200)
    ap.add_argument("--out", default=None, help="merge the result into this JSON file")
    ap.add_argument("--logits-out", default=None)
    ap.add_argument("--logits-count", type=int, default=16)
    args = ap.parse_args()
    if args.batch1_runs < 200:
        ap.error("--batch1-runs must be at least 200")

    with open(args.model, "rb") as f:
        model_bytes = f.read()
    proto = onnx.load_from_string(model_bytes)
    opset = next((o.version for o in proto.opset_import if o.domain in ("", "ai.onnx")), None)

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.inter_op_num_threads = 1
    opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    session = ort.InferenceSession(args.model, opts, providers=["CPUExecutionProvider"])
    in_name = session.get_inputs()[0].name
    out_name = session.get_outputs()[0].name
    static = fixed_batch(session)

    mnist_dir = mnist_idx.find_mnist_dir(args.mnist_dir)
    images, labels = mnist_idx.load_split(mnist_dir, "t10k")
    x = mnist_idx.normalize(images, args.mean, args.std)

    # Accuracy over the whole test set.
    eval_batch = static or 500
    logits = []
    for i in range(0, x.shape[0], eval_batch):
        xb = x[i:i + eval_batch]
        if xb.shape[0] < eval_batch and static:
            xb = np.concatenate([xb, np.zeros((eval_batch - xb.shape[0],) + xb.shape[1:], xb.dtype)])
        logits.append(session.run([out_name], {in_name: xb})[0])
    logits = np.concatenate(logits)[: x.shape[0]]
    predicted = logits.reshape(x.shape[0], -1).argmax(1)
    correct = int((predicted == labels).sum())

    load_before = os.getloadavg()[0]
    snap_before = cpu_snapshot()
    result: dict = {
        "model": os.path.basename(args.model),
        "model_path": os.path.abspath(args.model),
        "model_sha256": hashlib.sha256(model_bytes).hexdigest(),
        "model_bytes": len(model_bytes),
        "opset": opset,
        "nodes": len(proto.graph.node),
        "input": in_name,
        "output": out_name,
        "accuracy": correct / x.shape[0],
        "correct": correct,
        "total": int(x.shape[0]),
        "mean": args.mean,
        "std": args.std,
    }

    # Batch-1 latency, plain run().
    x1 = np.ascontiguousarray(x[:1])
    if static in (None, 1):
        result.update(stats_us(time_runs(lambda: session.run([out_name], {in_name: x1}),
                                         args.warmup, args.batch1_runs), "batch1"))
        # Batch-1 latency through IOBinding (preallocated input and output).
        binding = session.io_binding()
        x1_ort = ort.OrtValue.ortvalue_from_numpy(x1)
        out_shape = [1] + list(logits.shape[1:])
        y1_ort = ort.OrtValue.ortvalue_from_shape_and_type(out_shape, np.float32)
        binding.bind_ortvalue_input(in_name, x1_ort)
        binding.bind_ortvalue_output(out_name, y1_ort)
        iob = stats_us(time_runs(lambda: session.run_with_iobinding(binding),
                                 args.warmup, args.batch1_runs), "batch1_iobinding")
        result.update({k: v for k, v in iob.items()
                       if not k.endswith(("_p10_us", "_p90_us", "_mean_us", "_block_medians_us"))})
    else:
        result["batch1_median_us"] = None
        result["batch1_iqr_us"] = None

    # Batch-64 latency.
    if static in (None, 64):
        x64 = np.ascontiguousarray(x[:64])
        s64 = stats_us(time_runs(lambda: session.run([out_name], {in_name: x64}),
                                 max(5, args.warmup // 5), args.batch64_runs), "batch64")
        result.update(s64)
        result["batch64_per_image_median_us"] = round(s64["batch64_median_us"] / 64, 2)
    else:
        result["batch64_median_us"] = None
        result["batch64_iqr_us"] = None

    snap_after = cpu_snapshot()
    result.update({
        "warmup_runs": args.warmup,
        "timer": "time.perf_counter_ns around InferenceSession.run from Python",
        "execution_provider": "CPUExecutionProvider",
        "intra_op_num_threads": 1,
        "inter_op_num_threads": 1,
        "graph_optimization_level": "ORT_ENABLE_ALL",
        "onnxruntime": ort.__version__,
        "onnx": onnx.__version__,
        "numpy": np.__version__,
        "python": platform.python_version(),
        "cpu": cpu_name(),
        "logical_cpus": os.cpu_count(),
        "loadavg1_before": round(load_before, 2),
        "loadavg1_after": round(os.getloadavg()[0], 2),
        "other_processes_busy_cores": other_load(snap_before, snap_after),
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    })

    if args.logits_out:
        n = min(args.logits_count, x.shape[0])
        with open(args.logits_out, "w") as f:
            json.dump({"model": result["model"], "model_sha256": result["model_sha256"],
                       "mean": args.mean, "std": args.std,
                       "images": "first %d MNIST t10k test images" % n,
                       "labels": labels[:n].tolist(),
                       "logits": [[float(v) for v in row] for row in logits[:n]]}, f)
            f.write("\n")

    print(json.dumps(result, indent=2))
    if args.out:
        existing = {"results": []}
        if os.path.isfile(args.out):
            with open(args.out) as f:
                existing = json.load(f)
        entries = [e for e in existing.get("results", []) if e.get("model") != result["model"]]
        entries.append(result)
        existing["results"] = sorted(entries, key=lambda e: e["model"])
        with open(args.out, "w") as f:
            json.dump(existing, f, indent=2)
            f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
