import ArgumentParser
import ShrinkKernels
import ShrinkTensor

/// `shrink-benchmarks kernels`: the runtime kernels (fp32, fp16, int8, int4, palettized, CSR sparse) on
/// one fully connected layer and on the VGG-16 classifier head (25088-4096-4096-1000), one thread
/// by default (--threads),
/// random weights. Reports latency, GFLOP/s (dense-equivalent 2·m·n·k) and GB/s of weight bytes.
struct KernelsBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kernels",
        abstract: "Runtime kernels by weight encoding: GEMV/GEMM latency, GFLOP/s, GB/s, VGG-16 head."
    )

    @Option(help: "Batch sizes (repeatable).")
    var batch: [Int] = [1, 64]

    @Option(help: "Timed samples per measurement (median reported).")
    var samples: Int = 7

    @Option(help: "Force a CPU path: portable, avx2, avx512 (x86-64) or neon (aarch64) (default: detected).")
    var path: String?

    @Option(help: "Threads per kernel call (each kernel splits output channels).")
    var threads: Int = 1

    @Flag(help: "Only the single-layer case 25088→4096, not the whole VGG-16 head.")
    var layerOnly = false

    @Option(help: "Layers to measure instead of the VGG-16 head, as inputs x outputs (repeatable, e.g. 784x300).")
    var layer: [String] = []

    @Option(help: "Output: text (per layer and head), or tsv (whole head per encoding and batch, with ReLUs: median, p5, p95 ms).")
    var format: String = "text"

    @Option(help: "Encodings to measure (repeatable; default: all).")
    var encoding: [String] = []

    /// One encoding of a layer: its weight bytes and the operation y = x · Wᵀ + b.
    struct EncodedLayer {
        let name: String
        let weightBytes: Int
        let inputCount: Int, outputCount: Int
        let apply: (UnsafePointer<Float>, Int, UnsafeMutablePointer<Float>) -> Void
    }

    func run() throws {
        let chosen = path.flatMap { name in CPUPath.allCases.first { $0.description == name } } ?? CPUPath.detected
        guard CPUPath.available.contains(chosen) else { throw ValidationError("CPU path \(chosen) is not available") }
        try CPUPath.withPath(chosen) { try measureAll(path: chosen) }
    }

    static let encodings = ["fp32", "fp16", "int8", "int4", "palette4", "palette4-int8", "palette10", "palette16", "sparse-fp32",
                            "deep-compression"]

    func measureAll(path: CPUPath) throws {
        if format == "tsv" { return try measureHeads(path: path) }
        print("CPU path \(path), \(threads) thread(s), median of \(samples) samples")
        let custom = try layer.map { text -> (Int, Int) in
            let parts = text.split(separator: "x").compactMap { Int($0) }
            guard parts.count == 2, parts.allSatisfy({ $0 > 0 }) else { throw ValidationError("--layer \(text): expected IxO") }
            return (parts[0], parts[1])
        }
        let single = layerOnly || !custom.isEmpty
        let shapes = !custom.isEmpty ? custom : layerOnly ? [(25088, 4096)] : [(25088, 4096), (4096, 4096), (4096, 1000)]
        // Deep Compression (Han et al.) keeps about 4 % of fc6/fc7 and 23 % of fc8; we use 9 % for fc8.
        let densities: [Double] = single ? shapes.map { _ in 0.04 } : [0.04, 0.04, 0.09]
        var generator = SeededRandomNumberGenerator(seed: 2026)
        let weights = shapes.map { shape in (0..<(shape.0 * shape.1)).map { _ in generator.nextUniform() * 0.02 - 0.01 } }
        let biases = shapes.map { shape in (0..<shape.1).map { _ in generator.nextUniform() * 0.02 - 0.01 } }
        var headSeconds: [String: [Int: Double]] = [:]
        print("encoding            layer         batch   ms/call   GFLOP/s  weight GB/s  weight MB")
        for encoding in self.encoding.isEmpty ? Self.encodings : self.encoding {
            var layers: [EncodedLayer] = []
            for (index, shape) in shapes.enumerated() {
                layers.append(try Self.encode(encoding, weights: weights[index], bias: biases[index], inputCount: shape.0,
                                              outputCount: shape.1, density: densities[index], threads: threads))
            }
            for batch in self.batch {
                var total = 0.0
                for layer in layers {
                    let seconds = measure(layer, batch: batch, generator: &generator)
                    total += seconds
                    let operations = 2 * Double(batch) * Double(layer.inputCount) * Double(layer.outputCount)
                    print(pad(encoding, 20) + pad("\(layer.inputCount)→\(layer.outputCount)", 14) + pad("\(batch)", 6)
                          + pad(format(seconds * 1e3, 3), 10) + pad(format(operations / seconds / 1e9, 1), 10)
                          + pad(format(Double(layer.weightBytes) / seconds / 1e9, 2), 13)
                          + format(Double(layer.weightBytes) / 1e6, 1))
                }
                headSeconds[encoding, default: [:]][batch] = total
            }
        }
        if !single && self.encoding.isEmpty {
            print("\nVGG-16 classifier head (25088-4096-4096-1000), ms per batch, speed-up over fp32 / int8")
            for batch in self.batch {
                let fp32 = headSeconds["fp32"]![batch]!, int8 = headSeconds["int8"]![batch]!
                for encoding in Self.encodings {
                    let seconds = headSeconds[encoding]![batch]!
                    print(pad(encoding, 20) + pad("batch \(batch)", 10) + pad(format(seconds * 1e3, 2) + " ms", 12)
                          + pad("×" + format(fp32 / seconds, 2) + " vs fp32", 16) + "×" + format(int8 / seconds, 2) + " vs int8")
                }
            }
        }
    }

    /// The whole head (layer, ReLU, layer, ReLU, layer) per encoding and batch as one timed
    /// operation, one TSV row each: `shrink <path> <encoding> <batch> <median ms> <p5 ms> <p95 ms>`.
    func measureHeads(path: CPUPath) throws {
        let shapes = [(25088, 4096), (4096, 4096), (4096, 1000)]
        let densities = [0.04, 0.04, 0.09]
        var generator = SeededRandomNumberGenerator(seed: 2026)
        let weights = shapes.map { shape in (0..<(shape.0 * shape.1)).map { _ in generator.nextUniform() * 0.02 - 0.01 } }
        let biases = shapes.map { shape in (0..<shape.1).map { _ in generator.nextUniform() * 0.02 - 0.01 } }
        print("# implementation\tencoding\tbatch\tmedian_ms\tp5_ms\tp95_ms\tthreads")
        for name in encoding.isEmpty ? Self.encodings : encoding {
            let layers = try shapes.indices.map { index in
                try Self.encode(name, weights: weights[index], bias: biases[index], inputCount: shapes[index].0,
                                outputCount: shapes[index].1, density: densities[index], threads: threads)
            }
            for batch in self.batch {
                let input = (0..<(batch * 25088)).map { _ in max(0, generator.nextUniform() * 2 - 0.5) }
                var hidden1 = [Float](repeating: 0, count: batch * 4096), hidden2 = hidden1
                var output = [Float](repeating: 0, count: batch * 1000)
                let measurement = input.withUnsafeBufferPointer { x in
                    hidden1.withUnsafeMutableBufferPointer { h1 in
                        hidden2.withUnsafeMutableBufferPointer { h2 in
                            output.withUnsafeMutableBufferPointer { y in
                                Measurement.run(warmUp: 2, samples: samples, minimumSampleSeconds: 0.02) {
                                    layers[0].apply(x.baseAddress!, batch, h1.baseAddress!)
                                    for index in h1.indices { h1[index] = max(0, h1[index]) }
                                    layers[1].apply(UnsafePointer(h1.baseAddress!), batch, h2.baseAddress!)
                                    for index in h2.indices { h2[index] = max(0, h2[index]) }
                                    layers[2].apply(UnsafePointer(h2.baseAddress!), batch, y.baseAddress!)
                                }
                            }
                        }
                    }
                }
                let ms = measurement.wallSeconds.map { $0 * 1e3 }
                print("shrink-\(path)\t\(name)\t\(batch)\t\(Statistics.percentile(ms, 50))\t\(Statistics.percentile(ms, 5))\t\(Statistics.percentile(ms, 95))\t\(threads)")
            }
        }
    }

    func measure(_ layer: EncodedLayer, batch: Int, generator: inout SeededRandomNumberGenerator) -> Double {
        let input = (0..<(batch * layer.inputCount)).map { _ in max(0, generator.nextUniform() * 2 - 0.5) } // ReLU-like
        var output = [Float](repeating: 0, count: batch * layer.outputCount)
        let measurement = input.withUnsafeBufferPointer { x in
            output.withUnsafeMutableBufferPointer { y in
                Measurement.run(warmUp: 2, samples: samples, minimumSampleSeconds: 0.05) {
                    layer.apply(x.baseAddress!, batch, y.baseAddress!)
                }
            }
        }
        return Statistics.percentile(measurement.wallSeconds, 50)
    }

    static func encode(_ encoding: String, weights: [Float], bias: [Float], inputCount: Int, outputCount: Int,
                       density: Double, threads: Int) throws -> EncodedLayer {
        switch encoding {
        case "fp32":
            // Row-dot GEMV up to 4 rows (W read once), blocked GEMM beyond: the honest baseline.
            let layer = try Float32LinearWeights(weights: weights, bias: bias, outputCount: outputCount, inputCount: inputCount)
            return EncodedLayer(name: encoding, weightBytes: 4 * weights.count, inputCount: inputCount, outputCount: outputCount) {
                layer.apply(input: $0, rows: $1, output: $2, threadCount: threads)
            }
        case "fp16":
            let layer = try Float16LinearWeights(rounding: weights, bias: bias, outputCount: outputCount, inputCount: inputCount)
            return EncodedLayer(name: encoding, weightBytes: 2 * weights.count, inputCount: inputCount, outputCount: outputCount) {
                layer.apply(input: $0, rows: $1, output: $2, threadCount: threads)
            }
        case "int8":
            let layer = try Int8LinearWeights(quantizing: weights, bias: bias, outputCount: outputCount, inputCount: inputCount)
            return EncodedLayer(name: encoding, weightBytes: weights.count, inputCount: inputCount, outputCount: outputCount) {
                try! layer.apply(input: $0, rows: $1, output: $2, granularity: .perTensor, threadCount: threads)
            }
        case "int4":
            // Signed symmetric 4-bit codes per output channel (ptq-4bit's scheme: scale = max |w| / 7,
            // codes −7…7) on the sub-byte kernel, activations quantized as int8's.
            var codes = [Int32](repeating: 0, count: weights.count), scales = [Float](repeating: 1, count: outputCount)
            for row in 0..<outputCount {
                let slice = weights[(row * inputCount)..<((row + 1) * inputCount)]
                let scale = max(slice.map(abs).max() ?? 0, 1e-12) / 7
                scales[row] = scale
                for column in 0..<inputCount {
                    codes[row * inputCount + column] = Int32(max(-7, min(7, (weights[row * inputCount + column] / scale).rounded())))
                }
            }
            let layer = try SubByteLinearWeights(affineCodes: codes, bits: 4, isSigned: true, scales: scales,
                                                 zeroPoints: [Int32](repeating: 0, count: outputCount), bias: bias,
                                                 outputCount: outputCount, inputCount: inputCount)
            return EncodedLayer(name: encoding, weightBytes: weights.count / 2, inputCount: inputCount, outputCount: outputCount) {
                try! layer.apply(input: $0, rows: $1, output: $2, granularity: .perTensor, threadCount: threads)
            }
        case "palette4":
            // Linear 16-level palette over [-0.01, 0.01] (random weights have no clusters to find).
            let centroids = (0..<16).map { Float(-0.01 + 0.02 * (Double($0) + 0.5) / 16) }
            let indices = weights.map { UInt8(min(15, max(0, Int(($0 + 0.01) / 0.02 * 16)))) }
            let layer = try PaletteLinearWeights(indices: indices, centroids: centroids, bitWidth: 4, bias: bias,
                                                 outputCount: outputCount, inputCount: inputCount)
            return EncodedLayer(name: encoding, weightBytes: weights.count / 2, inputCount: inputCount, outputCount: outputCount) {
                layer.apply(input: $0, rows: $1, output: $2, threadCount: threads)
            }
        case "palette4-int8":
            // The same 16-level palette on the int8 kernels (s8 codebook, vpshufb look-up).
            let centroids = (0..<16).map { Float(-0.01 + 0.02 * (Double($0) + 0.5) / 16) }
            let indices = weights.map { UInt8(min(15, max(0, Int(($0 + 0.01) / 0.02 * 16)))) }
            let layer = try QuantizedPaletteLinearWeights(indices: indices, centroids: centroids, bias: bias,
                                                          outputCount: outputCount, inputCount: inputCount)
            return EncodedLayer(name: encoding, weightBytes: weights.count / 2, inputCount: inputCount, outputCount: outputCount) {
                try! layer.apply(input: $0, rows: $1, output: $2, granularity: .perTensor, threadCount: threads)
            }
        case "palette10", "palette16":
            // A linear palette of 2^bits levels over [-0.01, 0.01] on the wide-palette gather kernel.
            let bits = encoding == "palette10" ? 10 : 16, levels = 1 << bits
            let centroids = (0..<levels).map { Float(-0.01 + 0.02 * (Double($0) + 0.5) / Double(levels)) }
            let indices = weights.map { UInt16(min(levels - 1, max(0, Int(($0 + 0.01) / 0.02 * Float(levels))))) }
            let layer = try WidePaletteLinearWeights(indices: indices, centroids: centroids, bitWidth: bits, bias: bias,
                                                     outputCount: outputCount, inputCount: inputCount)
            return EncodedLayer(name: encoding, weightBytes: 2 * weights.count + 4 * levels, inputCount: inputCount,
                                outputCount: outputCount) {
                layer.apply(input: $0, rows: $1, output: $2, threadCount: threads)
            }
        case "sparse-fp32", "deep-compression":
            // Magnitude pruning of uniform weights: keep |w| > (1 − density) · 0.01.
            let threshold = Float((1 - density) * 0.01)
            var rowPointers: [Int32] = [0], columns: [Int] = [], values: [Float] = [], codes: [UInt8] = []
            columns.reserveCapacity(Int(Double(weights.count) * density * 1.1))
            weights.withUnsafeBufferPointer { w in
                for row in 0..<outputCount {
                    for column in 0..<inputCount where abs(w[row * inputCount + column]) > threshold {
                        let value = w[row * inputCount + column]
                        columns.append(column)
                        values.append(value)
                        // 5-bit clustering: 16 levels on each side of zero over the kept range.
                        let level = min(15, Int((abs(value) - threshold) / (0.01 - threshold) * 16))
                        codes.append(UInt8(value < 0 ? level : 16 + level))
                    }
                    rowPointers.append(Int32(columns.count))
                }
            }
            let span = 0.01 - threshold
            let centroids = (0..<32).map { code -> Float in
                let magnitude = threshold + span * (Float(code % 16) + 0.5) / 16
                return code < 16 ? -magnitude : magnitude
            }
            let deep = encoding == "deep-compression"
            let layer = try SparseLinearWeights(rowPointers: rowPointers, columns: columns,
                                                values: deep ? .palettized(codes: codes, centroids: centroids) : .float(values),
                                                bias: bias, outputCount: outputCount, inputCount: inputCount)
            let bytes = columns.count * (deep ? 3 : 6) + 4 * (outputCount + 1)
            return EncodedLayer(name: encoding, weightBytes: bytes, inputCount: inputCount, outputCount: outputCount) {
                layer.apply(input: $0, rows: $1, output: $2, threadCount: threads)
            }
        default:
            throw ValidationError("unknown encoding \(encoding)")
        }
    }

    func pad(_ text: String, _ width: Int) -> String { text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count) }
    func format(_ value: Double, _ decimals: Int) -> String {
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let rounded = (value * scale).rounded() / scale
        return "\(rounded)"
    }
}
