#!/usr/bin/env python3
"""Batch-1 and batch-64 latency of ONNX classifiers under onnxruntime and of their Shrink files,
in alternating rounds of one sitting, one thread each.

    compare_latency.py --shrink .build/release/shrink --rounds 3 \\
        resnet-mnist.onnx:shrink/resnet-mnist.shrink:shrink/resnet-mnist-int8.shrink ...

Each argument is MODEL.onnx:FP32.shrink:INT8.shrink. A round times every ONNX model with
reference_eval.py (onnxruntime, intra/inter-op threads 1, ORT_ENABLE_ALL; plain run() and
IOBinding) and then every Shrink file with one `shrink bench --threads 1` (interleaved rounds of
its own). Alternating the two over several rounds lets a slow phase of the machine show up in
both instead of in one; the table gives each figure per round and the median over rounds.
Output: a Markdown table on stdout, and with --json the raw figures.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def onnxruntime_round(model: str, runs: int) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        out = os.path.join(folder, "ort.json")
        subprocess.run([sys.executable, os.path.join(HERE, "reference_eval.py"), model, "--batch1-runs", str(runs),
                        "--out", out], check=True, stdout=subprocess.DEVNULL)
        result = json.load(open(out))["results"][0]
    return {"accuracy": result["accuracy"], "batch1_us": result["batch1_median_us"],
            "batch1_iobinding_us": result["batch1_iobinding_median_us"], "batch64_us": result["batch64_median_us"]}


def shrink_round(shrink: str, files: list[str]) -> dict[str, dict]:
    command = [shrink, "bench", *files, "--threads", "1", "--batch", "1,64", "--skip-memory", "--no-record", "--json"]
    records = json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)
    figures = {}
    for record in records:
        latency = {entry["batch_size"]: entry["latency"] for entry in record["latency"]}
        figures[record["model_path"]] = {
            "accuracy": record["accuracy"]["top1"] if isinstance(record.get("accuracy"), dict) and "top1" in record["accuracy"] else None,
            "batch1_us": latency[1]["median_seconds"] * 1e6,
            "batch1_p5_us": latency[1]["p5_seconds"] * 1e6,
            "batch1_p95_us": latency[1]["p95_seconds"] * 1e6,
            "batch64_us": latency[64]["median_seconds"] * 1e6,
        }
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("triples", nargs="+", help="MODEL.onnx:FP32.shrink:INT8.shrink")
    parser.add_argument("--shrink", required=True, help="the shrink executable")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--ort-runs", type=int, default=1000, help="onnxruntime batch-1 runs per round")
    parser.add_argument("--json", default=None, help="write the raw figures here")
    args = parser.parse_args()
    triples = []
    for triple in args.triples:
        parts = triple.split(":")
        if len(parts) != 3:
            parser.error(f"'{triple}' is not MODEL.onnx:FP32.shrink:INT8.shrink")
        triples.append([os.path.abspath(part) for part in parts])
    files = [path for _, fp32, int8 in triples for path in (fp32, int8)]
    rounds = []
    for index in range(args.rounds):
        print(f"round {index + 1}/{args.rounds}: onnxruntime", file=sys.stderr, flush=True)
        ort = {model: onnxruntime_round(model, args.ort_runs) for model, _, _ in triples}
        print(f"round {index + 1}/{args.rounds}: shrink bench", file=sys.stderr, flush=True)
        rounds.append({"onnxruntime": ort, "shrink": shrink_round(args.shrink, files)})

    def series(source: str, path: str, key: str) -> list[float]:
        return [round_[source][path][key] for round_ in rounds]

    def cell(values: list[float], digits: int = 0) -> str:
        per_round = " / ".join(f"{value:.{digits}f}" for value in values)
        return f"**{statistics.median(values):.{digits}f}** ({per_round})"

    print("| model | onnxruntime fp32 b1 µs (run / IOBinding) | Shrink fp32 b1 µs | Shrink int8 b1 µs "
          "| int8 vs ORT IOBinding | ORT fp32 b64 ms | Shrink fp32 b64 ms | Shrink int8 b64 ms |")
    print("|---|---|---|---|---|---|---|---|")
    for model, fp32, int8 in triples:
        ort_run, ort_bound = series("onnxruntime", model, "batch1_us"), series("onnxruntime", model, "batch1_iobinding_us")
        ours_fp32, ours_int8 = series("shrink", fp32, "batch1_us"), series("shrink", int8, "batch1_us")
        ratio = statistics.median(ort_bound) / statistics.median(ours_int8)
        print(f"| {os.path.basename(model)} | {cell(ort_run)} / {cell(ort_bound)} | {cell(ours_fp32)} | {cell(ours_int8)} "
              f"| ×{ratio:.2f} | {cell([v / 1000 for v in series('onnxruntime', model, 'batch64_us')], 2)} "
              f"| {cell([v / 1000 for v in series('shrink', fp32, 'batch64_us')], 2)} "
              f"| {cell([v / 1000 for v in series('shrink', int8, 'batch64_us')], 2)} |")
    if args.json:
        with open(args.json, "w") as handle:
            json.dump({"rounds": rounds}, handle, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
