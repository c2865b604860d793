import ArgumentParser
import ShrinkEncodings
import ShrinkFormats
import ShrinkNN
import ShrinkRuntime
import ShrinkTensor

/// `shrink-benchmarks sparse-break-even`: at which sparsity does a pruned convolution, stored
/// sparse (CSR positions, fp32 values) and run by the runtime's sparse kernel, beat the same
/// convolution stored dense? One 3×3 convolution per shape of ResNet-20's stages (and LeNet-5's
/// `conv2`), random weights with a random `sparsity` of them zero, each written to a model file
/// and decoded; plans with `KernelSelection.encoding` (the stored encoding's kernel, no timing
/// at load; a sparse convolution has no dense fallback, unlike a Linear layer) against
/// the dense file's plan, alternated rounds, one thread. Prints the median µs per call of both,
/// their ratio and the kernel the sparse file ran, and per shape and batch the lowest sparsity
/// at which the sparse kernel ran and was at least as fast.
struct SparseBreakEvenBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sparse-break-even",
        abstract: "Sparse (CSR) against dense convolution in the runtime: the break-even sparsity per shape and batch."
    )

    @Option(help: "Batch sizes, comma-separated.")
    var batches: String = "1,64"

    @Option(help: "Sparsities (fraction of zero weights), comma-separated.")
    var sparsities: String = "0.3,0.5,0.7,0.8,0.85,0.9,0.95,0.98"

    @Option(help: "Alternated rounds (median reported).")
    var rounds: Int = 15

    @Option(help: "Minimum seconds per timed round of one plan.")
    var roundSeconds: Double = 0.02

    /// A convolution's input `[channels, height, width]` and output channels (3×3, stride 1, pad 1;
    /// LeNet-5's 5×5 without padding).
    struct Shape {
        var name: String
        var channels: Int, size: Int, outputs: Int, kernel: Int, padding: Int
    }

    static let shapes = [
        Shape(name: "resnet-20 stage 1 (16→16, 32×32)", channels: 16, size: 32, outputs: 16, kernel: 3, padding: 1),
        Shape(name: "resnet-20 stage 2 (32→32, 16×16)", channels: 32, size: 16, outputs: 32, kernel: 3, padding: 1),
        Shape(name: "resnet-20 stage 3 (64→64, 8×8)", channels: 64, size: 8, outputs: 64, kernel: 3, padding: 1),
        Shape(name: "lenet-5 conv2 (20→50, 12×12, 5×5)", channels: 20, size: 12, outputs: 50, kernel: 5, padding: 0),
    ]

    func validate() throws {
        guard rounds >= 3 else { throw ValidationError("--rounds must be at least 3, got \(rounds).") }
        guard parsedBatches.allSatisfy({ $0 >= 1 }), !parsedBatches.isEmpty else {
            throw ValidationError("--batches must be positive integers, got '\(batches)'.")
        }
        guard parsedSparsities.allSatisfy({ $0 >= 0 && $0 < 1 }), !parsedSparsities.isEmpty else {
            throw ValidationError("--sparsities must lie in [0, 1), got '\(sparsities)'.")
        }
    }

    var parsedBatches: [Int] { batches.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) } }
    var parsedSparsities: [Double] { sparsities.split(separator: ",").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) } }

    func run() throws {
        print("Sparse (CSR, fp32 values) against dense convolution, one thread, median of \(rounds) alternated rounds")
        print(pad("shape", 36) + pad("batch", 7) + pad("sparsity", 10) + pad("dense µs", 11) + pad("sparse µs", 11)
              + pad("dense/sparse", 14) + "sparse plan's kernel")
        var summary = [String]()
        for shape in Self.shapes {
            let graph = Self.graph(shape)
            for batch in parsedBatches {
                var generator = SeededRandomNumberGenerator(seed: 11)
                let input = Tensor.randomUniform(shape: [batch, shape.channels, shape.size, shape.size], lowerBound: 0,
                                                 upperBound: 1, using: &generator)
                let dense = try ExecutionPlan(file: try Self.file(graph, sparsity: 0, sparse: false))
                var breakEven: Double?
                for sparsity in parsedSparsities {
                    let sparse = try ExecutionPlan(file: try Self.file(graph, sparsity: sparsity, sparse: true))
                    let (denseSeconds, sparseSeconds) = try alternate(dense, sparse, input: input)
                    let kernel = sparse.layers.first { $0.name.hasPrefix("conv") }.map { "\($0.kernel)" } ?? "?"
                    print(pad(shape.name, 36) + pad("\(batch)", 7) + pad(format(sparsity * 100, 1) + " %", 10)
                          + pad(format(denseSeconds * 1e6, 2), 11) + pad(format(sparseSeconds * 1e6, 2), 11)
                          + pad(format(denseSeconds / sparseSeconds, 2), 14) + kernel)
                    // Rows where the sparse file ran the dense kernel (density above the fallback) say nothing.
                    if breakEven == nil && kernel.contains("sparse") && sparseSeconds <= denseSeconds { breakEven = sparsity }
                }
                summary.append(pad(shape.name, 36) + pad("\(batch)", 7)
                               + (breakEven.map { "sparse at least as fast from \(format($0 * 100, 1)) % zeros" }
                                  ?? "sparse slower at every sparsity measured"))
            }
        }
        print("\nBreak-even (lowest sparsity measured at which the sparse kernel ran and was at least as fast):")
        for line in summary { print(line) }
    }

    /// Median seconds per call of each plan over alternated rounds.
    func alternate(_ first: ExecutionPlan, _ second: ExecutionPlan, input: Tensor) throws -> (Double, Double) {
        let plans = [first, second]
        var output = [Float](repeating: 0, count: input.shape[0] * first.outputShape.reduce(1, *))
        var seconds: [[Double]] = [[], []]
        try input.withUnsafeBufferPointer { source in
            try output.withUnsafeMutableBufferPointer { target in
                for plan in plans { for _ in 0..<3 { try plan.run(input: source, batch: input.shape[0], output: target) } }
                for round in 0..<rounds {
                    for position in (round % 2 == 0 ? [0, 1] : [1, 0]) {
                        var calls = 0
                        let start = ContinuousClock.now
                        var elapsed = 0.0
                        repeat {
                            try plans[position].run(input: source, batch: input.shape[0], output: target)
                            calls += 1
                            elapsed = (ContinuousClock.now - start) / .seconds(1)
                        } while elapsed < roundSeconds
                        seconds[position].append(elapsed / Double(calls))
                    }
                }
            }
        }
        return (Statistics.percentile(seconds[0], 50), Statistics.percentile(seconds[1], 50))
    }

    static func graph(_ shape: Shape) -> Graph {
        var builder = GraphBuilder(name: "conv", inputShape: [shape.channels, shape.size, shape.size])
        builder.add("conv", Convolution2DOperator(
            inputChannels: shape.channels, outputChannels: shape.outputs,
            window: WindowGeometry(square: shape.kernel, stride: 1, padding: shape.padding)), builder.input)
        return builder.finish()
    }

    /// The graph with random weights, a random `sparsity` of them zero, the weight stored sparse
    /// (fp32 values) or dense, through bytes.
    static func file(_ graph: Graph, sparsity: Double, sparse: Bool) throws -> ModelFile {
        var generator = SeededRandomNumberGenerator(seed: 5)
        let model = try GraphNetwork(graph: graph, generator: &generator)
        var zeros = SeededRandomNumberGenerator(seed: 6)
        let tensors = try model.parameters.map { parameter -> StoredTensor in
            guard parameter.name == "conv.weight" else { return StoredTensor(parameter) }
            let values = parameter.value.scalars.map { Double(zeros.nextUniform()) < sparsity ? 0 : $0 }
            let encoding = StoredEncoding(coded: .float32(values), layout: sparse ? .sparse(gapBits: 5) : .dense)
            return try StoredTensor(name: parameter.name, kind: parameter.kind, shape: parameter.value.shape, encoding: encoding)
        }
        return try ModelFile.decode(try ModelFile(graph: graph, tensors: tensors).encoded())
    }

    func pad(_ text: String, _ width: Int) -> String { text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count) }
    func format(_ value: Double, _ decimals: Int) -> String {
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        return "\((value * scale).rounded() / scale)"
    }
}
