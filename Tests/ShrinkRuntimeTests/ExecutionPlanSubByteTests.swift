import ShrinkEncodings
import ShrinkFormats
import ShrinkKernels
import ShrinkNN
import ShrinkRuntime
import ShrinkTensor
import Testing

/// Affine weight codes of 1-7 bits run integer kernels: 1-4 bits the sub-byte kernel
/// (`.integer(bits:)`), 5-7 bits the int8 kernel on q − zeroPoint; activations quantized to u8 per
/// row at run time.
@Suite("ExecutionPlan sub-byte")
struct ExecutionPlanSubByteTests {
    static let subByteCases: [HandEncoding] = [
        .affine(bits: 4, isSigned: true, perTensor: false), .affine(bits: 4, isSigned: false, perTensor: true),
        .affine(bits: 3, isSigned: true, perTensor: false), .affine(bits: 2, isSigned: true, perTensor: false),
        .affine(bits: 1, isSigned: false, perTensor: false),
    ]

    /// The stored codes of a weight as the kernel's unsigned codes and per-channel offsets / scales.
    static func unsignedForm(_ coded: CodedTensor, outputs: Int) throws -> (codes: [UInt8], offsets: [Int32], scales: [Float]) {
        guard case let .affine(bits, isSigned, channelCount) = coded.format else { throw ExpectationFailure() }
        let lowest: Int32 = isSigned ? -(1 << (bits - 1)) : 0
        let channel = { (row: Int) in channelCount == 1 ? 0 : row }
        return ((coded.affineCodes() ?? []).map { UInt8($0 - lowest) },
                (0..<outputs).map { coded.zeroPoints[channel($0)] - lowest }, (0..<outputs).map { coded.scales[channel($0)] })
    }

    struct ExpectationFailure: Error {}

    /// The plan equals the same chain computed with `ReferenceKernels.subByteLinear` (exact int32
    /// sums, float rounding only) and stays within 2 % of the fp32 model with the decoded weights
    /// (the activations' quantization error).
    @Test("1-4-bit Linear plans equal the sub-byte reference chain", arguments: 0..<subByteCases.count)
    func subByteMatchesReference(caseIndex: Int) throws {
        let encoding = Self.subByteCases[caseIndex]
        guard case let .affine(bits, _, _) = encoding else { return }
        let file = try HandCompression.file(ExecutionPlanTests.mlp, encoding: encoding, seed: 21)
        let plan = try ExecutionPlan(file: file)
        #expect(plan.layers.map(\.kernel) == [.identity, .integer(bits: bits), .fused(into: "fc1"), .integer(bits: bits)])
        #expect(plan.layers[1].kernel.description == "int\(bits)")
        #expect(plan.layers[1].kernel.operatorKind == "linear-int\(bits)")
        let float = try GraphNetwork(file: file)
        for batch in [1, 4] {
            let input = ExecutionPlanTests.input(batch: batch, shape: [1, 28, 28], seed: UInt64(3 + batch))
            let output = try plan.run(input)
            func layer(_ x: [Float], name: String, outputs: Int, inputs: Int, relu: Bool) throws -> [Float] {
                let coded = try #require(file.tensor(named: "\(name).weight")?.encoding?.coded)
                let form = try Self.unsignedForm(coded, outputs: outputs)
                let activations = ReferenceKernels.quantizeActivations(x, rows: batch, columns: inputs, granularity: .perRow)
                return ReferenceKernels.subByteLinear(activations, weights: form.codes, offsets: form.offsets,
                                                      scales: form.scales, bias: file.tensor(named: "\(name).bias")?.value.scalars,
                                                      relu: relu, outputCount: outputs, inputCount: inputs)
            }
            let hidden = try layer(input.scalars, name: "fc1", outputs: 64, inputs: 784, relu: true)
            let logits = Tensor(shape: [batch, 10], scalars: try layer(hidden, name: "fc2", outputs: 10, inputs: 64, relu: false))
            #expect(ExecutionPlanTests.relativeError(output, logits) <= 1e-4, "\(encoding) batch \(batch)")
            #expect(ExecutionPlanTests.relativeError(output, float.forward(input, mode: .inference)) <= 0.02,
                    "\(encoding) batch \(batch)")
        }
        // Half (4-bit container) or a quarter (2-bit) of the int8 plan's weight bytes, plus tables.
        let int8 = try ExecutionPlan(file: try HandCompression.file(ExecutionPlanTests.mlp, encoding: .int8, seed: 21))
        let ratio = Double(plan.layerWeightBytes[1]) / Double(int8.layerWeightBytes[1])
        #expect(bits <= 2 ? ratio < 0.3 : ratio < 0.55, "fc1 weight bytes \(plan.layerWeightBytes[1]) vs \(int8.layerWeightBytes[1])")
    }

    /// Pruned weights with integer codes stored in the sparse layout run the integer kernel of
    /// their bits on the dense codes: the same kernel and the same outputs, bit for bit, as the
    /// same codes stored dense (not the float CSR kernel of the decoded values).
    @Test("Sparse-layout integer codes run the integer kernels", arguments: [4, 8])
    func sparseIntegerCodesRunIntegerKernels(bits: Int) throws {
        let sparse = try HandCompression.file(ExecutionPlanTests.mlp, encoding: .sparseAffine(keep: 0.2, bits: bits), seed: 31)
        let stored = try #require(sparse.tensor(named: "fc1.weight")?.encoding)
        guard case .sparse = stored.layout else { Issue.record("not stored sparse"); return }
        // The same codes in the dense layout.
        let tensors = try sparse.tensors.map { tensor -> StoredTensor in
            guard let encoding = tensor.encoding else { return tensor }
            return try StoredTensor(name: tensor.name, kind: tensor.kind, shape: tensor.value.shape, encoding: StoredEncoding(coded: encoding.coded))
        }
        let dense = try ModelFile.decode(try ModelFile(graph: sparse.graph, tensors: tensors).encoded())
        let kernel: LayerKernel = bits == 8 ? .int8(static: false) : .integer(bits: bits)
        for selection in [KernelSelection.encoding, .standard] {
            let plan = try ExecutionPlan(file: sparse, kernelSelection: selection)
            #expect(plan.layers.map(\.kernel) == [.identity, kernel, .fused(into: "fc1"), kernel], "\(selection)")
            let densePlan = try ExecutionPlan(file: dense, kernelSelection: selection)
            for batch in [1, 5] {
                let input = ExecutionPlanTests.input(batch: batch, shape: [1, 28, 28], seed: UInt64(batch))
                #expect(try plan.run(input).scalars == densePlan.run(input).scalars, "batch \(batch)")
            }
        }
    }

    /// 5-7-bit codes (any zero point) run the int8 kernel on q − zeroPoint, exactly the int8 chain.
    @Test("5-7-bit Linear plans run the int8 kernel on q − zero point", arguments: [5, 6, 7])
    func wideCodesRunInt8(bits: Int) throws {
        let file = try HandCompression.file(ExecutionPlanTests.mlp, encoding: .affine(bits: bits, isSigned: bits != 6, perTensor: false),
                                            seed: 8)
        let plan = try ExecutionPlan(file: file)
        #expect(plan.layers.map(\.kernel) == [.identity, .int8(static: false), .fused(into: "fc1"), .int8(static: false)])
        let batch = 3
        let input = ExecutionPlanTests.input(batch: batch, shape: [1, 28, 28], seed: 2)
        let output = try plan.run(input)
        func layer(_ x: [Float], name: String, outputs: Int, inputs: Int) throws -> [Float] {
            let coded = try #require(file.tensor(named: "\(name).weight")?.encoding?.coded)
            let codes = coded.affineCodes() ?? []
            #expect(coded.zeroPoints.contains { $0 != 0 })
            let weights = codes.indices.map { Int8(codes[$0] - coded.zeroPoints[$0 / inputs]) }
            let activations = ReferenceKernels.quantizeActivations(x, rows: batch, columns: inputs, granularity: .perRow)
            return ReferenceKernels.int8Linear(activations, weights: weights, scales: coded.scales,
                                               bias: file.tensor(named: "\(name).bias")?.value.scalars,
                                               outputCount: outputs, inputCount: inputs)
        }
        let hidden = try layer(input.scalars, name: "fc1", outputs: 64, inputs: 784).map { max(0, $0) }
        let logits = Tensor(shape: [batch, 10], scalars: try layer(hidden, name: "fc2", outputs: 10, inputs: 64))
        #expect(ExecutionPlanTests.relativeError(output, logits) <= 1e-4)
        #expect(ExecutionPlanTests.relativeError(output, try GraphNetwork(file: file).forward(input, mode: .inference)) <= 0.02)
    }
}
