import ShrinkMeasurement
import ShrinkNN
import ShrinkRuntime

extension ModelBenchmark {
    /// Operations and memory traffic of one single-sample inference through `plan`, counted by
    /// the precision each chosen kernel computes in (docs/MEASUREMENT.md, "Energy"). Each node's
    /// arithmetic is its op's `operationCount` for one sample (`PlannedLayer.operationCount`),
    /// mapped by the kernel that runs it:
    ///
    /// - weight products (Linear, conv2d as its im2col product) on the int8 kernel: one int8
    ///   multiply and one int32 addition per dense multiply-accumulate, plus one fp32 multiply per
    ///   quantized input value (MACs / output channels: k for a Linear, positions · in·k² for a
    ///   conv) and one per dequantized output (n, or positions · out);
    /// - on the fp16 (widened), palette (looked up) and fp32 kernels: one fp32 MAC each;
    /// - on the sparse kernel: one fp32 MAC per stored non-zero weight (density · dense MACs);
    /// - everything else in fp32: MACs (batch norm: one per element) as MACs, stand-alone
    ///   multiplies and transcendentals as multiplies, additions (biases, pooling sums) and
    ///   comparisons (max pool, ReLU) as additions;
    /// - a BatchNorm folded into its producer's weights (`LayerKernel.folded`) costs nothing;
    ///   one fused into its producer's step (`.fused`: a per-channel scale + shift) and a fused
    ///   ReLU keep their counts; aliases (flatten, reshape, inference dropout) cost nothing.
    ///
    /// Memory: every weight byte the kernels read (packed sizes, `ExecutionPlan.layerWeightBytes`)
    /// comes from DRAM once; every node that runs (its own step, or a pass fused into another
    /// node's step) reads its input and writes its output activations (fp32) in SRAM; aliased
    /// and folded nodes move nothing; register traffic is not modelled (0).
    static func operationCounts(plan: ExecutionPlan) -> (OperationCounts, MemoryTraffic) {
        var counts = OperationCounts()
        func add(_ keyPath: WritableKeyPath<OperationCounts, [ArithmeticPrecision: Double]>,
                 _ precision: ArithmeticPrecision, _ value: Int) {
            guard value > 0 else { return }
            counts[keyPath: keyPath][precision, default: 0] += Double(value)
        }
        var activationBytes = 0
        for planned in plan.layers {
            switch planned.kernel {
            case .identity, .folded: continue
            default: break
            }
            activationBytes += 4 * (planned.inputElements + planned.outputElements)
            let operations = planned.operationCount
            // One sample: the kernel a `.chosen` layer runs at batch 1.
            var matrixKernel = planned.kernel.kernel(forBatch: 1)
            if case let .convolution(inner) = matrixKernel { matrixKernel = inner }
            let dense = operations.multiplyAccumulates
            switch matrixKernel {
            case .int8, .integer:
                add(\.multiplies, .int8, dense)
                add(\.additions, .int32, dense)
                let channels = max(1, planned.outputShape.first ?? 1)
                add(\.multiplies, .fp32, dense / channels + planned.outputElements)
            case let .sparse(density, _):
                add(\.multiplyAccumulates, .fp32, Int((density * Double(dense)).rounded()))
            default:
                add(\.multiplyAccumulates, .fp32, dense)
            }
            add(\.multiplies, .fp32, operations.multiplies + operations.transcendentals)
            add(\.additions, .fp32, operations.additions + operations.comparisons)
        }
        let traffic = MemoryTraffic(registerBytes: 0, sramBytes: Double(activationBytes),
                                    dramBytes: Double(plan.layerWeightBytes.reduce(0, +)))
        return (counts, traffic)
    }

    /// Modelled energy of one single-sample inference, with the measured figure when available.
    /// The modelled energy of one sample through `plan` (operations and memory traffic priced
    /// by `table`; docs/MEASUREMENT.md), in joules: what `shrink bench` reports as modelled.
    public static func modelledJoulesPerSample(plan: ExecutionPlan, table: EnergyTable = .horowitz45nm) -> Double {
        let (operations, traffic) = operationCounts(plan: plan)
        return EnergyModel.estimate(operations: operations, memoryTraffic: traffic, table: table).totalJoules
    }

    static func energy(plan: ExecutionPlan, table: EnergyTable,
                       measured: MeasuredInferenceEnergy) throws -> EnergyFigures {
        let (operations, traffic) = operationCounts(plan: plan)
        let estimate = EnergyModel.estimate(operations: operations, memoryTraffic: traffic, table: table)
        return EnergyFigures(modelled: estimate, operations: operations, memoryTraffic: traffic,
                             measuredJoules: measured.joulesPerSample,
                             measuredUnavailableReason: measured.joulesPerSample == nil ? measured.unavailableReason : nil)
    }
}
