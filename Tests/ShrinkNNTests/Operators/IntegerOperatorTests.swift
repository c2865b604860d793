import ShrinkTensor
import Testing
@testable import ShrinkNN

private typealias Support = ElementwiseOperatorTestSupport

/// MatMulInteger, QLinearMatMul and QLinearConv against values of the ONNX reference
/// implementation (onnx 1.16.2, `onnx.reference`, opset 19, with NumPy 2.4), computed once and
/// pasted here. Where the reference casts without saturating (QLinearMatMul) or broadcasts
/// per-channel weight scales along the wrong axis (QLinearConv), the expected values follow the
/// ONNX spec instead, computed with the reference's own arithmetic.
@Suite struct IntegerOperatorTests {
    /// The output of `op` alone on `input` with its weights set to `weights` (by weight name).
    static func run(_ op: some Operator, _ input: Tensor, weights: [String: Tensor]) throws -> Tensor {
        let network = try Support.network(op, inputShapes: [input.shape])
        for (name, value) in weights { network.parameter(named: "node.\(name)")!.value = value }
        return network.forward(inputs: ["x0": input], mode: .inference)["y"]!
    }

    // MARK: MatMulInteger

    static let integerWeight = Tensor(shape: [3, 4], scalars: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 255])

    @Test func matMulIntegerSubtractsZeroPointsAndSumsInInt32() throws {
        let op = IntegerMatrixMultiplicationOperator(inputFeatures: 3, outputFeatures: 4, inputZeroPoint: 3, weightZeroPoints: [1, 2, 3, 4])
        let input = Tensor(shape: [2, 3], scalars: [11, 7, 3, 255, 0, 128])
        #expect(try Self.run(op, input, weights: ["b": Self.integerWeight])
                == Tensor(shape: [2, 4], scalars: [16, 16, 16, 16, 988, 988, 988, 31363]))
        // Rank 3, one weight zero point.
        let rank3 = IntegerMatrixMultiplicationOperator(inputFeatures: 3, outputFeatures: 4, inputZeroPoint: 3, weightZeroPoints: [2])
        let input3 = Tensor(shape: [2, 2, 3], scalars: (0..<12).map(Float.init))
        #expect(try Self.run(rank3, input3, weights: ["b": Self.integerWeight])
                == Tensor(shape: [2, 2, 4], scalars: [-10, -16, -22, -271, 17, 20, 23, 512, 44, 56, 68, 1295, 71, 92, 113, 2078]))
        #expect(try Support.outputShape(rank3, [ValueShape([.batch, .fixed(7), .fixed(3)])]) == ValueShape([.batch, .fixed(7), .fixed(4)]))
    }

    /// Sums beyond Float's 2^24 integers stay exact in the int32 accumulator.
    @Test func integerAccumulationIsExact() {
        let product = IntegerMatrixProduct(inputFeatures: 600, outputFeatures: 1, inputZeroPoint: 0, weightZeroPoints: [])
        let sums = product.accumulators(input: Tensor(repeating: 255, shape: [1, 600]),
                                        weight: Tensor(repeating: 255, shape: [600, 1]))
        #expect(sums == [255 * 255 * 600])
    }

    // MARK: QLinearMatMul

    static func qlinearMatMul(_ aScale: Float, _ aZero: Int, _ bScales: [Float], _ bZeros: [Int], _ yScale: Float, _ yZero: Int,
                              signed: Bool = false) -> QuantizedMatrixMultiplicationOperator {
        QuantizedMatrixMultiplicationOperator(inputFeatures: 3, outputFeatures: 2, inputScale: aScale, inputZeroPoint: aZero,
                                              weightScales: bScales, weightZeroPoints: bZeros, outputScale: yScale,
                                              outputZeroPoint: yZero, isSigned: signed)
    }

    @Test func qlinearMatMulRoundsHalfToEvenAndSaturates() throws {
        // Multiplier 0.25 · 1 / 0.5 = 0.5: sums 5 and 7… give ties. Row 3 sums to 600 → 300,
        // saturated to 255 (the reference's uint8 cast wraps it to 44; the spec saturates).
        let weight = Tensor(shape: [3, 2], scalars: [1, 0, 2, 1, 0, 2])
        let input = Tensor(shape: [3, 3], scalars: [1, 2, 3, 4, 0, 1, 200, 200, 200])
        #expect(try Self.run(Self.qlinearMatMul(0.25, 0, [1], [], 0.5, 0), input, weights: ["b": weight]).scalars
                == [2, 4, 2, 1, 255, 255])
    }

    @Test func qlinearMatMulPerTensorPerColumnAndSigned() throws {
        let weight = Tensor(shape: [3, 2], scalars: [5, 1, 7, 0, 1, 3])
        let input = Tensor(shape: [2, 3], scalars: [3, 1, 2, 0, 9, 4])
        #expect(try Self.run(Self.qlinearMatMul(0.02, 1, [0.3], [2], 0.07, 100), input, weights: ["b": weight]).scalars
                == [100, 100, 103, 99])
        #expect(try Self.run(Self.qlinearMatMul(0.02, 1, [0.3, 3], [2, 3], 0.07, 100), input, weights: ["b": weight]).scalars
                == [100, 97, 103, 81])
        let signedWeight = Tensor(shape: [3, 2], scalars: [5, -1, 7, 0, -1, 3])
        let signedInput = Tensor(shape: [2, 3], scalars: [-3, 1, 2, 0, -9, 4])
        #expect(try Self.run(Self.qlinearMatMul(0.5, -1, [0.25], [1], 0.0625, -5, signed: true), signedInput,
                             weights: ["b": signedWeight]).scalars == [-9, 11, -113, 27])
    }

    @Test func qlinearMatMulAttributesAndErrors() throws {
        let op = Self.qlinearMatMul(0.5, 3, [0.25, 0.5], [1, 2], 0.125, -4, signed: true)
        let rebuilt = try OperatorRegistry.standard.makeOperator(
            for: Node(name: "n", operatorType: "QLinearMatMul", inputs: ["x"], outputs: ["y"], attributes: op.attributes))
        #expect(rebuilt.attributes == op.attributes)
        #expect(op.weights == [WeightDeclaration(name: "b", shape: [3, 2], role: .other)])

        func rejection(_ type: String, _ attributes: Attributes) -> String? {
            do {
                _ = try OperatorRegistry.standard.makeOperator(for: Node(name: "n", operatorType: type, inputs: ["x"], outputs: ["y"],
                                                                         attributes: attributes))
                return nil
            } catch {
                return "\(error)"
            }
        }
        let base: Attributes = ["input_features": .int(3), "output_features": .int(2), "a_scale": .float(1), "b_scale": .floats([1]),
                                "y_scale": .float(1)]
        #expect(rejection("QLinearMatMul", base) == nil)
        var bad = base
        bad["b_scale"] = .floats([1, 2, 3])
        #expect(rejection("QLinearMatMul", bad)?.contains("3 b_scale values for 2 output channels") == true)
        bad = base
        bad["y_zero_point"] = .int(300)
        #expect(rejection("QLinearMatMul", bad)?.contains("y_zero_point 300 is outside 0...255") == true)
        bad = base
        bad["y_scale"] = .float(0)
        #expect(rejection("QLinearMatMul", bad)?.contains("y_scale must be finite and nonzero") == true)
        bad = base
        bad["b_zero_point"] = .ints([1, 2, 3])
        #expect(rejection("QLinearMatMul", bad)?.contains("3 b_zero_point values for 2 columns") == true)
        #expect(rejection("MatMulInteger", ["input_features": .int(3)])?.contains("missing required attribute 'output_features'") == true)
        #expect(rejection("MatMulInteger", ["input_features": .int(3), "output_features": .int(2), "a_zero_point": .ints([1, 2])])?
                    .contains("a_zero_point must be one value") == true)
        #expect(rejection("MatMulInteger", ["input_features": .int(3), "output_features": .int(2), "b_zero_point": .ints([256])])?
                    .contains("zero point 256 is not an 8-bit value") == true)
        #expect(throws: OperatorError.self) { try Support.outputShape(op, [Support.batched(4)]) }
    }

    // MARK: QLinearConv

    /// `[1, 2, 4, 4]` codes in 0…11.
    static let convolutionInput = Tensor(shape: [1, 2, 4, 4], scalars: [
        8, 9, 0, 9, 5, 6, 7, 3, 11, 0, 3, 4, 6, 4, 1, 0, 0, 0, 1, 11, 2, 7, 9, 2, 3, 5, 3, 11, 2, 10, 9, 10,
    ])
    /// `[4, 1, 3, 3]` codes in 0…5 (two groups of two output channels).
    static let convolutionWeight = Tensor(shape: [4, 1, 3, 3], scalars: [
        0, 2, 3, 2, 3, 4, 3, 0, 5, 3, 5, 1, 2, 5, 1, 0, 2, 4, 0, 5, 2, 1, 3, 5, 5, 5, 1, 0, 4, 4, 4, 0, 0, 3, 2, 2,
    ])
    static let convolutionBias = Tensor(shape: [4], scalars: [600, -2000, 7, 0])
    /// Groups 2, pads [top 1, left 0, bottom 1, right 2], strides [2, 1], dilations [1, 2].
    static let window = WindowGeometry(kernel: [3, 3], strides: [2, 1], dilations: [1, 2], pads: [1, 0, 1, 2])

    static func qlinearConvolution(weightScales: [Float], weightZeroPoints: [Int], outputZeroPoint: Int,
                                   signed: Bool) -> QuantizedConvolution2DOperator {
        QuantizedConvolution2DOperator(inputChannels: 2, outputChannels: 4, window: window, groups: 2, hasBias: true,
                                       inputScale: 0.25, inputZeroPoint: 3, weightScales: weightScales,
                                       weightZeroPoints: weightZeroPoints, outputScale: 0.5, outputZeroPoint: outputZeroPoint,
                                       isSigned: signed)
    }

    @Test func qlinearConvolutionSums() {
        let op = Self.qlinearConvolution(weightScales: [1], weightZeroPoints: [1], outputZeroPoint: 5, signed: false)
        let (sums, shape) = op.convolution.accumulators(input: Self.convolutionInput, weight: Self.convolutionWeight,
                                                        bias: Self.convolutionBias)
        #expect(shape == [1, 4, 2, 2])
        #expect(sums == [599, 624, 618, 601, -2005, -1973, -1977, -1997, 23, 35, 52, 71, -3, -10, 23, 12])
    }

    /// Multiplier 0.25 · 1 / 0.5 = 0.5 plus zero point 5: sums 23, 35, 71, −3 give ties
    /// (16.5 → 16, 22.5 → 22, 40.5 → 40, 3.5 → 4); the biased channels saturate.
    @Test func qlinearConvolutionPerTensor() throws {
        let op = Self.qlinearConvolution(weightScales: [1], weightZeroPoints: [1], outputZeroPoint: 5, signed: false)
        let output = try Self.run(op, Self.convolutionInput, weights: ["weight": Self.convolutionWeight, "bias": Self.convolutionBias])
        #expect(output.shape == [1, 4, 2, 2])
        #expect(output.scalars == [255, 255, 255, 255, 0, 0, 0, 0, 16, 22, 31, 40, 4, 0, 16, 11])
    }

    /// Per-output-channel weight scales and zero points, int8 output.
    @Test func qlinearConvolutionPerChannelSigned() throws {
        let op = Self.qlinearConvolution(weightScales: [0.01, 0.5, 0.3, 0.07], weightZeroPoints: [1, 2, 3, 4], outputZeroPoint: -7,
                                         signed: true)
        let (sums, _) = op.convolution.accumulators(input: Self.convolutionInput, weight: Self.convolutionWeight, bias: Self.convolutionBias)
        #expect(sums == [599, 624, 618, 601, -2013, -1988, -1992, -1996, 23, 19, 32, 17, -3, -34, -7, -69])
        let output = try Self.run(op, Self.convolutionInput, weights: ["weight": Self.convolutionWeight, "bias": Self.convolutionBias])
        #expect(output.scalars == [-4, -4, -4, -4, -128, -128, -128, -128, -4, -4, -2, -4, -7, -8, -7, -9])
    }

    @Test func qlinearConvolutionShapesAndAttributes() throws {
        let op = Self.qlinearConvolution(weightScales: [0.5], weightZeroPoints: [], outputZeroPoint: 0, signed: false)
        #expect(try Support.outputShape(op, [Support.batched(2, 4, 4)]) == Support.batched(4, 2, 2))
        #expect(throws: OperatorError.self) { try Support.outputShape(op, [Support.batched(3, 4, 4)]) }
        #expect(op.weights == [WeightDeclaration(name: "weight", shape: [4, 1, 3, 3], role: .other),
                               WeightDeclaration(name: "bias", shape: [4], role: .bias)])
        let rebuilt = try OperatorRegistry.standard.makeOperator(
            for: Node(name: "n", operatorType: "QLinearConv", inputs: ["x"], outputs: ["y"], attributes: op.attributes))
        #expect(rebuilt.attributes == op.attributes)
        // Defaults: no bias, groups 1, zero points 0, uint8.
        let minimal = try OperatorRegistry.standard.makeOperator(for: Node(
            name: "n", operatorType: "QLinearConv", inputs: ["x"], outputs: ["y"],
            attributes: ["input_channels": .int(2), "output_channels": .int(3), "kernel_shape": .ints([1, 1]),
                         "x_scale": .float(1), "w_scale": .floats([1, 2, 3]), "y_scale": .float(1)]))
        #expect(minimal.weights.map(\.shape) == [[3, 2, 1, 1]])
        #expect(minimal.channelCoupling == .opaque)
    }

    // MARK: Inference only

    /// Backward returns nil for every input and leaves the weights' gradients alone.
    @Test func integerKernelsHaveNoGradients() throws {
        let cases: [(any Operator, [Int])] = [
            (IntegerMatrixMultiplicationOperator(inputFeatures: 3, outputFeatures: 4), [2, 3]),
            (Self.qlinearMatMul(0.5, 0, [1], [], 1, 0), [2, 3]),
            (Self.qlinearConvolution(weightScales: [1], weightZeroPoints: [], outputZeroPoint: 0, signed: false), [1, 2, 4, 4]),
        ]
        for (op, shape) in cases {
            let network = try Support.network(op, inputShapes: [shape])
            let output = network.forward(inputs: ["x0": Tensor(repeating: 2, shape: shape)], mode: .training)["y"]!
            let kernel = network.kernel(ofNode: 0)
            #expect(kernel.backward([Tensor(repeating: 1, shape: output.shape)], needsInputGradients: [true]).allSatisfy { $0 == nil })
            let gradients = network.backward(outputGradients: ["y": Tensor(repeating: 1, shape: output.shape)], inputGradients: ["x0"])
            #expect(gradients["x0"] == nil, "\(op.typeName)")
            #expect(network.parameters.allSatisfy { !$0.hasGradientStorage }, "\(op.typeName)")
        }
    }
}
