import ShrinkEncodings
import ShrinkFormats
import ShrinkKernels
import ShrinkNN
import ShrinkRuntime
import ShrinkTensor
import Testing

@Suite("ExecutionPlan")
struct ExecutionPlanTests {
    static var mlp: Graph {
        var builder = GraphBuilder(name: "mlp-784-64-10", inputShape: [1, 28, 28])
        var x = builder.add("flatten", FlattenOperator(), builder.input)
        x = builder.add("fc1", LinearOperator(inputFeatures: 784, outputFeatures: 64), x)
        x = builder.add("relu1", ReLUOperator(), x)
        builder.add("fc2", LinearOperator(inputFeatures: 64, outputFeatures: 10), x)
        return builder.finish()
    }

    static var convolutionNet: Graph {
        var builder = GraphBuilder(name: "tiny-conv", inputShape: [1, 8, 8])
        var x = builder.add("conv1", Convolution2DOperator(inputChannels: 1, outputChannels: 4, window: WindowGeometry(square: 3, padding: 1)),
                            builder.input)
        x = builder.add("relu1", ReLUOperator(), x)
        x = builder.add("pool1", MaxPool2DOperator(window: WindowGeometry(square: 2, stride: 2)), x)
        x = builder.add("flatten", FlattenOperator(), x)
        x = builder.add("drop", DropoutOperator(rate: 0.5), x)
        builder.add("fc1", LinearOperator(inputFeatures: 64, outputFeatures: 5, hasBias: false), x)
        return builder.finish()
    }

    static func input(batch: Int, shape: [Int], seed: UInt64) -> Tensor {
        var generator = SeededRandomNumberGenerator(seed: seed)
        let count = batch * shape.reduce(1, *)
        return Tensor(shape: [batch] + shape, scalars: (0..<count).map { _ in generator.nextUniform() })
    }

    /// max |a − b| / max |b|.
    static func relativeError(_ a: Tensor, _ b: Tensor) -> Float {
        #expect(a.shape == b.shape)
        let scale = max(b.scalars.map(abs).max() ?? 0, 1e-12)
        return zip(a.scalars, b.scalars).map { abs($0 - $1) }.max()! / scale
    }

    static let exactCases: [(HandEncoding, LayerKernel)] = [
        (.float32, .float32),
        (.float16, .float16),
        // Affine 9-bit codes have no integer kernel: decoded to fp32.
        (.affine(bits: 9, isSigned: true, perTensor: false), .float32),
        (.palette(bits: 4), .palette(bits: 4)),
        (.palette(bits: 8), .palette(bits: 8)),
        // 9-16 bits: the wide-palette gather kernel (`WidePaletteLinearWeights`).
        (.palette(bits: 10), .palette(bits: 10)),
        (.palette(bits: 16), .palette(bits: 16)),
        (.sparsePalette(keep: 0.1, bits: 5), .sparse(density: 0, palettized: true)),
        (.sparseFloat(keep: 0.1), .sparse(density: 0, palettized: false)),
        // Denser than ExecutionPlan.denseFallbackDensity: fp32 values run the dense kernel.
        (.sparseFloat(keep: 0.6), .float32),
    ]

    @Test("fp32, fp16, palette and sparse plans match the layer engine", arguments: 0..<exactCases.count)
    func matchesSequential(caseIndex: Int) throws {
        let (encoding, expected) = Self.exactCases[caseIndex]
        let file = try HandCompression.file(Self.mlp, encoding: encoding, seed: 7)
        let plan = try ExecutionPlan(file: file)
        let kernels = plan.layers.map(\.kernel)
        #expect(kernels.count == 4)
        #expect(kernels[0] == .identity && kernels[2] == .fused(into: "fc1"))
        for index in [1, 3] {
            switch (kernels[index], expected) {
            case let (.sparse(density, palettized), .sparse(_, expectedPalettized)):
                #expect(palettized == expectedPalettized)
                #expect(density > 0.05 && density < 0.15)
            default:
                #expect(kernels[index] == expected)
            }
        }
        let reference = try GraphNetwork(file: file)
        for batch in [3, 1, 1, 3] {
            let input = Self.input(batch: batch, shape: [1, 28, 28], seed: UInt64(batch))
            let output = try plan.run(input)
            let expectedOutput = reference.forward(input, mode: .inference)
            #expect(output.shape == [batch, 10])
            #expect(Self.relativeError(output, expectedOutput) <= 1e-5)
        }
    }

    /// Int8 layers quantize each activation row to u8 over [min(0, min x), max(0, max x)]
    /// (step s = range / 255, error ≤ s/2 per element): the plan must equal the same chain
    /// computed with `ReferenceKernels.int8Linear` (exact int32 sums, float rounding only), and
    /// stay within 2 % of the logit range of the fp32 model with the dequantized weights.
    @Test("int8 plan equals the int8 reference chain and approximates the fp32 model")
    func int8MatchesReference() throws {
        let file = try HandCompression.file(Self.mlp, encoding: .int8, seed: 11)
        let plan = try ExecutionPlan(file: file)
        #expect(plan.layers.map(\.kernel) == [.identity, .int8(static: false), .fused(into: "fc1"), .int8(static: false)])
        let batch = 4
        let input = Self.input(batch: batch, shape: [1, 28, 28], seed: 3)
        let output = try plan.run(input)

        func layer(_ x: [Float], name: String, outputs: Int, inputs: Int) throws -> [Float] {
            let coded = try #require(file.tensor(named: "\(name).weight")?.encoding?.coded)
            let weights = (coded.affineCodes() ?? []).map { Int8($0) }
            let bias = file.tensor(named: "\(name).bias")?.value.scalars
            let activations = try QuantizedActivations(quantizing: x, rows: batch, columns: inputs, granularity: .perRow)
            return ReferenceKernels.int8Linear(activations, weights: weights, scales: coded.scales, bias: bias,
                                               outputCount: outputs, inputCount: inputs)
        }
        let hidden = try layer(input.scalars, name: "fc1", outputs: 64, inputs: 784).map { max(0, $0) }
        let logits = Tensor(shape: [batch, 10], scalars: try layer(hidden, name: "fc2", outputs: 10, inputs: 64))
        #expect(Self.relativeError(output, logits) <= 1e-4)

        let float = try GraphNetwork(file: file).forward(input, mode: .inference)
        #expect(Self.relativeError(output, float) <= 0.02)
    }

    @Test("conv layers run the op's own kernel (ReLU fused); the Linear head its palette kernel")
    func convolutionNet() throws {
        let file = try HandCompression.file(Self.convolutionNet, encoding: .palette(bits: 4), seed: 5)
        let plan = try ExecutionPlan(file: file)
        #expect(plan.layers.map(\.kernel) == [
            .reference("Conv2D"), .fused(into: "conv1"), .native("MaxPool2D"), .identity, .identity, .palette(bits: 4),
        ])
        #expect(plan.layers.map(\.outputShape) == [[4, 8, 8], [4, 8, 8], [4, 4, 4], [64], [64], [5]])
        let reference = try GraphNetwork(file: file)
        for batch in [2, 2, 1] {
            let input = Self.input(batch: batch, shape: [1, 8, 8], seed: 9)
            #expect(Self.relativeError(try plan.run(input), reference.forward(input, mode: .inference)) <= 1e-5)
        }
    }

    @Test("the buffer API gives the tensor API's result and checks sizes")
    func bufferAPI() throws {
        let plan = try ExecutionPlan(file: try HandCompression.file(Self.mlp, encoding: .palette(bits: 4), seed: 2))
        #expect(plan.outputShape == [10])
        let input = Self.input(batch: 2, shape: [1, 28, 28], seed: 4)
        let expected = try plan.run(input)
        var output = [Float](repeating: .nan, count: 20)
        try input.withUnsafeBufferPointer { source in
            try output.withUnsafeMutableBufferPointer { target in
                try plan.run(input: source, batch: 2, output: target)
                #expect(throws: ExecutionPlanError.self) {
                    try plan.run(input: source, batch: 2, output: UnsafeMutableBufferPointer(rebasing: target[0..<10]))
                }
            }
        }
        #expect(output == expected.scalars)
    }

    @Test("activation buffers grow to the largest batch; smaller batches reuse them")
    func buffersOnlyGrow() throws {
        let plan = try ExecutionPlan(file: try HandCompression.file(Self.mlp, encoding: .palette(bits: 4), seed: 2))
        let large = Self.input(batch: 8, shape: [1, 28, 28], seed: 4)
        let small = Self.input(batch: 1, shape: [1, 28, 28], seed: 5)
        let expectedLarge = try plan.run(large)
        let bytes = plan.activationBufferBytes
        let expectedSmall = try plan.run(small)
        #expect(plan.activationBufferBytes == bytes)
        #expect(try plan.run(large) == expectedLarge)
        #expect(try plan.run(small) == expectedSmall)
        #expect(plan.activationBufferBytes == bytes)
        // A fresh plan run at batch 1 only holds batch-1 buffers, and gives the same result.
        let fresh = try ExecutionPlan(file: try HandCompression.file(Self.mlp, encoding: .palette(bits: 4), seed: 2))
        #expect(try fresh.run(small) == expectedSmall)
        #expect(fresh.activationBufferBytes * 8 == bytes)
    }

    @Test("a profiled run gives the same output and times every step under its operator kind")
    func profiledRun() throws {
        let file = try HandCompression.file(Self.convolutionNet, encoding: .palette(bits: 4), seed: 5)
        let plan = try ExecutionPlan(file: file)
        let input = Self.input(batch: 2, shape: [1, 8, 8], seed: 9)
        let expected = try plan.run(input)
        var output = [Float](repeating: .nan, count: expected.count)
        var profile: OperatorProfile? = OperatorProfile()
        for _ in 0..<3 {
            try input.withUnsafeBufferPointer { source in
                try output.withUnsafeMutableBufferPointer { target in
                    try plan.run(input: source, batch: 2, output: target, profile: &profile)
                }
            }
        }
        #expect(output == expected.scalars)
        let entries = try #require(profile).entries
        #expect(entries.map(\.kind) == ["reference-Conv2D", "native-MaxPool2D", "identity", "linear-palette"])
        #expect(entries.map(\.calls) == [3, 3, 6, 3])
        #expect(entries.allSatisfy { $0.seconds >= 0 })
        let shares = try #require(profile).shares()
        #expect(abs(shares.map(\.share).reduce(0, +) - 1) < 1e-9)
    }

    @Test("a profiled int8 run reports quantize and dequantize apart, with the unprofiled output")
    func profiledInt8Run() throws {
        let file = try HandCompression.file(Self.mlp, encoding: .int8, seed: 11)
        let plan = try ExecutionPlan(file: file)
        #expect(plan.layers[1].kernel == .int8(static: false) && plan.layers[3].kernel == .int8(static: false))
        let input = Self.input(batch: 3, shape: [1, 28, 28], seed: 4)
        let expected = try plan.run(input)
        var output = [Float](repeating: .nan, count: expected.count)
        var profile: OperatorProfile? = OperatorProfile()
        try input.withUnsafeBufferPointer { source in
            try output.withUnsafeMutableBufferPointer { target in
                try plan.run(input: source, batch: 3, output: target, profile: &profile)
            }
        }
        // The staged path does the same integer products and the same float epilogue.
        #expect(Self.relativeError(Tensor(shape: expected.shape, scalars: output), expected) <= 1e-6)
        let entries = try #require(profile).entries
        // relu1 is fused into fc1's step: its time is in fc1's linear-int8 entry.
        #expect(entries.map(\.kind) == ["identity", "quantize", "linear-int8", "dequantize"])
        #expect(entries.map(\.calls) == [1, 2, 2, 2])
    }

    static let convolutionCases: [(HandEncoding, LayerKernel, Float)] = [
        (.float32, .float32, 1e-5),
        (.float16, .float16, 1e-5),
        (.palette(bits: 4), .palette(bits: 4), 1e-5),
        (.palette(bits: 5), .palette(bits: 5), 1e-5),
        (.palette(bits: 10), .palette(bits: 10), 1e-5),
        (.sparsePalette(keep: 0.3, bits: 5), .sparse(density: 0, palettized: true), 1e-5),
        (.sparseFloat(keep: 0.2), .sparse(density: 0, palettized: false), 1e-5),
        // A convolution keeps its sparse kernel at any density (a Linear this dense runs fp32).
        (.sparseFloat(keep: 0.6), .sparse(density: 0, palettized: false), 1e-5),
        // Activations are quantized to u8 per row at run time: about 1 % of the output range.
        (.int8, .int8(static: false), 2e-2),
        (.affine(bits: 4, isSigned: true, perTensor: false), .integer(bits: 4), 2e-2),
        (.affine(bits: 2, isSigned: false, perTensor: true), .integer(bits: 2), 2e-2),
        (.affine(bits: 6, isSigned: false, perTensor: false), .int8(static: false), 2e-2),
    ]

    @Test("compressed convolutions run im2col + their encoding's kernel and match the layer engine",
          arguments: 0..<convolutionCases.count)
    func compressedConvolutions(caseIndex: Int) throws {
        let (encoding, expected, tolerance) = Self.convolutionCases[caseIndex]
        let file = try HandCompression.file(Self.convolutionNet, encoding: encoding, seed: 3, convolutions: true)
        let plan = try ExecutionPlan(file: file)
        guard case let .convolution(matrix) = plan.layers[0].kernel else {
            Issue.record("conv1 runs \(plan.layers[0].kernel)")
            return
        }
        switch (matrix, expected) {
        case let (.sparse(_, palettized), .sparse(_, expectedPalettized)): #expect(palettized == expectedPalettized)
        default: #expect(matrix == expected)
        }
        #expect(plan.layers[0].kernel.operatorKind.hasPrefix("conv-"))
        let reference = try GraphNetwork(file: file)
        for batch in [1, 3] {
            let input = Self.input(batch: batch, shape: [1, 8, 8], seed: UInt64(batch))
            let error = Self.relativeError(try plan.run(input), reference.forward(input, mode: .inference))
            #expect(error <= tolerance, "\(encoding) batch \(batch): \(error)")
        }
    }

    @Test("an input of the wrong sample shape is rejected")
    func rejectsWrongShape() throws {
        let plan = try ExecutionPlan(file: try HandCompression.file(Self.mlp, encoding: .float32, seed: 1))
        #expect(throws: ExecutionPlanError.self) { try plan.run(Tensor(zeros: [2, 784])) }
    }
}
