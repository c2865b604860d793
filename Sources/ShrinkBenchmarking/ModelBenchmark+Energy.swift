import ShrinkFormats
import ShrinkGraph
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
    /// - every other node: its op's `operationCount` in fp32 (batch norm one MAC per element;
    ///   average pool kernel² additions and one multiply per output; max pool kernel² − 1
    ///   comparisons, ReLU one per element, comparisons counted as fp32 additions; exponentials
    ///   and other transcendental operations as fp32 multiplies; flatten and dropout nothing).
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
        let resolved: ResolvedGraph
        do {
            resolved = try ResolvedGraph(file.graph, registry: .standard)
        } catch {
            preconditionFailure("a compiled plan's graph resolves: \(error)")
        }
        let kernels = Dictionary(uniqueKeysWithValues: plan.layers.map { ($0.name, $0.kernel) })
        for (index, node) in resolved.graph.nodes.enumerated() {
            let inputShapes = node.inputs.map { resolved.shapes[$0]!.concrete(["batch": 1]) ?? [] }
            let outputShapes = node.outputs.map { resolved.shapes[$0]!.concrete(["batch": 1]) ?? [] }
            let inputs = inputShapes.reduce(0) { $0 + $1.reduce(1, *) }, outputs = outputShapes.reduce(0) { $0 + $1.reduce(1, *) }
            activationBytes += 4 * (inputs + outputs)
            let count = resolved.operators[index].operationCount(inputShapes: inputShapes, outputShapes: outputShapes)
            let kernel = kernels[node.name] ?? .identity
            if count.multiplyAccumulates > 0, resolved.operators[index].weights.contains(where: { $0.role == .matrix }) {
                // A weight product: counted by the precision its kernel computes in.
                let outputsPerPosition = outputShapes[0].count > 1 ? outputShapes[0][1] : outputs
                let positions = max(1, outputs / max(1, outputsPerPosition))
                addMatrixProduct(kernel: kernel, layer: node.name, positions: positions,
                                 inputsPerPosition: count.multiplyAccumulates / max(1, positions * outputsPerPosition),
                                 outputsPerPosition: outputsPerPosition)
            } else {
                add(\.multiplyAccumulates, .fp32, count.multiplyAccumulates)
            }
            add(\.multiplies, .fp32, count.multiplies + count.transcendentals)
            // Comparisons (max pool, ReLU) are counted as fp32 additions.
            add(\.additions, .fp32, count.additions + count.comparisons)
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
