import ShrinkEncodings
import ShrinkFormats
import ShrinkKernels
import ShrinkNN

extension ExecutionPlan {
    /// Chooses and packs the kernel for one Linear layer from its stored weight encoding.
    static func linearStep(_ linear: Linear, file: ModelFile) throws -> Step {
        let (kernel, kind) = try matrixKernel(layerName: linear.name, biasName: linear.bias?.name, file: file,
                                              outputs: linear.outputFeatures, inputs: linear.inputFeatures)
        return .linear(kernel, kernel: kind, outputCount: linear.outputFeatures, inputCount: linear.inputFeatures)
    }

    /// The packed kernel for the weight matrix `<layerName>.weight` read as [outputs, inputs]
    /// (a Linear weight, or a convolution weight [out, in, k, k] flattened), chosen from its
    /// stored encoding; fp32 when it has none.
    static func matrixKernel(layerName: String, biasName: String?, file: ModelFile,
                             outputs: Int, inputs: Int) throws -> (LinearKernel, LayerKernel) {
        let weightName = "\(layerName).weight"
        guard let stored = file.tensor(named: weightName) else { throw ExecutionPlanError.missingTensor(name: weightName) }
        var bias: [Float]? = nil
        if let biasName {
            guard let storedBias = file.tensor(named: biasName) else {
                throw ExecutionPlanError.missingTensor(name: biasName)
            }
            bias = storedBias.value.scalars
        }
        func step(_ kernel: LinearKernel, _ kind: LayerKernel) -> (LinearKernel, LayerKernel) { (kernel, kind) }
        do {
            guard let encoding = stored.encoding else {
                return step(.float32(try Float32LinearWeights(weights: stored.value.scalars, bias: bias, outputCount: outputs, inputCount: inputs)), .float32)
            }
            let coded = encoding.coded
            if case .sparse = encoding.layout {
                return try sparseStep(coded: coded, decoded: stored.value.scalars, bias: bias,
                                      outputs: outputs, inputs: inputs, make: step)
            }
            switch coded.format {
            case .float16:
                let packed = try Float16LinearWeights(halfBits: coded.codes.map { UInt16(truncatingIfNeeded: $0) },
                                                      bias: bias, outputCount: outputs, inputCount: inputs)
                return step(.float16(packed), .float16)
            case let .affine(bits, isSigned, channelCount)
                where bits == 8 && isSigned && (channelCount == outputs || channelCount == 1)
                    && coded.zeroPoints.allSatisfy({ $0 == 0 }):
                let codes = coded.affineCodes() ?? []
                let scales = channelCount == 1 ? [Float](repeating: coded.scales[0], count: outputs) : coded.scales
                let packed = try Int8LinearWeights(weights: codes.map { Int8(truncatingIfNeeded: $0) }, scales: scales,
                                                   bias: bias, outputCount: outputs, inputCount: inputs)
                return step(.int8(packed), .int8)
            case let .palette(bits, _, _) where bits <= 8:
                let packed = try PaletteLinearWeights(indices: coded.codes.map { UInt8(truncatingIfNeeded: $0) },
                                                      centroids: coded.centroids, bitWidth: bits, bias: bias,
                                                      outputCount: outputs, inputCount: inputs)
                return step(.palette(packed), .palette(bits: bits))
            default:
                return step(.float32(try Float32LinearWeights(weights: stored.value.scalars, bias: bias, outputCount: outputs, inputCount: inputs)), .float32)
            }
        } catch let error as RuntimeKernelError {
            throw ExecutionPlanError.kernel(layer: layerName, error)
        }
    }

    /// CSR weights from a sparse-layout tensor: palettized values when the codes index ≤ 256
    /// centroids, else the decoded fp32 values; zero weights are dropped. fp32 values denser than
    /// `denseFallbackDensity` get the dense fp32 kernel instead.
    private static func sparseStep(
        coded: CodedTensor, decoded: [Float], bias: [Float]?, outputs: Int, inputs: Int,
        make: (LinearKernel, LayerKernel) -> (LinearKernel, LayerKernel)
    ) throws -> (LinearKernel, LayerKernel) {
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
            return make(.sparse(packed), .sparse(density: Double(packed.nonZeroCount) / Double(max(1, total)), palettized: true))
        }
        let nonZero = decoded.reduce(0) { $0 + ($1 != 0 ? 1 : 0) }
        if Double(nonZero) > denseFallbackDensity * Double(total) {
            let dense = try Float32LinearWeights(weights: decoded, bias: bias, outputCount: outputs, inputCount: inputs)
            return make(.float32(dense), .float32)
        }
        let packed = try SparseLinearWeights(dense: decoded, bias: bias, outputCount: outputs, inputCount: inputs)
        return make(.sparse(packed), .sparse(density: Double(packed.nonZeroCount) / Double(max(1, total)), palettized: false))
    }
}
