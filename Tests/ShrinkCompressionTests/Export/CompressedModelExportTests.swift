import ShrinkEncodings
import ShrinkFormats
import ShrinkNN
import ShrinkTensor
import Testing
@testable import ShrinkCompression

/// `CompressedModel.modelFile`: per-parameter encodings chosen from the compression states.
@Suite struct CompressedModelExportTests {
    /// A network of `architecture` with seeded random values.
    static func network(_ name: String, seed: UInt64) throws -> GraphNetwork {
        var generator = SeededRandomNumberGenerator(seed: seed)
        return try GraphNetwork(graph: ModelZoo.graph(named: name), generator: &generator)
    }

    /// Prunes every weight to `density` (by magnitude) and shares the survivors among
    /// `2^bits − 1` centroids plus the reserved zero (index 0), writing the values back.
    static func pruneAndCluster(_ model: CompressedModel, density: Double, bits: Int) {
        for (_, weight) in model.weightLayers {
            let values = weight.value.scalars
            let threshold = values.map(abs).sorted()[Int(Double(values.count) * (1 - density))]
            let low = values.min() ?? 0, high = values.max() ?? 0
            let count = (1 << bits) - 1
            let centroids = [Float(0)] + (0..<count).map { low + (high - low) * Float($0) / Float(count - 1) }
            var indices = [UInt16](repeating: 0, count: values.count)
            var mask = [Float](repeating: 0, count: values.count)
            var shared = [Float](repeating: 0, count: values.count)
            for index in 0..<values.count where abs(values[index]) >= threshold {
                let nearest = (1...count).min { abs(centroids[$0] - values[index]) < abs(centroids[$1] - values[index]) }!
                indices[index] = UInt16(nearest)
                mask[index] = 1
                shared[index] = centroids[nearest]
            }
            weight.value = Tensor(shape: weight.value.shape, scalars: shared)
            model.parameterStates[weight.name] = ParameterCompressionState(
                mask: Tensor(shape: weight.value.shape, scalars: mask),
                palette: Palette(bits: bits, centroids: centroids, indices: indices))
        }
    }

    func expectExactRoundTrip(_ model: CompressedModel, options: ModelExportOptions = ModelExportOptions()) throws -> ModelFileInspection {
        let file = try model.modelFile(options: options)
        let inspection = try ModelFile.inspect(try file.encoded())
        let loaded = try GraphNetwork(file: inspection.model)
        for parameter in model.network.parameters {
            let read = try #require(loaded.parameter(named: parameter.name))
            #expect(read.value.shape == parameter.value.shape)
            #expect(read.value.scalars == parameter.value.scalars, "\(parameter.name)")
        }
        return inspection
    }

    @Test func prunedClusteredLeNet300100IsAboutFortyTimesSmaller() throws {
        let model = CompressedModel(network: try Self.network("lenet-300-100", seed: 1))
        Self.pruneAndCluster(model, density: 0.08, bits: 5)
        let inspection = try expectExactRoundTrip(model)
        let weights = try #require(inspection.tensors.first { $0.name == "fc1.weight" })
        #expect(weights.encodingDescription.hasPrefix("sparse palette 5-bit"))
        #expect(weights.weightBits == 5 && (2...12).contains(weights.indexBits))
        #expect(weights.huffmanGaps)
        let bias = try #require(inspection.tensors.first { $0.name == "fc1.bias" })
        #expect(bias.tag == "dense-f32")
        let fp32Bytes = inspection.tensors.reduce(0) { $0 + 4 * $1.elementCount }
        let ratio = Double(fp32Bytes) / Double(inspection.fileLength)
        // Measured with format 1.1 and fixed 5-bit gaps: 25 000 bytes, 42.7× (21 991 data bytes; 32 872
        // bytes, 32.4× without Huffman); format 1.2 and the gap-width search only make it smaller.
        #expect(ratio > 40, "ratio \(ratio): \(inspection.fileLength) bytes")
    }

    @Test func gapWidthSearchKeepsTheWidthWithTheFewestStoredBytes() throws {
        let model = CompressedModel(network: try Self.network("lenet-300-100", seed: 4))
        Self.pruneAndCluster(model, density: 0.08, bits: 5)
        let weight = model.weightLayers[1].weight  // fc2: [100, 300], 8 % dense
        let state = try #require(model.parameterStates[weight.name])
        func stored(_ options: ModelExportOptions) throws -> (bits: Int, aligned: Int) {
            let encoding = try #require(try model.storedTensor(weight, state: state, options: options).encoding)
            guard case let .sparse(bits) = encoding.layout else { throw ModelExportError.invalidGapBits(0) }
            let aligned = (try encoding.storedRangeLengths().reduce(0, +) + 63) / 64 * 64
            return (bits, aligned)
        }
        let searched = try stored(ModelExportOptions())
        #expect((2...12).contains(searched.bits))
        for bits in 1...16 {
            let fixed = try stored(ModelExportOptions(linearGapBits: bits, gapBitsCandidates: nil))
            #expect(fixed.bits == bits)
            if (2...12).contains(bits) { #expect(searched.aligned <= fixed.aligned, "\(bits)-bit gaps") }
        }
        // At 8 % density 5-bit gaps need a filler entry for about one run in six; wider gaps win.
        #expect(searched.aligned < (try stored(ModelExportOptions(linearGapBits: 5, gapBitsCandidates: nil))).aligned)
        #expect(searched.bits > 5)
    }

    @Test func quantizedFloat16AndMaskOnlyStatesRoundTrip() throws {
        let model = CompressedModel(network: try Self.network("lenet-5", seed: 2))
        let layers = model.weightLayers
        #expect(layers.count == 4)
        // conv1: int8 per-channel (axis 0) + mask; conv2: per-tensor 4-bit; fc1: mask only; fc2: fp16.
        let conv1 = layers[0].weight
        let channels = conv1.value.shape[0]
        let perChannel = QuantizationParameters(
            bits: 8, isSigned: true, isSymmetric: true, axis: 0,
            scales: (0..<channels).map { Float($0 + 1) / 256 }, zeroPoints: [Int32](repeating: 0, count: channels))
        let mask1 = Tensor(shape: conv1.value.shape, scalars: conv1.value.scalars.map { abs($0) > 0.1 ? 1 : 0 })
        conv1.value = fakeQuantize(conv1.value.scalars.enumerated().map { mask1.scalars[$0.offset] * $0.element },
                                   perChannel, shape: conv1.value.shape)
        model.parameterStates[conv1.name] = ParameterCompressionState(mask: mask1, quantization: perChannel)

        let conv2 = layers[1].weight
        let perTensor = QuantizationParameters(bits: 4, isSigned: false, isSymmetric: false, axis: nil, scales: [0.02], zeroPoints: [7])
        conv2.value = fakeQuantize(conv2.value.scalars, perTensor, shape: conv2.value.shape)
        model.parameterStates[conv2.name] = ParameterCompressionState(quantization: perTensor)

        let fc1 = layers[2].weight
        let mask3 = Tensor(shape: fc1.value.shape, scalars: fc1.value.scalars.map { abs($0) > 0.05 ? 1 : 0 })
        fc1.value = Tensor(shape: fc1.value.shape, scalars: zip(fc1.value.scalars, mask3.scalars).map { $0 * $1 })
        model.parameterStates[fc1.name] = ParameterCompressionState(mask: mask3)

        let fc2 = layers[3].weight
        fc2.value = Tensor(shape: fc2.value.shape, scalars: fc2.value.scalars.map { Float(Float16($0)) })
        model.parameterStates[fc2.name] = ParameterCompressionState(storesFloat16: true)

        let inspection = try expectExactRoundTrip(model, options: ModelExportOptions(huffmanCoding: false, gapBitsCandidates: nil))
        func report(_ name: String) throws -> TensorStorageReport { try #require(inspection.tensors.first { $0.name == name }) }
        #expect(try report(conv1.name).encodingDescription == "sparse int8 affine per-channel, 8-bit gaps")
        #expect(try report(conv2.name).encodingDescription == "uint4 affine")
        #expect(try report(fc1.name).encodingDescription == "sparse f32, 5-bit gaps")
        #expect(try report(fc2.name).encodingDescription == "f16")
        // Without Huffman coding each tensor's bytes are exactly TensorCodec's formula.
        for tensor in inspection.model.tensors {
            let stored = try report(tensor.name)
            if let encoding = tensor.encoding {
                #expect(stored.storedByteCount == (try TensorCodec.byteCount(of: encoding.coded, layout: encoding.layout)))
            } else {
                #expect(stored.storedByteCount == 4 * tensor.value.count)
            }
        }
    }

    /// The codes a quantization step recorded are what the file stores, bit for bit; codes that
    /// no longer describe the network's values are refused rather than re-derived.
    @Test func recordedQuantizationCodesAreWrittenAsTheyAre() throws {
        let model = CompressedModel(network: try Self.network("lenet-300-100", seed: 4))
        let fc3 = try #require(model.network.parameter(named: "fc3.weight"))
        let parameters = try AffineQuantization.parameters(minMaxOf: fc3.value, scheme: .weights(bits: 8))
        let codes = AffineQuantization.quantize(fc3.value, with: parameters)
        fc3.value = AffineQuantization.dequantize(codes, shape: fc3.value.shape, with: parameters)
        model.parameterStates["fc3.weight"] = ParameterCompressionState(quantization: parameters, codes: codes)
        let stored = try #require(try model.modelFile().tensor(named: "fc3.weight")?.encoding?.coded)
        #expect(stored.affineCodes() == codes)
        var stale = codes
        stale[0] = stale[0] == 0 ? 1 : 0
        model.parameterStates["fc3.weight"]?.codes = stale
        #expect(throws: ModelExportError.self) { try model.modelFile() }
    }

    @Test func statesThatWouldChangeTheModelAreRefused() throws {
        let model = CompressedModel(network: try Self.network("lenet-300-100", seed: 3))
        let weight = model.weightLayers[0].weight
        model.parameterStates[weight.name] = ParameterCompressionState(storesFloat16: true)  // values not fp16-rounded
        #expect(throws: ModelExportError.self) { try model.modelFile() }
        model.parameterStates[weight.name] = ParameterCompressionState(
            quantization: QuantizationParameters(bits: 8, isSigned: true, isSymmetric: true, axis: 1,
                                                 scales: [Float](repeating: 0.1, count: 784), zeroPoints: [Int32](repeating: 0, count: 784)))
        #expect(throws: ModelExportError.self) { try model.modelFile() }
        #expect(throws: ModelExportError.invalidGapBits(0)) { try model.modelFile(options: ModelExportOptions(linearGapBits: 0)) }
        #expect(throws: ModelExportError.invalidGapBits(17)) { try model.modelFile(options: ModelExportOptions(gapBitsCandidates: 4...17)) }
    }

    /// `(clamp(round(x / s) + z) − z) · s`, per channel along axis 0 — what the quantizer stores.
    func fakeQuantize(_ values: [Float], _ parameters: QuantizationParameters, shape: [Int]) -> Tensor {
        let coded = try! CodedTensor.affine(
            quantizing: values, bits: parameters.bits, isSigned: parameters.isSigned,
            scales: parameters.scales, zeroPoints: parameters.zeroPoints)
        return Tensor(shape: shape, scalars: coded.values())
    }
}
