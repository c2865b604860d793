// swift-tools-version: 6.1
//
// Benchmarks for Shrink, kept out of the main package so that `swift build` / `swift test` of
// the project never compile them. Build and run in release:
//
//   swift run -c release shrink-benchmarks gemm
//
// See README.md, and compare-gemm.sh for the side-by-side comparison with numpy/OpenBLAS.
import PackageDescription

let package = Package(
    name: "ShrinkBenchmarks",
    products: [
        .executable(name: "shrink-benchmarks", targets: ["ShrinkBenchmarks"]),
    ],
    dependencies: [
        .package(name: "Shrink", path: ".."),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // The same GRDB as the main package: `fuzz-results` writes damaged rows with plain SQL.
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        .executableTarget(
            name: "ShrinkBenchmarks",
            dependencies: [
                .product(name: "ShrinkKernels", package: "Shrink"),
                .product(name: "ShrinkTensor", package: "Shrink"),
                .product(name: "ShrinkData", package: "Shrink"),
                .product(name: "ShrinkNN", package: "Shrink"),
                .product(name: "ShrinkTraining", package: "Shrink"),
                .product(name: "ShrinkEncodings", package: "Shrink"),
                .product(name: "ShrinkFormats", package: "Shrink"),
                .product(name: "ShrinkRuntime", package: "Shrink"),
                .product(name: "ShrinkONNX", package: "Shrink"),
                .product(name: "ShrinkCompression", package: "Shrink"),
                .product(name: "ShrinkMeasurement", package: "Shrink"),
                .product(name: "ShrinkReports", package: "Shrink"),
                .product(name: "ShrinkResults", package: "Shrink"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
    ],
    swiftLanguageModes: [.v5]
)
