import ArgumentParser
import ShrinkEncodings
import ShrinkFormats
import ShrinkNN
import ShrinkRuntime
import ShrinkTensor

/// `shrink-benchmarks runtime`: single-sample latency of `ExecutionPlan.run` on LeNet-300-100
/// (784-300-100-10) with random weights stored in each encoding, written to and decoded from a
/// model file first. Trains nothing: the numbers measure the runtime, not accuracy. The sparse
/// rows keep a random 8 % of each weight matrix.
struct RuntimeBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runtime",
        abstract: "ExecutionPlan latency per weight encoding, LeNet-300-100, batch 1 (median µs)."
    )

    @Option(help: "Timed samples per encoding (median reported).")
    var samples: Int = 51

    @Option(help: "Minimum duration of one sample in seconds (many runs per sample).")
    var sampleSeconds: Double = 0.01

    @Option(help: "Batch size.")
    var batch: Int = 1

    @Option(help: "Threads the plan may use for large layers.")
    var threads: Int = 1

    @Flag(help: "Also print each encoding's per-operator breakdown (1000 profiled runs; int8 shows quantize/dequantize).")
    var profile = false

    @Option(help: "Alternated rounds of the static-versus-dynamic int8 comparison (0: skip).")
    var staticRounds: Int = 0

    /// The weight encodings measured, in report order.
    enum Encoding: String, CaseIterable {
        case fp32, fp16, int8
        /// int8 weights with calibrated (static) activation parameters for every int8 layer input.
        case int8Static = "int8-static"
        case palette4 = "palette4"
        case sparsePalette5 = "sparse8%-palette5"
        /// The same pruning with fp32 values (no look-up), for comparison.
        case sparseFloat = "sparse8%-fp32"
    }

    func run() throws {
        let graph = try ModelZoo.graph(named: "lenet-300-100")
        print("LeNet-300-100, batch \(batch), \(threads) thread(s), median of \(samples) samples (µs per run)")
        print("run(Tensor): wall/cpu median, p90 wall; run(input:batch:output:): wall median (no allocation)")
        print("encoding           wall µs   cpu µs    p90 µs    buffer µs   kernels")
        var generator = SeededRandomNumberGenerator(seed: 2026)
        let input = Tensor(shape: [batch] + graph.inputs[0].shape.sampleShape!,
                           scalars: (0..<(batch * 784)).map { _ in generator.nextUniform() })
        if staticRounds > 0 { try compareStaticInt8(graph, input: input) }
        for encoding in Encoding.allCases {
            let file = try Self.file(graph, encoding: encoding == .int8Static ? .int8 : encoding, seed: 7)
            let plan = encoding == .int8Static
                ? try ExecutionPlan(graph: graph, tensors: file.tensors,
                                    activationQuantization: try Self.calibrate(file, input: input), threads: threads)
                : try ExecutionPlan(file: file, threads: threads)
            _ = try plan.run(input) // sizes the buffers
            var failure: Error?
            let measurement = Measurement.run(warmUp: 100, samples: samples, minimumSampleSeconds: sampleSeconds) {
                do { _ = try plan.run(input) } catch { failure = error }
            }
            if let failure { throw failure }
            // The buffer API: no allocation per run (the tensor API allocates its result).
            var output = [Float](repeating: 0, count: batch * plan.outputShape.reduce(1, *))
            let buffered = input.withUnsafeBufferPointer { source in
                output.withUnsafeMutableBufferPointer { target in
                    Measurement.run(warmUp: 100, samples: samples, minimumSampleSeconds: sampleSeconds) {
                        do { try plan.run(input: source, batch: batch, output: target) } catch { failure = error }
                    }
                }
            }
            if let failure { throw failure }
            let kernels = plan.layers.filter { !$0.kernel.isMerged && $0.kernel != .relu }
                .map { "\($0.name)=\($0.kernel)" }.joined(separator: " ")
            let wall = Statistics.percentile(measurement.wallSeconds, 50) * 1e6
            let cpu = Statistics.percentile(measurement.threadCPUSeconds, 50) * 1e6
            let wall90 = Statistics.percentile(measurement.wallSeconds, 90) * 1e6
            let bufferedWall = Statistics.percentile(buffered.wallSeconds, 50) * 1e6
            print(pad(encoding.rawValue, 19) + pad(format(wall, 2), 10) + pad(format(cpu, 2), 10)
                  + pad(format(wall90, 2), 10) + pad(format(bufferedWall, 2), 12) + kernels)
            if profile {
                var operators: OperatorProfile? = OperatorProfile()
                let runs = 1000
                try input.withUnsafeBufferPointer { source in
                    try output.withUnsafeMutableBufferPointer { target in
                        for _ in 0..<runs { try plan.run(input: source, batch: batch, output: target, profile: &operators) }
                    }
                }
                let breakdown = (operators?.entries ?? []).map { entry in
                    "\(entry.kind) \(format(entry.seconds / Double(runs) * 1e6, 2))"
                }.joined(separator: ", ")
                print("  profile (µs per run): " + breakdown)
            }
        }
    }

    /// Dynamic and static int8 plans of the same weights, timed in alternated rounds (each round:
    /// `runs` buffer-API runs of one, then of the other; order swapped every round), so machine
    /// load hits both alike. Prints the median µs per run of each and their ratio.
    func compareStaticInt8(_ graph: Graph, input: Tensor) throws {
        let file = try Self.file(graph, encoding: .int8, seed: 7)
        let dynamic = try ExecutionPlan(file: file, threads: threads)
        let calibrated = try ExecutionPlan(graph: graph, tensors: file.tensors,
                                           activationQuantization: try Self.calibrate(file, input: input), threads: threads)
        var output = [Float](repeating: 0, count: batch * dynamic.outputShape.reduce(1, *))
        var times: [[Double]] = [[], []]
        let runs = 2000
        try input.withUnsafeBufferPointer { source in
            try output.withUnsafeMutableBufferPointer { target in
                let plans = [dynamic, calibrated]
                for plan in plans { for _ in 0..<200 { try plan.run(input: source, batch: batch, output: target) } }
                for round in 0..<staticRounds {
                    for position in (round % 2 == 0 ? [0, 1] : [1, 0]) {
                        let start = ContinuousClock.now
                        for _ in 0..<runs { try plans[position].run(input: source, batch: batch, output: target) }
                        let (seconds, attoseconds) = (ContinuousClock.now - start).components
                        times[position].append((Double(seconds) + Double(attoseconds) * 1e-18) / Double(runs) * 1e6)
                    }
                }
            }
        }
        let medians = times.map { Statistics.percentile($0, 50) }
        print("int8 dynamic vs static, \(staticRounds) alternated rounds of \(runs) runs: dynamic \(format(medians[0], 3)) µs, "
              + "static \(format(medians[1], 3)) µs, static / dynamic \(format(medians[1] / medians[0], 3))")
    }

    /// u8 parameters (range [0, max]) for each Linear's input value (`flatten`, `relu1`, `relu2`),
    /// calibrated on `input` with the dynamic int8 plan.
    static func calibrate(_ file: ModelFile, input: Tensor) throws -> [String: ActivationQuantization] {
        var graph = file.graph
        let values = ["flatten", "relu1", "relu2"]
        graph.outputs += values
        let outputs = try ExecutionPlan(graph: graph, tensors: file.tensors).run(inputs: ["input": input])
        var parameters = [String: ActivationQuantization]()
        for value in values {
            let high = max(outputs[value]?.scalars.max() ?? 1, 1e-6)
            parameters[value] = ActivationQuantization(scale: high / 255, zeroPoint: 0)
        }
        return parameters
    }

    /// A random model whose Linear weights are stored as `encoding` (biases fp32), through bytes.
    static func file(_ graph: Graph, encoding: Encoding, seed: UInt64) throws -> ModelFile {
        var generator = SeededRandomNumberGenerator(seed: seed)
        let model = try GraphNetwork(graph: graph, generator: &generator)
        let linearWeights = Set(model.graph.nodes.filter { $0.operatorType == LinearOperator.typeName }.map { $0.weightName("weight") })
        var tensors = [StoredTensor]()
        for parameter in model.parameters {
            guard linearWeights.contains(parameter.name) else {
                tensors.append(StoredTensor(parameter))
                continue
            }
            let values = parameter.value.scalars, rows = parameter.value.shape[0]
            let columns = values.count / rows
            let stored: StoredEncoding
            switch encoding {
            case .fp32:
                stored = StoredEncoding(coded: .float32(values))
            case .fp16:
                stored = StoredEncoding(coded: .float16(values))
            case .int8, .int8Static:
                let scales = (0..<rows).map { row in
                    max(values[(row * columns)..<((row + 1) * columns)].map(abs).max() ?? 0, 1e-6) / 127
                }
                stored = StoredEncoding(coded: try .affine(quantizing: values, bits: 8, isSigned: true, scales: scales,
                                                           zeroPoints: [Int32](repeating: 0, count: rows)))
            case .palette4:
                let (indices, centroids) = palettize(values, bits: 4, reserveZero: false)
                stored = StoredEncoding(coded: try .palette(indices: indices, centroids: centroids, bits: 4))
            case .sparsePalette5:
                let pruned = values.map { generator.nextUniform() < 0.08 ? $0 : 0 }
                let (indices, centroids) = palettize(pruned, bits: 5, reserveZero: true)
                stored = StoredEncoding(coded: try .palette(indices: indices, centroids: centroids, bits: 5),
                                        layout: .sparse(gapBits: 5))
            case .sparseFloat:
                stored = StoredEncoding(coded: .float32(values.map { generator.nextUniform() < 0.08 ? $0 : 0 }),
                                        layout: .sparse(gapBits: 5))
            }
            tensors.append(try StoredTensor(name: parameter.name, kind: parameter.kind, shape: parameter.value.shape,
                                            encoding: stored))
        }
        return try ModelFile.decode(try ModelFile(graph: graph, tensors: tensors).encoded())
    }

    /// Evenly spaced centroids over the (non-zero) value range, each value to its nearest one;
    /// with `reserveZero`, centroid 0 is exactly 0 and zeros map to it.
    static func palettize(_ values: [Float], bits: Int, reserveZero: Bool) -> (indices: [UInt16], centroids: [Float]) {
        let nonZero = reserveZero ? values.filter { $0 != 0 } : values
        let low = nonZero.min() ?? 0, high = nonZero.max() ?? 0
        let levels = reserveZero ? (1 << bits) - 1 : 1 << bits
        let step = levels > 1 ? (high - low) / Float(levels - 1) : 0
        let grid = (0..<levels).map { low + Float($0) * step }
        let indices = values.map { value -> UInt16 in
            if reserveZero && value == 0 { return 0 }
            let position = step > 0 ? Int(((value - low) / step).rounded()) : 0
            return UInt16(min(max(position, 0), levels - 1) + (reserveZero ? 1 : 0))
        }
        return (indices, reserveZero ? [0] + grid : grid)
    }

    func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }

    func format(_ value: Double, _ decimals: Int) -> String {
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        return "\((value * scale).rounded() / scale)"
    }
}
