#!/usr/bin/env python3
"""Runs a Shrink-exported ONNX model in onnxruntime and compares its output with Shrink's.

Given the `.onnx` file, an input `.npy` and the output Shrink's runtime computed for that input
(`ONNXExporter.writeCheckFiles` writes all three), this checks the model with
`onnx.checker`, runs it on onnxruntime's CPU provider with one thread, and prints the largest
absolute difference and the largest difference relative to the largest expected magnitude
(max |ort - shrink| / max |shrink|). It exits with status 1 when that relative difference is
above --tolerance, 2 when the files cannot be read or the model does not run.

    python scripts/onnx/check_roundtrip.py model.onnx model.input.npy model.expected.npy --tolerance 1e-5
"""

import argparse
import sys

import numpy as np
import onnx
import onnxruntime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", help="the exported .onnx file")
    parser.add_argument("input", help="the input, float32 .npy")
    parser.add_argument("expected", help="Shrink's output for that input, float32 .npy")
    parser.add_argument("--tolerance", type=float, default=1e-5,
                        help="the largest accepted relative difference (default 1e-5)")
    parser.add_argument("--optimization", choices=["disable", "basic", "extended", "all"], default="all",
                        help="onnxruntime's graph optimization level (default all: QDQ models get integer kernels)")
    arguments = parser.parse_args()

    try:
        model = onnx.load(arguments.model)
        onnx.checker.check_model(model, full_check=True)
        inputs = np.load(arguments.input)
        expected = np.load(arguments.expected)
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.graph_optimization_level = {
            "disable": onnxruntime.GraphOptimizationLevel.ORT_DISABLE_ALL,
            "basic": onnxruntime.GraphOptimizationLevel.ORT_ENABLE_BASIC,
            "extended": onnxruntime.GraphOptimizationLevel.ORT_ENABLE_EXTENDED,
            "all": onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL,
        }[arguments.optimization]
        session = onnxruntime.InferenceSession(arguments.model, options, providers=["CPUExecutionProvider"])
        feed = {session.get_inputs()[0].name: inputs.astype(np.float32)}
        output = session.run(None, feed)[0]
    except Exception as error:  # noqa: BLE001 - any failure to load or run is reported the same way
        print(f"error: {error}".splitlines()[0], file=sys.stderr)
        return 2

    if output.shape != expected.shape:
        print(f"error: onnxruntime's output has shape {output.shape}, Shrink's {expected.shape}", file=sys.stderr)
        return 1
    absolute = float(np.max(np.abs(output.astype(np.float64) - expected.astype(np.float64)))) if output.size else 0.0
    scale = max(float(np.max(np.abs(expected))) if expected.size else 0.0, 1e-12)
    relative = absolute / scale
    agree = float(np.mean(np.argmax(output, axis=-1) == np.argmax(expected, axis=-1))) if output.ndim >= 1 and output.size else 1.0
    print(f"{arguments.model}: output {list(output.shape)}, max abs diff {absolute:.3e}, max rel diff {relative:.3e} "
          f"(tolerance {arguments.tolerance:.1e}), argmax agreement {agree:.0%}")
    return 0 if relative <= arguments.tolerance else 1


if __name__ == "__main__":
    sys.exit(main())
