import ShrinkEncodings
import ShrinkFormats
import ShrinkKernels
import ShrinkNN
@testable import ShrinkRuntime
import ShrinkTensor
import Testing

/// Calibrated activation parameters ship: an int8 node whose input value has them quantizes with
/// exactly those, never with the per-row range.
@Suite("ExecutionPlan static int8")
struct ExecutionPlanStaticInt8Tests {
    /// Deliberately unlike the data: inputs are in [0, 1), this range is [−0.5, 2.0].
    static let fc1Input = ActivationQuantization(scale: 2.5 / 255, zeroPoint: 51)
    static let fc2Input = ActivationQuantization(scale: 0.05, zeroPoint: 3)

    /// The mlp chain computed with the int8 twins, quantizing each layer's input with `parameters`
    /// (static) or per row (nil).
    static func reference(_ file: ModelFile, input: Tensor, parameters: [StaticActivationQuantization]?) throws -> Tensor {
        let batch = input.shape[0]
        func layer(_ x: [Float], name: String, outputs: Int, inputs: Int, position: Int) throws -> [Float] {
            let coded = try #require(file.tensor(named: "\(name).weight")?.encoding?.coded)
            let weights = (coded.affineCodes() ?? []).map { Int8($0) }
            let bias = file.tensor(named: "\(name).bias")?.value.scalars
            let activations = if let parameters {
                ReferenceKernels.quantizeActivations(x, rows: batch, columns: inputs, parameters: parameters[position])
            } else {
                ReferenceKernels.quantizeActivations(x, rows: batch, columns: inputs, granularity: .perRow)
            }
            return ReferenceKernels.int8Linear(activations, weights: weights, scales: coded.scales, bias: bias,
                                               outputCount: outputs, inputCount: inputs)
        }
        let hidden = try layer(input.scalars, name: "fc1", outputs: 64, inputs: 784, position: 0).map { max(0, $0) }
        return Tensor(shape: [batch, 10], scalars: try layer(hidden, name: "fc2", outputs: 10, inputs: 64, position: 1))
    }

    @Test("a plan with activation parameters quantizes with them, not with the per-row range")
    func staticParametersAreUsed() throws {
        let file = try HandCompression.file(ExecutionPlanTests.mlp, encoding: .int8, seed: 11)
        let plan = try ExecutionPlan(graph: file.graph, tensors: file.tensors,
                                     activationQuantization: ["flatten": Self.fc1Input, "relu1": Self.fc2Input])
        #expect(plan.layers.map(\.kernel) == [.identity, .int8(static: true), .fused(into: "fc1"), .int8(static: true)])
        let parameters = [try StaticActivationQuantization(scale: Self.fc1Input.scale, zeroPoint: Self.fc1Input.zeroPoint),
                          try StaticActivationQuantization(scale: Self.fc2Input.scale, zeroPoint: Self.fc2Input.zeroPoint)]
        for batch in [1, 4] {
            let input = ExecutionPlanTests.input(batch: batch, shape: [1, 28, 28], seed: UInt64(40 + batch))
            let output = try plan.run(input)
            let expected = try Self.reference(file, input: input, parameters: parameters)
            let dynamic = try Self.reference(file, input: input, parameters: nil)
            #expect(ExecutionPlanTests.relativeError(output, expected) <= 1e-5)
            // The check can tell the two apart: the dynamic chain is measurably different.
            #expect(ExecutionPlanTests.relativeError(output, dynamic) > 1e-3)
        }
        // Profiled: stages kept, under the static kind; same output.
        let input = ExecutionPlanTests.input(batch: 2, shape: [1, 28, 28], seed: 7)
        let expected = try plan.run(input)
        var output = [Float](repeating: .nan, count: expected.count)
        var profile: OperatorProfile? = OperatorProfile()
        try input.withUnsafeBufferPointer { source in
            try output.withUnsafeMutableBufferPointer { try plan.run(input: source, batch: 2, output: $0, profile: &profile) }
        }
        #expect(ExecutionPlanTests.relativeError(Tensor(shape: expected.shape, scalars: output), expected) <= 1e-6)
        #expect(try #require(profile).entries.map(\.kind) == ["identity", "quantize", "linear-int8-static", "dequantize"])
    }

    @Test("signed 8-bit parameters are the same values shifted to u8; other widths stay dynamic")
    func signedAndOtherWidths() throws {
        let file = try HandCompression.file(ExecutionPlanTests.mlp, encoding: .int8, seed: 11)
        let graph = file.graph
        let unsigned = try ExecutionPlan(graph: graph, tensors: file.tensors, activationQuantization: ["flatten": Self.fc1Input])
        let signed = try ExecutionPlan(graph: graph, tensors: file.tensors, activationQuantization: [
            "flatten": ActivationQuantization(scale: Self.fc1Input.scale, zeroPoint: Self.fc1Input.zeroPoint - 128, isSigned: true),
        ])
        let input = ExecutionPlanTests.input(batch: 3, shape: [1, 28, 28], seed: 2)
        #expect(try signed.run(input) == unsigned.run(input))
        #expect(unsigned.layers[3].kernel == .int8(static: false)) // relu1 has no parameters
        let fourBit = try ExecutionPlan(graph: graph, tensors: file.tensors, activationQuantization: [
            "flatten": ActivationQuantization(scale: 0.1, zeroPoint: 0, bits: 4),
        ])
        #expect(fourBit.layers[1].kernel == .int8(static: false))
        let invalid = #expect(throws: ExecutionPlanError.self) {
            try ExecutionPlan(graph: graph, tensors: file.tensors,
                              activationQuantization: ["flatten": ActivationQuantization(scale: 0, zeroPoint: 0)])
        }
        #expect(invalid?.description.hasPrefix("node 'fc1':") == true)
    }

    @Test("an int8 convolution uses its input's static parameters on the lowered columns")
    func staticConvolution() throws {
        let file = try HandCompression.file(ExecutionPlanTests.convolutionNet, encoding: .int8, seed: 3, convolutions: true)
        let plan = try ExecutionPlan(graph: file.graph, tensors: file.tensors,
                                     activationQuantization: ["input": ActivationQuantization(scale: 1.0 / 255, zeroPoint: 0)])
        #expect(plan.layers[0].kernel == .convolution(.int8(static: true)))
        let reference = try GraphNetwork(file: file)
        let input = ExecutionPlanTests.input(batch: 2, shape: [1, 8, 8], seed: 5)
        #expect(ExecutionPlanTests.relativeError(try plan.run(input), reference.forward(input, mode: .inference)) <= 2e-2)
    }

    /// Multi-channel static-int8 convolutions (3×3 padded, strided, 1×1 with channels a multiple
    /// of 4 and not) against the same arithmetic in fp32: the input quantized and dequantized with
    /// the calibrated parameters, then the file's own (dequantized int8) weights in the op kernels.
    /// A wrong channels-last column order or padding code would miss by far more than rounding.
    @Test("static-int8 convolutions equal quantize-dequantize then fp32", arguments: [
        (channels: 3, kernel: 3, stride: 1, padding: 1), (channels: 5, kernel: 3, stride: 2, padding: 1),
        (channels: 8, kernel: 1, stride: 1, padding: 0), (channels: 6, kernel: 1, stride: 2, padding: 0),
        (channels: 4, kernel: 5, stride: 1, padding: 2),
    ])
    func multiChannelStaticConvolution(shape: (channels: Int, kernel: Int, stride: Int, padding: Int)) throws {
        var builder = GraphBuilder(name: "conv", inputShape: [shape.channels, 9, 8])
        var x = builder.add("conv", Convolution2DOperator(
            inputChannels: shape.channels, outputChannels: 7,
            window: WindowGeometry(square: shape.kernel, stride: shape.stride, padding: shape.padding)), builder.input)
        x = builder.add("flatten", FlattenOperator(), x)
        let file = try HandCompression.file(builder.finish(), encoding: .int8, seed: 17, convolutions: true)
        let parameters = ActivationQuantization(scale: 0.02, zeroPoint: 100)
        let plan = try ExecutionPlan(graph: file.graph, tensors: file.tensors, activationQuantization: ["input": parameters])
        #expect(plan.layers[0].kernel == .convolution(.int8(static: true)))
        let reference = try GraphNetwork(file: file)
        for batch in [1, 3] {
            let input = ExecutionPlanTests.input(batch: batch, shape: [shape.channels, 9, 8], seed: UInt64(20 + batch))
            let dequantized = input.scalars.map { value in
                let code = min(max((value / parameters.scale).rounded(.toNearestOrEven) + Float(parameters.zeroPoint), 0), 255)
                return parameters.scale * (code - Float(parameters.zeroPoint))
            }
            let expected = reference.forward(Tensor(shape: input.shape, scalars: dequantized), mode: .inference)
            let error = ExecutionPlanTests.relativeError(try plan.run(input), expected)
            #expect(error <= 1e-5, "\(shape) batch \(batch): \(error)")
        }
    }
}
