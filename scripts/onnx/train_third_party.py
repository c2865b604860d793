#!/usr/bin/env python3
"""Trains two torchvision-defined classifiers on MNIST and exports them to ONNX.

The models are torchvision's own classes, adapted to 1-channel 28x28 input:

  resnet       torchvision.models.resnet.ResNet(BasicBlock, [1, 1, 1, 1]) whose
               stem conv is replaced by a 3x3 stride-1 conv on 1 channel and whose
               four stages are rebuilt with torchvision's own ResNet._make_layer at
               widths 16/32/64/128 instead of 64/128/256/512 (torchvision has no
               width argument for BasicBlock). The 3x3/2 max-pool is kept, so the
               stages run at 14, 7, 4, 2 pixels. BatchNorm, residual adds (with 1x1
               stride-2 downsample convs), adaptive avg pool, flatten, Linear.
  mobilenetv2  torchvision.models.MobileNetV2(width_mult=0.35) whose stem is a
               3x3 stride-2 conv on 1 channel (ReLU6) and whose 6th stage
               (c=160) has stride 1 instead of 2, so the feature map ends at 2x2
               rather than 1x1 for 28x28 input. Inverted residuals, depthwise
               convs, ReLU6, adaptive avg pool, flatten, Dropout(eval: no-op), Linear.

Inputs are (pixel/255 - 0.1307) / 0.3081, shape [N, 1, 28, 28]; the ONNX files
take that normalized tensor as `input` and return `logits` [N, 10]. Training is
seeded (torch and the shuffle), AdamW with a one-cycle schedule.

Export: torch.onnx.export(opset_version=17, dynamo=False, dynamic batch axis), in
eval mode. That TorchScript-based export folds each BatchNorm into the conv before
it, so the files contain no BatchNormalization node. With --bn-variants (default)
a second file per model, *-bn.onnx, is exported with training=PRESERVE from eval
mode, which skips that folding and keeps BatchNormalization nodes (inference form).

Outputs in --out-dir (default /work/onnx-work):
  resnet-mnist.onnx, mobilenetv2-mnist.onnx   (+ -bn variants)
  resnet-mnist.pt, mobilenetv2-mnist.pt        state dicts (re-export: --export-only)
  op-types.json                                {file: {op_type: count}}
  train-summary.json                           accuracy, time, params, versions

Usage (test venv):
  python scripts/onnx/train_third_party.py [--mnist-dir DIR] [--out-dir DIR]
      [--models resnet,mobilenetv2] [--epochs N] [--max-lr LR] [--threads 2] [--export-only]
"""

from __future__ import annotations

import argparse
import collections
import hashlib
import inspect
import json
import os
import platform
import sys
import time
import warnings

import numpy as np
import onnx
import onnxruntime as ort
import torch
import torch.nn as nn
import torchvision
from torchvision.models import MobileNetV2
from torchvision.models.resnet import BasicBlock, ResNet
from torchvision.ops.misc import Conv2dNormActivation

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mnist_idx  # noqa: E402

RESNET_WIDTHS = (16, 32, 64, 128)
MOBILENET_WIDTH_MULT = 0.35
# torchvision's default MobileNetV2 setting (t, c, n, s) with the c=160 stage at stride 1.
MOBILENET_SETTING = [
    [1, 16, 1, 1],
    [6, 24, 2, 2],
    [6, 32, 3, 2],
    [6, 64, 4, 2],
    [6, 96, 3, 1],
    [6, 160, 3, 1],
    [6, 320, 1, 1],
]


def _torchvision_init(module: nn.Module) -> None:
    """The weight init of torchvision's ResNet, applied to replaced modules."""
    for m in module.modules():
        if isinstance(m, nn.Conv2d):
            nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
        elif isinstance(m, nn.BatchNorm2d):
            nn.init.constant_(m.weight, 1)
            nn.init.constant_(m.bias, 0)


def build_resnet(widths=RESNET_WIDTHS) -> nn.Module:
    model = ResNet(BasicBlock, [1, 1, 1, 1], num_classes=10)
    w0, w1, w2, w3 = widths
    model.conv1 = nn.Conv2d(1, w0, kernel_size=3, stride=1, padding=1, bias=False)
    model.bn1 = nn.BatchNorm2d(w0)
    # Rebuild the stages with torchvision's own _make_layer at narrower widths.
    model.inplanes = w0
    model.layer1 = model._make_layer(BasicBlock, w0, 1)
    model.layer2 = model._make_layer(BasicBlock, w1, 1, stride=2)
    model.layer3 = model._make_layer(BasicBlock, w2, 1, stride=2)
    model.layer4 = model._make_layer(BasicBlock, w3, 1, stride=2)
    model.fc = nn.Linear(w3 * BasicBlock.expansion, 10)
    for part in (model.conv1, model.bn1, model.layer1, model.layer2, model.layer3, model.layer4):
        _torchvision_init(part)
    return model


def build_mobilenetv2(width_mult=MOBILENET_WIDTH_MULT) -> nn.Module:
    model = MobileNetV2(num_classes=10, width_mult=width_mult,
                        inverted_residual_setting=MOBILENET_SETTING)
    stem_out = model.features[0][0].out_channels
    model.features[0] = Conv2dNormActivation(1, stem_out, stride=2, norm_layer=nn.BatchNorm2d,
                                             activation_layer=nn.ReLU6)
    _torchvision_init(model.features[0])
    return model


# name -> (file stem, builder, default epochs, default peak learning rate)
BUILDERS = {
    "resnet": ("resnet-mnist", build_resnet, 2, 4e-3),
    "mobilenetv2": ("mobilenetv2-mnist", build_mobilenetv2, 4, 1e-2),
}


def evaluate(model: nn.Module, x: torch.Tensor, y: torch.Tensor, batch: int = 1000) -> float:
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, x.shape[0], batch):
            correct += (model(x[i:i + batch]).argmax(1) == y[i:i + batch]).sum().item()
    return correct / x.shape[0]


def train(model, x_train, y_train, x_test, y_test, epochs, batch, max_lr, seed, log):
    gen = torch.Generator().manual_seed(seed)
    opt = torch.optim.AdamW(model.parameters(), lr=max_lr, weight_decay=1e-4)
    steps_per_epoch = (x_train.shape[0] + batch - 1) // batch
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=max_lr, epochs=epochs,
                                                steps_per_epoch=steps_per_epoch)
    history = []
    start = time.time()
    for epoch in range(epochs):
        model.train()
        perm = torch.randperm(x_train.shape[0], generator=gen)
        running, seen = 0.0, 0
        for step in range(steps_per_epoch):
            idx = perm[step * batch:(step + 1) * batch]
            xb, yb = x_train[idx], y_train[idx]
            opt.zero_grad(set_to_none=True)
            loss = nn.functional.cross_entropy(model(xb), yb)
            loss.backward()
            opt.step()
            sched.step()
            running += loss.item() * xb.shape[0]
            seen += xb.shape[0]
            if step % 100 == 0:
                log(f"  epoch {epoch + 1} step {step}/{steps_per_epoch} loss {running / seen:.4f} "
                    f"({time.time() - start:.0f}s)")
        acc = evaluate(model, x_test, y_test)
        history.append({"epoch": epoch + 1, "train_loss": running / seen, "test_accuracy": acc,
                        "elapsed_s": round(time.time() - start, 1)})
        log(f"  epoch {epoch + 1}: train loss {running / seen:.4f}, test accuracy {acc:.4f} "
            f"({time.time() - start:.0f}s)")
    return history, time.time() - start


def export(model: nn.Module, sample: torch.Tensor, path: str, preserve_bn: bool = False) -> None:
    model.eval()
    kwargs = dict(
        opset_version=17,
        input_names=["input"],
        output_names=["logits"],
        dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}},
    )
    if "dynamo" in inspect.signature(torch.onnx.export).parameters:
        kwargs["dynamo"] = False
    if preserve_bn:
        # Eval-mode model exported with PRESERVE: the eval-only peephole pass that
        # folds BatchNorm into Conv is skipped; BN is exported in inference form.
        kwargs["training"] = torch.onnx.TrainingMode.PRESERVE
    with warnings.catch_warnings():
        # The constant-folding warning for PRESERVE concerns models in training mode; ours is in eval.
        warnings.filterwarnings("ignore", message=".*constant folding be turned off.*")
        torch.onnx.export(model, (sample,), path, **kwargs)


def check_onnx(model: nn.Module, path: str, x_test: torch.Tensor, y_test: torch.Tensor) -> dict:
    proto = onnx.load(path)
    onnx.checker.check_model(proto, full_check=True)
    ops = collections.Counter(n.op_type for n in proto.graph.node)
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    sess = ort.InferenceSession(path, opts, providers=["CPUExecutionProvider"])
    xs = x_test.numpy()
    logits = np.concatenate([sess.run(["logits"], {"input": xs[i:i + 1000]})[0]
                             for i in range(0, xs.shape[0], 1000)])
    model.eval()
    with torch.no_grad():
        ref = model(x_test[:1000]).numpy()
    with open(path, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    return {
        "path": os.path.abspath(path),
        "sha256": digest,
        "bytes": os.path.getsize(path),
        "opset": [{"domain": o.domain or "ai.onnx", "version": o.version} for o in proto.opset_import],
        "op_types": dict(sorted(ops.items())),
        "nodes": len(proto.graph.node),
        "ort_accuracy": float((logits.argmax(1) == y_test.numpy()).mean()),
        "max_abs_diff_vs_torch_first_1000": float(np.abs(logits[:1000] - ref).max()),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mnist-dir", default=None, help="directory of the IDX files (default: autodetect)")
    ap.add_argument("--out-dir", default="/work/onnx-work")
    ap.add_argument("--models", default="resnet,mobilenetv2")
    ap.add_argument("--epochs", type=int, default=None,
                    help="default per model: resnet 2, mobilenetv2 4")
    ap.add_argument("--batch-size", type=int, default=128)
    ap.add_argument("--max-lr", type=float, default=None,
                    help="one-cycle peak; default per model: resnet 4e-3, mobilenetv2 1e-2")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--export-only", action="store_true",
                    help="load OUT_DIR/NAME.pt instead of training, then export")
    ap.add_argument("--no-bn-variants", dest="bn_variants", action="store_false",
                    help="do not also export *-bn.onnx with BatchNormalization kept")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    os.makedirs(args.out_dir, exist_ok=True)

    def log(msg: str) -> None:
        print(msg, flush=True)

    mnist_dir = mnist_idx.find_mnist_dir(args.mnist_dir)
    tr_img, tr_lab = mnist_idx.load_split(mnist_dir, "train")
    te_img, te_lab = mnist_idx.load_split(mnist_dir, "t10k")
    x_train = torch.from_numpy(mnist_idx.normalize(tr_img))
    y_train = torch.from_numpy(tr_lab)
    x_test = torch.from_numpy(mnist_idx.normalize(te_img))
    y_test = torch.from_numpy(te_lab)
    log(f"MNIST from {mnist_dir}: train {tuple(x_train.shape)}, test {tuple(x_test.shape)}")

    summary_path = os.path.join(args.out_dir, "train-summary.json")
    ops_path = os.path.join(args.out_dir, "op-types.json")
    summary = json.load(open(summary_path)) if os.path.isfile(summary_path) else {}
    op_types = json.load(open(ops_path)) if os.path.isfile(ops_path) else {}
    summary["environment"] = {
        "python": platform.python_version(), "torch": torch.__version__,
        "torchvision": torchvision.__version__, "onnx": onnx.__version__,
        "onnxruntime": ort.__version__, "numpy": np.__version__,
        "threads": args.threads, "machine": platform.processor() or platform.machine(),
    }

    for key in [m.strip() for m in args.models.split(",") if m.strip()]:
        if key not in BUILDERS:
            raise SystemExit(f"unknown model {key!r}; choose from {', '.join(BUILDERS)}")
        name, build, default_epochs, default_lr = BUILDERS[key]
        epochs = args.epochs or default_epochs
        max_lr = args.max_lr or default_lr
        torch.manual_seed(args.seed)
        model = build()
        n_params = sum(p.numel() for p in model.parameters())
        state_path = os.path.join(args.out_dir, name + ".pt")
        entry = summary.get(name, {}) if args.export_only else {}
        if args.export_only:
            model.load_state_dict(torch.load(state_path, map_location="cpu"))
            log(f"{name}: loaded {state_path}")
        else:
            log(f"{name}: {n_params} parameters; training {epochs} epochs, batch {args.batch_size}, "
                f"peak lr {max_lr}")
            history, seconds = train(model, x_train, y_train, x_test, y_test, epochs,
                                     args.batch_size, max_lr, args.seed, log)
            torch.save(model.state_dict(), state_path)
            entry = {"definition": key, "parameters": n_params, "epochs": epochs,
                     "batch_size": args.batch_size, "optimizer": "AdamW(wd=1e-4) + OneCycleLR",
                     "max_lr": max_lr, "seed": args.seed, "train_seconds": round(seconds, 1),
                     "history": history}
        model.eval()
        entry["torch_test_accuracy"] = evaluate(model, x_test, y_test)
        log(f"{name}: torch test accuracy {entry['torch_test_accuracy']:.4f}")

        files = {"": os.path.join(args.out_dir, name + ".onnx")}
        if args.bn_variants:
            files["-bn"] = os.path.join(args.out_dir, name + "-bn.onnx")
        entry["onnx"] = {}
        for suffix, path in files.items():
            export(model, x_test[:1], path, preserve_bn=(suffix == "-bn"))
            info = check_onnx(model, path, x_test, y_test)
            entry["onnx"][os.path.basename(path)] = info
            op_types[os.path.basename(path)] = info["op_types"]
            log(f"{os.path.basename(path)}: {info['nodes']} nodes, ORT accuracy {info['ort_accuracy']:.4f}, "
                f"max |ORT - torch| {info['max_abs_diff_vs_torch_first_1000']:.2e}")
            log(f"  op types: {collections.Counter(info['op_types'])}")
        summary[name] = entry

    with open(summary_path, "w") as f:
        json.dump(summary, f, indent=2)
    with open(ops_path, "w") as f:
        json.dump(op_types, f, indent=2, sort_keys=True)
    log(f"wrote {summary_path} and {ops_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
