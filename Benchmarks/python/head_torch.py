"""The VGG-16 classifier head (25088-4096-4096-1000: Linear, ReLU, Linear, ReLU, Linear) in
PyTorch with the same random weights as head_onnxruntime.py (uniform in [-0.01, 0.01), seed
2026), run on ONE thread in fp32 and after torch.ao.quantization.quantize_dynamic (s8 weights
per tensor, u8 activations quantized per batch at run time: PyTorch's dynamic int8).

Prints TSV rows: implementation, encoding, batch, median ms, p5 ms, p95 ms, threads.
"""
import argparse
import warnings

import numpy as np
import torch

from timing import time_calls

SHAPES = [(25088, 4096), (4096, 4096), (4096, 1000)]


def build_head():
    """nn.Sequential with the weights head_onnxruntime.py draws (W [in, out] there, [out, in] here)."""
    rng = np.random.default_rng(2026)
    layers = []
    for index, (inputs, outputs) in enumerate(SHAPES):
        weight = (rng.random((inputs, outputs), dtype=np.float32) * 0.02 - 0.01).astype(np.float32)
        bias = (rng.random(outputs, dtype=np.float32) * 0.02 - 0.01).astype(np.float32)
        linear = torch.nn.Linear(inputs, outputs)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(np.ascontiguousarray(weight.T)))
            linear.bias.copy_(torch.from_numpy(bias))
        layers.append(linear)
        if index < len(SHAPES) - 1:
            layers.append(torch.nn.ReLU())
    return torch.nn.Sequential(*layers).eval()


def measure(model, batch, samples, warm_up):
    rng = np.random.default_rng(batch)
    x = torch.from_numpy(np.maximum(0, rng.random((batch, SHAPES[0][0]), dtype=np.float32) * 2 - 0.5).astype(np.float32))
    with torch.inference_mode():
        return time_calls(lambda: model(x), samples, warm_up)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--batch", type=int, action="append")
    parser.add_argument("--samples", type=int, default=21)
    parser.add_argument("--warm-up", type=int, default=3)
    arguments = parser.parse_args()
    batches = arguments.batch or [1, 64]
    # quantize_dynamic warns that quantized tensor constructors are deprecated; the path still runs.
    warnings.filterwarnings("ignore", category=UserWarning)
    torch.set_num_threads(1)
    torch.set_num_interop_threads(1)
    fp32 = build_head()
    int8 = torch.ao.quantization.quantize_dynamic(fp32, {torch.nn.Linear}, dtype=torch.qint8)
    print(f"# pytorch {torch.__version__} (quantized engine {torch.backends.quantized.engine}), 1 thread")
    print("# implementation\tencoding\tbatch\tmedian_ms\tp5_ms\tp95_ms\tthreads")
    for name, model in [("fp32", fp32), ("int8-dynamic", int8)]:
        for batch in batches:
            median, p5, p95 = measure(model, batch, arguments.samples, arguments.warm_up)
            print(f"pytorch\t{name}\t{batch}\t{median}\t{p5}\t{p95}\t1", flush=True)


if __name__ == "__main__":
    main()
