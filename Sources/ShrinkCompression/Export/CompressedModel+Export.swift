import ShrinkEncodings
import ShrinkFormats
import ShrinkNN
import ShrinkTensor

extension CompressedModel {
    /// The model file that stores this model the way its compression steps decided
    /// (docs/FORMAT.md, encoding `coded`). Per parameter, from its `ParameterCompressionState`:
    ///
    /// - palette → palette indices (`palette.bits`) with f32 centroids (f16 when `storesFloat16`);
    /// - else quantization → affine codes (per tensor, or per channel along axis 0);
    /// - else `storesFloat16` → binary16;
    /// - else a mask alone → binary32;
    /// - else (nothing decided) → `dense-f32`.
    ///
    /// With a mask the layout is relative-index sparse (`convolutionGapBits` for rank-4 tensors,
    /// `linearGapBits` otherwise) with Huffman-coded streams when smaller; without, dense.
    /// Biases and buffers follow the same rules (usually dense f32).
    ///
    /// - Throws: `ModelExportError` when a state cannot be encoded, or when an encoding would not
    ///   reproduce the network's values exactly (compared with `==`, so +0 and −0 match).
    public func modelFile(options: ModelExportOptions = ModelExportOptions(), metadata: ModelMetadata = ModelMetadata()) throws -> ModelFile {
        for bits in [options.convolutionGapBits, options.linearGapBits] where !StorageLayout.supportedGapBits.contains(bits) {
            throw ModelExportError.invalidGapBits(bits)
        }
        let tensors = try network.parameters.map { parameter in
            try storedTensor(parameter, state: parameterStates[parameter.name], options: options)
        }
        return ModelFile(architecture: network.architecture, tensors: tensors, metadata: metadata)
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
                coded = try CodedTensor.affine(
                    quantizing: values, bits: quantization.bits, isSigned: quantization.isSigned,
                    scales: quantization.scales, zeroPoints: quantization.zeroPoints)
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
        var layout = StorageLayout.dense
        if state.mask != nil {
            layout = .sparse(gapBits: value.shape.count == 4 ? options.convolutionGapBits : options.linearGapBits)
        }
        let encoding = StoredEncoding(coded: coded, layout: layout, huffmanCoding: options.huffmanCoding)
        return try StoredTensor(name: name, kind: parameter.kind, shape: value.shape, encoding: encoding)
    }
}
