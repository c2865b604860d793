import ShrinkFormats
import ShrinkMeasurement
import ShrinkNN
import ShrinkRuntime

extension ModelBenchmark {
    /// Operations and memory traffic of one single-sample inference through `plan`, counted by
    /// the precision each chosen kernel computes in (docs/MEASUREMENT.md, "Energy"):
    ///
    /// - Linear, int8 kernel: n·k int8 multiplies and n·k int32 additions, plus k fp32
    ///   multiplies (quantizing the activations) and n fp32 multiplies (dequantizing the sums);
    /// - Linear, fp16 (widened), palette (looked up), fp32 kernels: n·k fp32 MACs;
    /// - Linear, sparse kernel: one fp32 MAC per stored non-zero weight;
    /// - a bias adds n fp32 additions (any kernel);
    /// - conv2d: the same rules for its im2col product, once per output position (output
    ///   elements · inChannels · kernel² MACs when dense; non-zero weights · positions when sparse;
    ///   int8 when its kernel is `convolution(int8)`), plus a bias addition per output;
    /// - batch norm: one fp32 MAC per element; average pool: kernel² fp32 additions and one fp32
    ///   multiply per output; max pool: kernel² − 1 comparisons, ReLU one comparison per element,
    ///   each counted as an fp32 addition; flatten and dropout: nothing.
    ///
    /// Memory: every weight byte the kernels read (packed sizes, `ExecutionPlan.layerWeightBytes`)
    /// comes from DRAM once; every step reads its input activations and writes its output
    /// activations (fp32) in SRAM; register traffic is not modelled (0).
    static func operationCounts(plan: ExecutionPlan, file: ModelFile) -> (OperationCounts, MemoryTraffic) {
        var counts = OperationCounts()
        func add(_ keyPath: WritableKeyPath<OperationCounts, [ArithmeticPrecision: Double]>,
                 _ precision: ArithmeticPrecision, _ value: Int) {
            guard value > 0 else { return }
            counts[keyPath: keyPath][precision, default: 0] += Double(value)
        }
        /// Counts a weight-matrix product by the precision its kernel computes in.
        func addMatrixProduct(kernel: LayerKernel, layer: String, positions: Int, inputsPerPosition: Int,
                              outputsPerPosition: Int) {
            let dense = positions * inputsPerPosition * outputsPerPosition
            var matrixKernel = kernel
            if case let .convolution(inner) = kernel { matrixKernel = inner }
            switch matrixKernel {
            case .int8:
                add(\.multiplies, .int8, dense)
                add(\.additions, .int32, dense)
                add(\.multiplies, .fp32, positions * (inputsPerPosition + outputsPerPosition))
            case .sparse:
                let weight = file.tensor(named: "\(layer).weight")
                let nonZero = weight.map { $0.value.scalars.reduce(0) { $0 + ($1 != 0 ? 1 : 0) } }
                add(\.multiplyAccumulates, .fp32, nonZero.map { $0 * positions } ?? dense)
            default:
                add(\.multiplyAccumulates, .fp32, dense)
            }
        }
        var activationBytes = 0
        var inputShape = plan.inputShape
        for (index, planned) in plan.layers.enumerated() {
            let inputs = inputShape.reduce(1, *), outputs = planned.outputShape.reduce(1, *)
            activationBytes += 4 * (inputs + outputs)
            switch file.architecture.layers[index].layer {
            case let .linear(inputFeatures, outputFeatures, hasBias):
                // One matrix product: [1, in] · [in, out].
                addMatrixProduct(kernel: planned.kernel, layer: planned.name, positions: 1,
                                 inputsPerPosition: inputFeatures, outputsPerPosition: outputFeatures)
                if hasBias { add(\.additions, .fp32, outputFeatures) }
            case let .convolution2D(inputChannels, outputChannels, kernelSize, _, _, hasBias):
                // im2col: one [positions, in·k²] · [in·k², out] product over the output positions.
                addMatrixProduct(kernel: planned.kernel, layer: planned.name, positions: outputs / max(1, outputChannels),
                                 inputsPerPosition: inputChannels * kernelSize * kernelSize,
                                 outputsPerPosition: outputChannels)
                if hasBias { add(\.additions, .fp32, outputs) }
            case .batchNormalization2D:
                add(\.multiplyAccumulates, .fp32, outputs)
            case let .averagePool2D(kernelSize, _):
                add(\.additions, .fp32, outputs * kernelSize * kernelSize)
                add(\.multiplies, .fp32, outputs)
            case let .maxPool2D(kernelSize, _):
                add(\.additions, .fp32, outputs * (kernelSize * kernelSize - 1))
            case .relu:
                add(\.additions, .fp32, outputs)
            case .flatten, .dropout, .sequential:
                break
            }
            inputShape = planned.outputShape
        }
        let traffic = MemoryTraffic(registerBytes: 0, sramBytes: Double(activationBytes),
                                    dramBytes: Double(plan.layerWeightBytes.reduce(0, +)))
        return (counts, traffic)
    }

    /// Modelled energy of one single-sample inference, with the measured figure when available.
    static func energy(plan: ExecutionPlan, file: ModelFile, table: EnergyTable,
                       measured: MeasuredInferenceEnergy) throws -> EnergyFigures {
        let (operations, traffic) = operationCounts(plan: plan, file: file)
        let estimate = EnergyModel.estimate(operations: operations, memoryTraffic: traffic, table: table)
        return EnergyFigures(modelled: estimate, operations: operations, memoryTraffic: traffic,
                             measuredJoules: measured.joulesPerSample,
                             measuredUnavailableReason: measured.joulesPerSample == nil ? measured.unavailableReason : nil)
    }
}
