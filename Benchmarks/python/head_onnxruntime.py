"""The VGG-16 classifier head (25088-4096-4096-1000: MatMul+Add, Relu, MatMul+Add, Relu,
MatMul+Add; also as Gemm with transB=1) as an ONNX graph with random weights (uniform in [-0.01, 0.01), the shapes of
shrink-benchmarks kernels), run by onnxruntime on ONE thread in fp32 and after
onnxruntime.quantization.quantize_dynamic (int8 weights, dynamic u8 activations).

Prints TSV rows: implementation, encoding, batch, median ms, p5 ms, p95 ms, threads.
"""
import argparse
import os
import tempfile

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
import onnxruntime as ort
from onnxruntime.quantization import QuantType, quantize_dynamic

from timing import time_calls

SHAPES = [(25088, 4096), (4096, 4096), (4096, 1000)]


def build_head(path, gemm=False):
    """MatMul + Add with W [in, out] (what quantize_dynamic quantizes), or with gemm=True one
    Gemm per layer with W [out, in] and transB = 1 (PyTorch's nn.Linear export)."""
    rng = np.random.default_rng(2026)
    nodes, initializers = [], []
    current = "input"
    for index, (inputs, outputs) in enumerate(SHAPES):
        weight = (rng.random((inputs, outputs), dtype=np.float32) * 0.02 - 0.01).astype(np.float32)  # [in, out]
        bias = (rng.random(outputs, dtype=np.float32) * 0.02 - 0.01).astype(np.float32)
        last = index == len(SHAPES) - 1
        added = "output" if last else f"add{index}"
        if gemm:
            initializers += [numpy_helper.from_array(np.ascontiguousarray(weight.T), f"w{index}"),
                             numpy_helper.from_array(bias, f"b{index}")]
            nodes.append(helper.make_node("Gemm", [current, f"w{index}", f"b{index}"], [added], transB=1))
        else:
            initializers += [numpy_helper.from_array(weight, f"w{index}"), numpy_helper.from_array(bias, f"b{index}")]
            nodes.append(helper.make_node("MatMul", [current, f"w{index}"], [f"mm{index}"]))
            nodes.append(helper.make_node("Add", [f"mm{index}", f"b{index}"], [added]))
        if not last:
            nodes.append(helper.make_node("Relu", [added], [f"relu{index}"]))
            current = f"relu{index}"
    graph = helper.make_graph(
        nodes, "vgg16_head",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch", SHAPES[0][0]])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, ["batch", SHAPES[-1][1]])],
        initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    onnx.save(model, path)


def measure(path, batch, samples, warm_up):
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
    rng = np.random.default_rng(batch)
    x = np.maximum(0, rng.random((batch, SHAPES[0][0]), dtype=np.float32) * 2 - 0.5).astype(np.float32)
    return time_calls(lambda: session.run(None, {"input": x}), samples, warm_up)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--batch", type=int, action="append")
    parser.add_argument("--samples", type=int, default=21)
    parser.add_argument("--warm-up", type=int, default=3)
    arguments = parser.parse_args()
    batches = arguments.batch or [1, 64]
    with tempfile.TemporaryDirectory() as directory:
        fp32 = os.path.join(directory, "head.onnx")
        int8 = os.path.join(directory, "head-int8.onnx")
        gemm = os.path.join(directory, "head-gemm.onnx")
        build_head(fp32)
        build_head(gemm, gemm=True)
        quantize_dynamic(fp32, int8, weight_type=QuantType.QInt8)
        print(f"# onnxruntime {ort.__version__}, onnx {onnx.__version__}, numpy {np.__version__}")
        print("# implementation\tencoding\tbatch\tmedian_ms\tp5_ms\tp95_ms\tthreads")
        for name, path in [("fp32", fp32), ("fp32-gemm", gemm), ("int8-dynamic", int8)]:
            for batch in batches:
                median, p5, p95 = measure(path, batch, arguments.samples, arguments.warm_up)
                print(f"onnxruntime\t{name}\t{batch}\t{median}\t{p5}\t{p95}\t1", flush=True)


if __name__ == "__main__":
    main()
