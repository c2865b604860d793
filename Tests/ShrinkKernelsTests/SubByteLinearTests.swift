import Testing
import ShrinkTensor
@testable import ShrinkKernels

/// The sub-byte kernels (1–4-bit affine weight codes in 2- and 4-bit containers) against their
/// Swift twins on every CPU path: int32 sums exactly, dequantized outputs within
/// 1e-6 · (|y| + |bias|) (`Int8LinearTests.close`).
@Suite(.serialized)
struct SubByteLinearTests {
    /// (rows, outputCount, inputCount): k = 1, k and n off multiples of 4, 8, 16 and 64, m up to 70.
    static let shapes: [(Int, Int, Int)] = [
        (1, 1, 1), (1, 7, 33), (7, 33, 1), (3, 65, 130), (70, 17, 9), (5, 130, 203), (1, 300, 37), (2, 64, 16),
        (4, 3, 15), (6, 20, 47),
    ]
    /// (code bits, signed): both containers, both signednesses, 3-bit codes in the 4-bit container.
    static let formats: [(Int, Bool)] = [(4, true), (4, false), (3, true), (2, false), (2, true), (1, false)]

    /// A layer of random codes and zero points of `bits` bits, per channel or (`perTensor`) one
    /// scale and zero point; channel 0 holds the largest code everywhere, channel n − 1 the smallest.
    struct Case {
        let layer: SubByteLinearWeights
        let unsigned: [UInt8]
        let bias: [Float]

        init(rows: Int, outputs: Int, inputs: Int, bits: Int, isSigned: Bool, perTensor: Bool,
             generator: inout SeededRandomNumberGenerator) throws {
            let lowest = isSigned ? -(Int32(1) << (bits - 1)) : 0, count = UInt64(1) << bits
            func code() -> Int32 { lowest + Int32(generator.next() % count) }
            var codes = (0..<(outputs * inputs)).map { _ in code() }
            for p in 0..<inputs {
                codes[p] = lowest + Int32(count) - 1
                codes[(outputs - 1) * inputs + p] = lowest
            }
            let channels = perTensor ? 1 : outputs
            let zeroPoints = (0..<channels).map { _ in code() }
            let scales = (0..<channels).map { _ in generator.nextUniform() * 0.1 + 0.001 }
            bias = Int8LinearTests.randomInput(count: outputs, generator: &generator)
            layer = try SubByteLinearWeights(affineCodes: codes, bits: bits, isSigned: isSigned, scales: scales,
                                             zeroPoints: zeroPoints, bias: bias, outputCount: outputs, inputCount: inputs)
            unsigned = codes.map { UInt8($0 - lowest) }
        }
    }

    @Test func productsMatchTwinOnEveryPath() throws {
        for (rows, outputs, inputs) in Self.shapes {
            for (formatIndex, (bits, isSigned)) in Self.formats.enumerated() {
                var generator = SeededRandomNumberGenerator(seed: UInt64(rows * 7919 + outputs * 31 + inputs * 3 + formatIndex))
                let perTensor = (formatIndex + inputs) % 3 == 0
                let layer = try Case(rows: rows, outputs: outputs, inputs: inputs, bits: bits, isSigned: isSigned,
                                     perTensor: perTensor, generator: &generator)
                #expect(layer.layer.containerBits == (bits <= 2 ? 2 : 4))
                let input = Int8LinearTests.randomInput(count: rows * inputs, generator: &generator)
                var extreme = ReferenceKernels.quantizeActivations(input, rows: rows, columns: inputs, granularity: .perRow)
                for p in 0..<inputs { extreme.codes[p] = 255 } // the largest products in the first row
                let expectedSums = ReferenceKernels.subByteAccumulate(codes: extreme.codes, rows: rows, weights: layer.unsigned,
                                                                     outputCount: outputs, inputCount: inputs)
                let twin = { (quantized: QuantizedActivations, relu: Bool) in
                    ReferenceKernels.subByteLinear(quantized, weights: layer.unsigned, offsets: layer.layer.offsets,
                                                   scales: layer.layer.scales, bias: layer.bias, relu: relu,
                                                   outputCount: outputs, inputCount: inputs)
                }
                let dynamic = ReferenceKernels.quantizeActivations(input, rows: rows, columns: inputs, granularity: .perRow)
                let perTensorCodes = ReferenceKernels.quantizeActivations(input, rows: rows, columns: inputs,
                                                                          granularity: .perTensor)
                for path in CPUPath.available {
                    try CPUPath.withPath(path) {
                        let label = "\(rows)×\(outputs)×\(inputs) \(bits)-bit \(isSigned ? "signed" : "unsigned") on \(path)"
                        #expect(try layer.layer.accumulate(codes: extreme.codes, rows: rows) == expectedSums, "\(label)")
                        var output = [Float](repeating: .nan, count: rows * outputs)
                        output.withUnsafeMutableBufferPointer { layer.layer.apply(extreme, output: $0.baseAddress!) }
                        #expect(Int8LinearTests.close(output, twin(extreme, false), bias: layer.bias, rows: rows), "\(label) codes")
                        for (granularity, quantized) in [(ActivationQuantizationGranularity.perRow, dynamic),
                                                         (.perTensor, perTensorCodes)] {
                            for relu in [false, true] {
                                try input.withUnsafeBufferPointer { x in
                                    try output.withUnsafeMutableBufferPointer { y in
                                        try layer.layer.apply(input: x.baseAddress!, rows: rows, output: y.baseAddress!,
                                                              granularity: granularity, relu: relu)
                                    }
                                }
                                #expect(Int8LinearTests.close(output, twin(quantized, relu), bias: layer.bias, rows: rows),
                                        "\(label) fused \(granularity) relu \(relu)")
                            }
                        }
                    }
                }
            }
        }
    }

    /// The dequantized product approximates x · Wᵀ + bias with the decoded affine weights (within
    /// the activations' half quantization step times Σ|W| per output).
    @Test func approximatesDecodedWeights() throws {
        var generator = SeededRandomNumberGenerator(seed: 5)
        let (rows, outputs, inputs) = (3, 40, 77)
        let layer = try Case(rows: rows, outputs: outputs, inputs: inputs, bits: 4, isSigned: true, perTensor: false,
                             generator: &generator)
        let input = Int8LinearTests.randomInput(count: rows * inputs, generator: &generator)
        var output = [Float](repeating: 0, count: rows * outputs)
        try input.withUnsafeBufferPointer { x in
            try output.withUnsafeMutableBufferPointer { y in
                try layer.layer.apply(input: x.baseAddress!, rows: rows, output: y.baseAddress!)
            }
        }
        let quantized = ReferenceKernels.quantizeActivations(input, rows: rows, columns: inputs, granularity: .perRow)
        for i in 0..<rows {
            for j in 0..<outputs {
                var exact: Float = layer.bias[j], absolute: Float = 0
                for p in 0..<inputs {
                    let weight = layer.layer.scales[j] * Float(Int32(layer.unsigned[j * inputs + p]) - layer.layer.offsets[j])
                    exact += input[i * inputs + p] * weight
                    absolute += abs(weight)
                }
                #expect(abs(output[i * outputs + j] - exact) <= quantized.scales[i] * 0.5001 * absolute + 1e-4)
            }
        }
    }

    @Test func threadCountDoesNotChangeResults() throws {
        var generator = SeededRandomNumberGenerator(seed: 17)
        let (rows, outputs, inputs) = (5, 200, 90)
        for bits in [4, 2] {
            let layer = try Case(rows: rows, outputs: outputs, inputs: inputs, bits: bits, isSigned: true, perTensor: false,
                                 generator: &generator)
            let input = Int8LinearTests.randomInput(count: rows * inputs, generator: &generator)
            var results = [[Float]]()
            for threadCount in [1, 2, 3] {
                var output = [Float](repeating: .nan, count: rows * outputs)
                try input.withUnsafeBufferPointer { x in
                    try output.withUnsafeMutableBufferPointer { y in
                        try layer.layer.apply(input: x.baseAddress!, rows: rows, output: y.baseAddress!, relu: true,
                                              threadCount: threadCount)
                    }
                }
                results.append(output)
            }
            #expect(results[1] == results[0] && results[2] == results[0], "\(bits)-bit")
        }
    }

    @Test func packsHalfOrAQuarterOfTheInt8Bytes() throws {
        let (outputs, inputs) = (130, 203)
        let four = try SubByteLinearWeights(codes: [UInt8](repeating: 15, count: outputs * inputs), containerBits: 4,
                                            offsets: [Int32](repeating: 8, count: outputs),
                                            scales: [Float](repeating: 1, count: outputs), outputCount: outputs,
                                            inputCount: inputs)
        let two = try SubByteLinearWeights(codes: [UInt8](repeating: 3, count: outputs * inputs), containerBits: 2,
                                           offsets: [Int32](repeating: 1, count: outputs),
                                           scales: [Float](repeating: 1, count: outputs), outputCount: outputs,
                                           inputCount: inputs)
        // 3 panels of 64 channels × ⌈203 / 8⌉ (or ⌈203 / 16⌉) steps of 256 bytes.
        #expect(four.packed.byteCount == 3 * 26 * 256)
        #expect(two.packed.byteCount == 3 * 13 * 256)
        #expect(four.compensation == [Int32](repeating: 7 * 203, count: outputs))
        #expect(two.compensation == [Int32](repeating: 2 * 203, count: outputs))
        #expect(four.packedByteCount == 3 * 26 * 256 + 12 * outputs)
    }

    @Test func rejectsCodesOutsideTheirRange() {
        #expect(throws: RuntimeKernelError.invalidValue(name: "code", value: 16, allowed: "0..<16")) {
            try SubByteLinearWeights(codes: [16], containerBits: 4, offsets: [0], scales: [1], outputCount: 1, inputCount: 1)
        }
        #expect(throws: RuntimeKernelError.invalidValue(name: "affine code", value: 8, allowed: "-8...7")) {
            try SubByteLinearWeights(affineCodes: [8], bits: 4, isSigned: true, scales: [1], zeroPoints: [0],
                                     outputCount: 1, inputCount: 1)
        }
        #expect(throws: RuntimeKernelError.invalidValue(name: "affine code bits", value: 5, allowed: "1...4")) {
            try SubByteLinearWeights(affineCodes: [1], bits: 5, isSigned: true, scales: [1], zeroPoints: [0],
                                     outputCount: 1, inputCount: 1)
        }
        #expect(throws: RuntimeKernelError.invalidValue(name: "container bits", value: 3, allowed: "2 or 4")) {
            try SubByteLinearWeights(codes: [1], containerBits: 3, offsets: [0], scales: [1], outputCount: 1, inputCount: 1)
        }
    }
}
