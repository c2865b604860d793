// swift-tools-version: 6.1
//
// Shrink: compress, store, run and measure neural networks on small machines.
//
// Modules, bottom to top (each depends only on modules above it in this list):
//   CShrinkKernels   C hot loops with per-function target attributes and runtime CPU dispatch
//   CZlib            system zlib (gzip read/write, CRC-32)
//   ShrinkTensor     Tensor storage and shapes, seeded random numbers
//   ShrinkGraph      the model graph: named values, nodes, attributes, shapes with a symbolic
//                    batch, validation, the Operator protocol and its registry type
//   ShrinkEncodings  byte encodings of tensor values: fp16, bit packing, affine codes,
//                    palettes, relative-index sparsity, canonical Huffman coding
//   ShrinkKernels    Swift API over the C kernels + plain Swift reference twins
//   ShrinkData       checksums, IDX/gzip readers, MNIST, CIFAR-10, datasets and batching, augmentation
//   ShrinkNN         layers with forward/backward, losses, models, architectures
//   ShrinkTraining   optimizers, learning-rate schedules, training loop, evaluation
//   ShrinkFormats    the versioned model container file
//   ShrinkCompression pruning, quantization, weight sharing, distillation, recipes, export
//   ShrinkMeasurement metrics, statistics, latency protocol, energy model, RAPL, memory, size
//   ShrinkReports    `shrink compare`: comparison of benchmark records, Pareto fronts,
//                    Markdown/CSV/JSON/HTML (inline SVG charts) reports
//   ShrinkResults    the results store: every bench/compress run in an SQLite database (GRDB),
//                    list/show/export/merge, sweep shards
//   ShrinkONNX       ONNX import (onto the graph) and export (fp32, QDQ int8), the node-test
//                    conformance runner
//   ShrinkBenchmarking `shrink bench`: one file measured into a BenchmarkRecord
//   ShrinkTuning     searching the compression space on written files: per-layer sensitivity
//   CShrinkAllocationCounter malloc-counting forwarders, linked into the `shrink` executable only
//   ShrinkCLI        the `shrink` command
import PackageDescription

let package = Package(
    name: "Shrink",
    products: [
        .executable(name: "shrink", targets: ["ShrinkCLI"]),
        .library(name: "ShrinkTensor", targets: ["ShrinkTensor"]),
        .library(name: "ShrinkEncodings", targets: ["ShrinkEncodings"]),
        .library(name: "ShrinkKernels", targets: ["ShrinkKernels"]),
        .library(name: "ShrinkData", targets: ["ShrinkData"]),
        .library(name: "ShrinkGraph", targets: ["ShrinkGraph"]),
        .library(name: "ShrinkNN", targets: ["ShrinkNN"]),
        .library(name: "ShrinkTraining", targets: ["ShrinkTraining"]),
        .library(name: "ShrinkCompression", targets: ["ShrinkCompression"]),
        .library(name: "ShrinkFormats", targets: ["ShrinkFormats"]),
        .library(name: "ShrinkMeasurement", targets: ["ShrinkMeasurement"]),
        .library(name: "ShrinkRuntime", targets: ["ShrinkRuntime"]),
        .library(name: "ShrinkReports", targets: ["ShrinkReports"]),
        .library(name: "ShrinkResults", targets: ["ShrinkResults"]),
        .library(name: "ShrinkBenchmarking", targets: ["ShrinkBenchmarking"]),
        .library(name: "ShrinkONNX", targets: ["ShrinkONNX"]),
        .library(name: "ShrinkTuning", targets: ["ShrinkTuning"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // SQLite access for the results store; links the system SQLite (libsqlite3-dev).
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        // ONNX's protobuf messages (Sources/ShrinkONNX/Generated/onnx.pb.swift is generated once
        // with protoc-gen-swift 1.39.0 and committed; the plugin is never built here).
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
    ],
    targets: [
        .target(
            name: "CShrinkKernels",
            cSettings: [
                // The kernels are the hot loops: optimize them even in debug builds so
                // `swift test` stays fast (these flags come after SwiftPM's -O0/-O2 and win).
                // ISA-specific code uses per-function target attributes only: no -m flags.
                // SwiftPM accepts unsafeFlags in the root package and in local (path)
                // dependencies, e.g. Benchmarks/ (checked with Swift 6.3.1); it rejects them only
                // in dependencies resolved from a URL by version. If Shrink is ever consumed that
                // way, drop this line: release builds still get SwiftPM's -O2.
                .unsafeFlags(["-O3", "-fno-math-errno"]),
            ]
        ),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        // Counts the process's heap allocations by replacing malloc & co. with forwarders to
        // glibc: linked only into the `shrink` executable (for `shrink bench-probe`), never into a library.
        .target(name: "CShrinkAllocationCounter"),
        .target(name: "ShrinkTensor"),
        .target(name: "ShrinkGraph", dependencies: ["ShrinkTensor"]),
        .target(name: "ShrinkEncodings", dependencies: ["ShrinkTensor"]),
        .target(name: "ShrinkKernels", dependencies: ["ShrinkTensor", "CShrinkKernels"]),
        .target(name: "ShrinkData", dependencies: ["ShrinkTensor", "CZlib"]),
        .target(name: "ShrinkNN", dependencies: ["ShrinkTensor", "ShrinkKernels", "CShrinkKernels", "ShrinkGraph"]),
        .target(name: "ShrinkTraining", dependencies: ["ShrinkNN", "ShrinkData"]),
        .target(name: "ShrinkCompression", dependencies: ["ShrinkTraining", "ShrinkNN", "ShrinkKernels", "ShrinkEncodings", "ShrinkFormats"]),
        .target(name: "ShrinkFormats", dependencies: ["ShrinkNN", "ShrinkEncodings", "CZlib"]),
        .target(name: "ShrinkMeasurement", dependencies: ["ShrinkTensor", "ShrinkData"]),
        .target(name: "ShrinkReports", dependencies: ["ShrinkMeasurement"]),
        .target(name: "ShrinkRuntime", dependencies: ["ShrinkFormats", "ShrinkKernels", "ShrinkNN", "ShrinkEncodings"]),
        .target(
            name: "ShrinkONNX",
            dependencies: ["ShrinkNN", "ShrinkFormats", "ShrinkEncodings", "ShrinkRuntime",
                           .product(name: "SwiftProtobuf", package: "swift-protobuf")]),
        .target(name: "ShrinkResults", dependencies: ["ShrinkMeasurement", .product(name: "GRDB", package: "GRDB.swift")]),
        .target(
            name: "ShrinkBenchmarking",
            dependencies: ["ShrinkRuntime", "ShrinkMeasurement", "ShrinkFormats", "ShrinkData", "ShrinkNN", "ShrinkKernels", "CShrinkKernels"]),
        .target(
            name: "ShrinkTuning",
            dependencies: ["ShrinkCompression", "ShrinkBenchmarking", "ShrinkFormats", "ShrinkData", "ShrinkNN", "ShrinkTraining",
                           "ShrinkTensor", "ShrinkRuntime", "ShrinkReports", "ShrinkResults", "ShrinkMeasurement"]),
        .executableTarget(
            name: "ShrinkCLI",
            dependencies: [
                "ShrinkTraining", "ShrinkCompression", "ShrinkFormats", "ShrinkData", "ShrinkMeasurement",
                "ShrinkBenchmarking", "ShrinkReports", "ShrinkResults", "ShrinkONNX", "ShrinkTuning", "CShrinkAllocationCounter",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "ShrinkTensorTests", dependencies: ["ShrinkTensor"]),
        .testTarget(name: "ShrinkEncodingsTests", dependencies: ["ShrinkEncodings"]),
        .testTarget(name: "ShrinkKernelsTests", dependencies: ["ShrinkKernels"]),
        .testTarget(name: "ShrinkDataTests", dependencies: ["ShrinkData"]),
        .testTarget(name: "ShrinkGraphTests", dependencies: ["ShrinkGraph"]),
        .testTarget(name: "ShrinkNNTests", dependencies: ["ShrinkNN", "ShrinkGraph"]),
        .testTarget(name: "ShrinkTrainingTests", dependencies: ["ShrinkTraining"]),
        .testTarget(name: "ShrinkCompressionTests", dependencies: ["ShrinkCompression"]),
        .testTarget(name: "ShrinkFormatsTests", dependencies: ["ShrinkFormats", "ShrinkData"], exclude: ["Fixtures"]),
        .testTarget(name: "ShrinkMeasurementTests", dependencies: ["ShrinkMeasurement", "ShrinkTensor", "ShrinkData"], exclude: ["Fixtures"]),
        .testTarget(name: "ShrinkReportsTests", dependencies: ["ShrinkReports", "ShrinkMeasurement"]),
        .testTarget(name: "ShrinkResultsTests", dependencies: ["ShrinkResults", "ShrinkMeasurement"]),
        .testTarget(name: "ShrinkCLITests", dependencies: [
            "ShrinkCLI", "ShrinkResults", "ShrinkBenchmarking", "ShrinkMeasurement", "ShrinkRuntime", "CShrinkAllocationCounter",
        ]),
        .testTarget(name: "ShrinkBenchmarkingTests", dependencies: [
            "ShrinkBenchmarking", "ShrinkRuntime", "ShrinkMeasurement", "ShrinkFormats", "ShrinkData", "ShrinkNN", "ShrinkTensor",
            "ShrinkEncodings",
        ]),
        .testTarget(name: "ShrinkPipelineTests", dependencies: [
            "ShrinkCompression", "ShrinkRuntime", "ShrinkTraining", "ShrinkFormats", "ShrinkNN", "ShrinkData", "ShrinkTensor",
        ]),
        .testTarget(name: "ShrinkONNXTests", dependencies: [
            "ShrinkONNX", "ShrinkRuntime", "ShrinkFormats", "ShrinkNN", "ShrinkEncodings",
            // The QDQ tests quantize with Shrink's own int8 step, calibrated on synthetic data.
            "ShrinkCompression", "ShrinkData", "ShrinkTraining",
        ], exclude: ["Fixtures"]),
        .testTarget(name: "ShrinkTuningTests", dependencies: [
            "ShrinkTuning", "ShrinkCompression", "ShrinkFormats", "ShrinkNN", "ShrinkData", "ShrinkTraining", "ShrinkTensor", "ShrinkResults",
        ]),
        .testTarget(name: "ShrinkRuntimeTests", dependencies: ["ShrinkRuntime", "ShrinkFormats", "ShrinkKernels", "ShrinkNN", "ShrinkEncodings"]),
    ],
    swiftLanguageModes: [.v5]
)
