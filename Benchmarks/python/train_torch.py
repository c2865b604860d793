#!/usr/bin/env python3
"""PyTorch CPU baseline for Shrink's training benchmarks.

Trains LeNet-300-100 or Caffe LeNet-5 on the MNIST copy shipped in Data/mnist, or ResNet-20 on
CIFAR-10 (the official binary layout, plain or gzip; --data-dir), with the same recipe Shrink uses (batch 64, SGD with momentum, weight decay, cosine schedule stepped per
batch, PyTorch's default initialization) and prints one JSON line per epoch with the training
seconds and the test error, so `Benchmarks/compare-training.sh` can put both side by side.
"""
import argparse
import gzip
import json
import math
import os
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

MEAN, STD = 0.1307, 0.3081


def read_idx(path):
    with gzip.open(path, "rb") as handle:
        data = handle.read()
    rank = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(rank)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * rank).reshape(dims)


def load(directory, split):
    prefix = "train" if split == "train" else "t10k"
    images = read_idx(os.path.join(directory, f"{prefix}-images-idx3-ubyte.gz"))
    labels = read_idx(os.path.join(directory, f"{prefix}-labels-idx1-ubyte.gz"))
    x = (torch.from_numpy(images.astype(np.float32) / 255.0) - MEAN) / STD
    return x.unsqueeze(1).contiguous(), torch.from_numpy(labels.astype(np.int64))


class LeNet300100(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1, self.fc2, self.fc3 = nn.Linear(784, 300), nn.Linear(300, 100), nn.Linear(100, 10)

    def forward(self, x):
        x = x.flatten(1)
        return self.fc3(F.relu(self.fc2(F.relu(self.fc1(x)))))


class LeNet5(nn.Module):
    """Caffe's LeNet: no activation after the convolutions, ReLU after fc1."""

    def __init__(self):
        super().__init__()
        self.conv1, self.conv2 = nn.Conv2d(1, 20, 5), nn.Conv2d(20, 50, 5)
        self.fc1, self.fc2 = nn.Linear(800, 500), nn.Linear(500, 10)

    def forward(self, x):
        x = F.max_pool2d(self.conv1(x), 2)
        x = F.max_pool2d(self.conv2(x), 2)
        return self.fc2(F.relu(self.fc1(x.flatten(1))))


def load_cifar10(directory, split, limit=None):
    """The CIFAR-10 binary batches (records of 1 label byte and 3072 pixel bytes), scaled to [0, 1]
    and normalized per channel with the training set's mean and standard deviation."""
    names = [f"data_batch_{i}.bin" for i in range(1, 6)] if split == "train" else ["test_batch.bin"]
    chunks = []
    for name in names:
        path = os.path.join(directory, name)
        opener = (lambda p: open(p, "rb")) if os.path.exists(path) else (lambda p: gzip.open(p + ".gz", "rb"))
        with opener(path) as handle:
            chunks.append(np.frombuffer(handle.read(), dtype=np.uint8).reshape(-1, 3073))
        if limit is not None and sum(len(c) for c in chunks) >= limit:
            break
    records = np.concatenate(chunks)[:limit]
    x = torch.from_numpy(records[:, 1:].astype(np.float32) / 255.0).reshape(-1, 3, 32, 32)
    mean = torch.tensor([0.4914, 0.4822, 0.4465]).view(1, 3, 1, 1)
    std = torch.tensor([0.2470, 0.2435, 0.2616]).view(1, 3, 1, 1)
    return ((x - mean) / std).contiguous(), torch.from_numpy(records[:, 0].astype(np.int64))


def convolution_with_batch_normalization(inputs, outputs, kernel=3, stride=1):
    return [nn.Conv2d(inputs, outputs, kernel, stride, kernel // 2, bias=False), nn.BatchNorm2d(outputs)]


class ResidualBlock(nn.Module):
    """Shrink's GraphBuilder.residualBlock: a 1x1 projection shortcut when the shape changes."""

    def __init__(self, inputs, outputs, stride):
        super().__init__()
        self.body = nn.Sequential(*convolution_with_batch_normalization(inputs, outputs, 3, stride), nn.ReLU(),
                                  *convolution_with_batch_normalization(outputs, outputs))
        self.shortcut = (nn.Sequential(*convolution_with_batch_normalization(inputs, outputs, 1, stride))
                         if inputs != outputs or stride != 1 else nn.Identity())

    def forward(self, x):
        return F.relu(self.body(x) + self.shortcut(x))


def resnet20():
    """Shrink's zoo `resnet-20` (272,474 parameters)."""
    layers, channels = [*convolution_with_batch_normalization(3, 16), nn.ReLU()], 16
    for stage, width in enumerate([16, 32, 64]):
        for block in range(3):
            layers.append(ResidualBlock(channels, width, 2 if stage > 0 and block == 0 else 1))
            channels = width
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 10))


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", choices=["lenet-300-100", "lenet-5", "resnet-20"], required=True)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--learning-rate", type=float, default=0.05)
    parser.add_argument("--momentum", type=float, default=0.9)
    parser.add_argument("--weight-decay", type=float, default=5e-4)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--data-dir", default=None,
                        help="MNIST (default: the repository's Data/mnist) or, for resnet-20, CIFAR-10 binary batches")
    parser.add_argument("--train-limit", type=int, default=None, help="train on the first N samples only")
    parser.add_argument("--test-limit", type=int, default=None, help="test on the first N samples only")
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    if args.model == "resnet-20":
        directory = args.data_dir or os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "data", "cifar10")
        train_x, train_y = load_cifar10(directory, "train", args.train_limit)
        test_x, test_y = load_cifar10(directory, "test", args.test_limit)
        model = resnet20()
    else:
        directory = args.data_dir or os.path.join(os.path.dirname(__file__), "..", "..", "Data", "mnist")
        train_x, train_y = load(directory, "train")
        test_x, test_y = load(directory, "test")
        train_x, train_y = train_x[:args.train_limit], train_y[:args.train_limit]
        test_x, test_y = test_x[:args.test_limit], test_y[:args.test_limit]
        model = LeNet300100() if args.model == "lenet-300-100" else LeNet5()
    optimizer = torch.optim.SGD(model.parameters(), lr=args.learning_rate, momentum=args.momentum,
                                weight_decay=args.weight_decay)
    steps_per_epoch = math.ceil(len(train_y) / args.batch_size)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.epochs * steps_per_epoch)
    generator = torch.Generator().manual_seed(args.seed)
    for epoch in range(1, args.epochs + 1):
        model.train()
        order = torch.randperm(len(train_y), generator=generator)
        start = time.perf_counter()
        total_loss = 0.0
        for step in range(steps_per_epoch):
            index = order[step * args.batch_size:(step + 1) * args.batch_size]
            loss = F.cross_entropy(model(train_x[index]), train_y[index])
            optimizer.zero_grad(set_to_none=False)
            loss.backward()
            optimizer.step()
            scheduler.step()
            total_loss += loss.item()
        seconds = time.perf_counter() - start
        model.eval()
        with torch.no_grad():
            predictions = torch.cat([model(test_x[i:i + 500]).argmax(1) for i in range(0, len(test_y), 500)])
        error = (predictions != test_y).float().mean().item()
        print(json.dumps({"framework": f"pytorch {torch.__version__}", "model": args.model, "epoch": epoch,
                          "threads": args.threads, "batch_size": args.batch_size,
                          "train_seconds": round(seconds, 4), "train_loss": total_loss / steps_per_epoch,
                          "test_error": error}), flush=True)


if __name__ == "__main__":
    main()
