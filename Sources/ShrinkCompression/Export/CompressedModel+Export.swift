import ShrinkEncodings
import ShrinkFormats
import ShrinkNN
import ShrinkTensor

extension CompressedModel {
    /// The model file that stores this model the way its compression steps decided
    /// (docs/FORMAT.md, encoding `coded`). Per parameter, from its `ParameterCompressionState`:
    ///
    /// - palette → palette indices (`palette.bits`) with f32 centroids (f16 when `storesFloat16`);
    /// - else quantization → affine codes (per tensor, or per channel along axis 0): the codes the
    ///   quantization step recorded (`ParameterCompressionState.codes`), written as they are;
    /// - else `storesFloat16` → binary16;
    /// - else a mask alone → binary32;
    /// - else (nothing decided) → `dense-f32`.
    ///
    /// With a mask the layout is relative-index sparse with Huffman-coded streams when smaller
    /// (gap width: the smallest stored size over `gapBitsCandidates`, else `convolutionGapBits`
    /// for rank-4 tensors and `linearGapBits` otherwise); without, dense.
    /// Biases and buffers follow the same rules (usually dense f32).
    ///
    /// - Throws: `ModelExportError` when a state cannot be encoded, or when an encoding would not
    ///   reproduce the network's values exactly (compared with `==`, so +0 and −0 match).
    public func modelFile(options: ModelExportOptions = ModelExportOptions(), metadata: ModelMetadata = ModelMetadata()) throws -> ModelFile {
        var widths = [options.convolutionGapBits, options.linearGapBits]
        if let candidates = options.gapBitsCandidates { widths += [candidates.lowerBound, candidates.upperBound] }
        for bits in widths where !StorageLayout.supportedGapBits.contains(bits) {
            throw ModelExportError.invalidGapBits(bits)
        }
        let tensors = try network.parameters.map { parameter in
            try storedTensor(parameter, state: parameterStates[parameter.name], options: options)
        }
        return ModelFile(graph: network.graph, tensors: tensors, activationQuantization: try storedActivationQuantization(),
                         metadata: metadata)
    }

    /// The static activation parameters by graph value: each node in `activationQuantization`
    /// quantizes its first input, so the entry is stored under that value's name.
    /// - Throws: `ModelExportError.conflictingActivationQuantization` when two nodes read one
    ///   value with different parameters.
    func storedActivationQuantization() throws -> [String: ActivationQuantization] {
        var stored = [String: ActivationQuantization]()
        for node in network.graph.nodes {
            guard let parameters = activationQuantization[node.name], let value = node.inputs.first else { continue }
            let entry = ActivationQuantization(scale: parameters.scales[0], zeroPoint: parameters.zeroPoints[0],
                                               bits: parameters.bits, isSigned: parameters.isSigned)
            if let existing = stored[value], existing != entry {
                throw ModelExportError.conflictingActivationQuantization(value: value)
            }
            stored[value] = entry
        }
        return stored
    }

    /// The stored form of one parameter.
    func storedTensor(_ parameter: Parameter, state: ParameterCompressionState?, options: ModelExportOptions) throws -> StoredTensor {
        let name = parameter.name
        let value = parameter.value
        guard let state, state.palette != nil || state.quantization != nil || state.storesFloat16 || state.mask != nil else {
            return StoredTensor(parameter)
        }
        func unsupported(_ reason: String) -> ModelExportError { .unsupportedState(parameter: name, reason: reason) }
        let values = value.scalars
        let coded: CodedTensor
        do {
            if let palette = state.palette {
                guard palette.indices.count == values.count else {
                    throw unsupported("\(palette.indices.count) palette indices for \(values.count) elements")
                }
                coded = try CodedTensor.palette(
                    indices: palette.indices, centroids: palette.centroids, bits: palette.bits,
                    centroidFormat: state.storesFloat16 ? .float16 : .float32)
            } else if let quantization = state.quantization {
                if let axis = quantization.axis, axis != 0, quantization.scales.count > 1 {
                    throw unsupported("per-channel quantization along axis \(axis); the file stores channels along axis 0")
                }
                if let codes = state.codes {
                    // The codes the quantization step produced, as they are.
                    guard codes.count == values.count else { throw unsupported("\(codes.count) codes for \(values.count) elements") }
                    coded = try CodedTensor.affine(
                        codes: codes, bits: quantization.bits, isSigned: quantization.isSigned,
                        scales: quantization.scales, zeroPoints: quantization.zeroPoints)
                } else {
                    // A state made without codes (by hand): quantize the values, which must lie on the grid.
                    coded = try CodedTensor.affine(
                        quantizing: values, bits: quantization.bits, isSigned: quantization.isSigned,
                        scales: quantization.scales, zeroPoints: quantization.zeroPoints)
                }
            } else if state.storesFloat16 {
                coded = CodedTensor.float16(values)
            } else {
                coded = CodedTensor.float32(values)
            }
        } catch let error as EncodingError {
            throw unsupported(error.description)
        }
        let stored = coded.values()
        for index in 0..<values.count where !(stored[index] == values[index] || (stored[index].isNaN && values[index].isNaN)) {
            throw ModelExportError.valueMismatch(parameter: name, position: index, network: values[index], stored: stored[index])
        }
        var encoding = StoredEncoding(coded: coded, layout: .dense, huffmanCoding: options.huffmanCoding)
        if state.mask != nil {
            let preferred = value.shape.count == 4 ? options.convolutionGapBits : options.linearGapBits
            encoding.layout = .sparse(gapBits: try Self.gapBits(for: encoding, preferred: preferred, candidates: options.gapBitsCandidates))
        }
        return try StoredTensor(name: name, kind: parameter.kind, shape: value.shape, encoding: encoding)
    }

    /// The gap width among `candidates` (and `preferred`) whose sparse storage of `encoding`
    /// takes the fewest file bytes: its ranges' total rounded up to the range alignment, then the
    /// unrounded total, then `preferred`, then the narrower width. `preferred` when `candidates` is nil.
    static func gapBits(for encoding: StoredEncoding, preferred: Int, candidates: ClosedRange<Int>?) throws -> Int {
        guard let candidates else { return preferred }
        let alignment = ModelFile.rangeAlignment
        var best: (key: [Int], bits: Int)?
        for bits in Set(Array(candidates) + [preferred]).sorted() {
            var trial = encoding
            trial.layout = .sparse(gapBits: bits)
            let lengths = try trial.storedRangeLengths()
            let total = lengths.reduce(0, +)
            let key = [(total + alignment - 1) / alignment * alignment, total, bits == preferred ? 0 : 1]
            if best == nil || key.lexicographicallyPrecedes(best!.key) { best = (key, bits) }
        }
        return best?.bits ?? preferred
    }
}
