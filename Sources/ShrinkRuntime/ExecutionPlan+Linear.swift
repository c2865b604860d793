import ShrinkEncodings
import ShrinkFormats
import ShrinkKernels

extension ExecutionPlan {
    /// A per-channel `scale · x + shift`: an inference BatchNorm (scale = γ / √(var + ε),
    /// shift = β − scale · mean), to fold into a matrix kernel or apply after it.
    struct ChannelAffine {
        var scale: [Float]
        var shift: [Float]
    }

    /// The packed kernel for `weight` read as [outputs, inputs] (a Linear weight, or a
    /// convolution weight [out, in, k, k] flattened), chosen from its stored encoding; fp32 when
    /// it has none (affine codes: `affineKernel`, 1-4 bits sub-byte, 5-8 bits int8, in the dense or
    /// the sparse layout alike; other sparse tensors: `sparseKernel`). With `fold`,
    /// the affine is folded into the kernel where its weights stay in a per-channel-scalable form
    /// (fp32 values: rows scaled before packing; int8 and sub-byte: per-channel scales), and
    /// `folded` is true; otherwise (fp16, palettes of 1-16 bits, palettized sparse) the caller
    /// applies it after the kernel. With `int8ColumnOrder`, an int8 kernel's column j holds the
    /// stored column int8ColumnOrder[j] (the static-int8 convolutions' channels-last windows).
    /// fp32-valued sparse weights denser than `denseFallbackDensity` run the dense kernel (nil:
    /// never; convolutions pass nil, their sparse kernel wins at higher densities and kernel
    /// selection times it against the dense form).
    static func matrixKernel(node: String, weight stored: StoredTensor, bias: [Float]?, outputs: Int, inputs: Int,
                             fold: ChannelAffine?, int8ColumnOrder: [Int]? = nil,
                             denseFallbackDensity: Double? = ExecutionPlan.denseFallbackDensity)
        throws -> (kernel: LinearKernel, kind: LayerKernel, folded: Bool) {
        var foldedBias: [Float]? { Self.foldedBias(bias, outputs: outputs, fold: fold) }
        func decoded() -> [Float] { Self.foldedWeights(stored, outputs: outputs, inputs: inputs, fold: fold) }
        func float32() throws -> (LinearKernel, LayerKernel, Bool) {
            (.float32(try Float32LinearWeights(weights: decoded(), bias: foldedBias, outputCount: outputs, inputCount: inputs)),
             .float32, fold != nil)
        }
        do {
            guard let encoding = stored.encoding else { return try float32() }
            let coded = encoding.coded
            if case .sparse = encoding.layout {
                // Integer codes run the integer kernels whatever their layout: the decoded codes
                // of pruned entries are the zero point, so the dense codes are the same weights
                // exactly, and the numerics do not depend on how the file stores them (a pruned
                // layer with 4-bit codes runs the 4-bit kernel, not float CSR).
                if case let .affine(bits, isSigned, channelCount) = coded.format,
                   let integer = try affineKernel(coded: coded, bits: bits, isSigned: isSigned, channelCount: channelCount,
                                                  outputs: outputs, inputs: inputs, fold: fold, foldedBias: foldedBias,
                                                  int8ColumnOrder: int8ColumnOrder) {
                    return integer
                }
                return try sparseKernel(coded: coded, decoded: stored.value.scalars, bias: bias, outputs: outputs,
                                        inputs: inputs, fold: fold, foldedBias: foldedBias,
                                        denseFallbackDensity: denseFallbackDensity, scaledDecoded: decoded)
            }
            switch coded.format {
            case .float16:
                let packed = try Float16LinearWeights(halfBits: coded.codes.map { UInt16(truncatingIfNeeded: $0) },
                                                      bias: bias, outputCount: outputs, inputCount: inputs)
                return (.float16(packed), .float16, false)
            case let .affine(bits, isSigned, channelCount):
                return try affineKernel(coded: coded, bits: bits, isSigned: isSigned, channelCount: channelCount,
                                        outputs: outputs, inputs: inputs, fold: fold, foldedBias: foldedBias,
                                        int8ColumnOrder: int8ColumnOrder) ?? float32()
            case let .palette(bits, _, _) where bits <= 8:
                let packed = try PaletteLinearWeights(indices: coded.codes.map { UInt8(truncatingIfNeeded: $0) },
                                                      centroids: coded.centroids, bitWidth: bits, bias: bias,
                                                      outputCount: outputs, inputCount: inputs)
                return (.palette(packed), .palette(bits: bits), false)
            case let .palette(bits, _, _) where WidePaletteLinearWeights.bitWidths.contains(bits):
                // 9-16-bit indices: centroids gathered from the fp32 table in registers.
                let packed = try WidePaletteLinearWeights(indices: coded.codes.map { UInt16(truncatingIfNeeded: $0) },
                                                          centroids: coded.centroids, bitWidth: bits, bias: bias,
                                                          outputCount: outputs, inputCount: inputs)
                return (.widePalette(packed), .palette(bits: bits), false)
            default:
                return try float32()
            }
        } catch let error as RuntimeKernelError {
            throw ExecutionPlanError.kernel(node: node, error)
        }
    }

    /// bias' = scale · bias + shift (the bias itself without a fold).
    static func foldedBias(_ bias: [Float]?, outputs: Int, fold: ChannelAffine?) -> [Float]? {
        guard let fold else { return bias }
        return (0..<outputs).map { fold.scale[$0] * (bias?[$0] ?? 0) + fold.shift[$0] }
    }

    /// The decoded weights [outputs, inputs] with row r scaled by the fold's scale[r] (as decoded
    /// without a fold).
    static func foldedWeights(_ stored: StoredTensor, outputs: Int, inputs: Int, fold: ChannelAffine?) -> [Float] {
        guard let fold else { return stored.value.scalars }
        var values = stored.value.scalars
        values.withUnsafeMutableBufferPointer { values in
            for row in 0..<outputs {
                let scale = fold.scale[row]
                for column in 0..<inputs { values[row * inputs + column] *= scale }
            }
        }
        return values
    }

    /// The exact fp32 form of a weight whose encoding chose `matrixKernel`'s kernel: the decoded
    /// values with the fold applied when that kernel folded it (else the caller's step applies
    /// it after either form), in `int8ColumnOrder`-free stored column order.
    static func float32Form(node: String, weight stored: StoredTensor, bias: [Float]?, outputs: Int, inputs: Int,
                            fold: ChannelAffine?, folded: Bool) throws -> Float32LinearWeights {
        do {
            return try Float32LinearWeights(
                weights: foldedWeights(stored, outputs: outputs, inputs: inputs, fold: folded ? fold : nil),
                bias: foldedBias(bias, outputs: outputs, fold: folded ? fold : nil), outputCount: outputs, inputCount: inputs)
        } catch {
            throw ExecutionPlanError.kernel(node: node, error)
        }
    }

    /// CSR weights from a sparse-layout tensor: palettized values when the codes index ≤ 256
    /// centroids, else the decoded fp32 values; zero weights are dropped. fp32 values denser than
    /// `denseFallbackDensity` (when given) get the dense fp32 kernel instead. A fold scales fp32
    /// values only.
    private static func sparseKernel(
        coded: CodedTensor, decoded: [Float], bias: [Float]?, outputs: Int, inputs: Int, fold: ChannelAffine?,
        foldedBias: [Float]?, denseFallbackDensity: Double?, scaledDecoded: () -> [Float]
    ) throws -> (LinearKernel, LayerKernel, Bool) {
        let total = outputs * inputs
        if case .palette = coded.format, coded.centroids.count <= 256 {
            var rowPointers = [Int32](repeating: 0, count: outputs + 1)
            var columns = [Int](), codes = [UInt8]()
            coded.codes.withUnsafeBufferPointer { all in
                for row in 0..<outputs {
                    for column in 0..<inputs {
                        let code = all[row * inputs + column]
                        if coded.centroids[Int(code)] != 0 {
                            columns.append(column)
                            codes.append(UInt8(code))
                        }
                    }
                    rowPointers[row + 1] = Int32(columns.count)
                }
            }
            let packed = try SparseLinearWeights(rowPointers: rowPointers, columns: columns,
                                                 values: .palettized(codes: codes, centroids: coded.centroids),
                                                 bias: bias, outputCount: outputs, inputCount: inputs)
            return (.sparse(packed), .sparse(density: Double(packed.nonZeroCount) / Double(max(1, total)), palettized: true), false)
        }
        // The density of the stored weights decides (a fold does not change which entries are zero).
        let nonZero = decoded.reduce(0) { $0 + ($1 != 0 ? 1 : 0) }
        if let denseFallbackDensity, Double(nonZero) > denseFallbackDensity * Double(total) {
            let dense = try Float32LinearWeights(weights: scaledDecoded(), bias: foldedBias, outputCount: outputs, inputCount: inputs)
            return (.float32(dense), .float32, fold != nil)
        }
        var values = scaledDecoded()
        if fold != nil {
            // Keep exactly the stored non-zeros (a zero scale must not change the pattern or density).
            for index in values.indices where decoded[index] == 0 { values[index] = 0 }
        }
        let packed = try SparseLinearWeights(dense: values, bias: foldedBias, outputCount: outputs, inputCount: inputs)
        return (.sparse(packed), .sparse(density: Double(packed.nonZeroCount) / Double(max(1, total)), palettized: false),
                fold != nil)
    }
}
