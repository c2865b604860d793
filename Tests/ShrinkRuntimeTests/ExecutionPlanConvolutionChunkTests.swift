import ShrinkFormats
import ShrinkNN
import ShrinkRuntime
import ShrinkTensor
import Testing

/// Coded convolutions lower and multiply a chunk of samples at a time (the lowered rows stay in
/// cache): a batch gives, bit for bit, the outputs of its samples run one by one, whether the
/// chunks hold one sample or several and whether the last one is full.
@Suite struct ExecutionPlanConvolutionChunkTests {
    /// `inputShape` → conv (5×5, padding 2) → ReLU: the convolution's own rows, with no later
    /// matrix product whose summation order could depend on the batch size.
    static func graph(inputShape: [Int], outputChannels: Int) -> Graph {
        var builder = GraphBuilder(name: "chunked-conv", inputShape: inputShape)
        let x = builder.add("conv1", Convolution2DOperator(inputChannels: inputShape[0], outputChannels: outputChannels,
                                                           window: WindowGeometry(square: 5, padding: 2)), builder.input)
        builder.add("relu1", ReLUOperator(), x)
        return builder.finish()
    }

    static let encodings: [HandEncoding] = [
        .int8, .affine(bits: 4, isSigned: true, perTensor: false), .float16, .palette(bits: 4), .sparsePalette(keep: 0.3, bits: 5),
    ]

    @Test("A batch equals its samples run one at a time", arguments: 0..<encodings.count)
    func batchEqualsSamples(encodingIndex: Int) throws {
        // One sample per chunk (3×32×32, 75-deep rows: 307 kB a sample) and four (1×28×28: 58 kB).
        for (shape, batch) in [([3, 32, 32], 3), ([1, 28, 28], 6)] {
            let file = try HandCompression.file(Self.graph(inputShape: shape, outputChannels: 8),
                                                encoding: Self.encodings[encodingIndex], seed: 17, convolutions: true)
            let plan = try ExecutionPlan(file: file, kernelSelection: .encoding)
            #expect(plan.layers[0].kernel.description.hasPrefix("conv"), "\(plan.layers[0].kernel)")
            let input = ExecutionPlanTests.input(batch: batch, shape: shape, seed: 5)
            let together = try plan.run(input).scalars
            let sampleSize = shape.reduce(1, *)
            var alone = [Float]()
            for sample in 0..<batch {
                let one = Tensor(shape: [1] + shape, scalars: Array(input.scalars[(sample * sampleSize)..<((sample + 1) * sampleSize)]))
                alone += try plan.run(one).scalars
            }
            #expect(together == alone, "\(Self.encodings[encodingIndex]) \(shape) batch \(batch)")
            // And the plan still computes the convolution (the float model with the decoded weights).
            let float = try GraphNetwork(file: file).forward(input, mode: .inference)
            #expect(ExecutionPlanTests.relativeError(Tensor(shape: float.shape, scalars: together), float) <= 0.03)
        }
    }
}
