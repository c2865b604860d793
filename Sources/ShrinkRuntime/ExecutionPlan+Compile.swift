import ShrinkFormats
import ShrinkKernels
import ShrinkNN
import ShrinkTensor

extension ExecutionPlan {
    /// Op types whose output is their first input's values under another shape: the output
    /// aliases the input's memory and nothing runs (Dropout is the identity in inference).
    static let aliasingOperatorTypes: Set<String> = ["Flatten", "Reshape", "Identity", "Dropout", "Squeeze", "Unsqueeze"]

    /// Everything the plan keeps from compilation.
    struct Compiled {
        var layers: [PlannedLayer]
        var steps: [Step]
        var locations: [ValueLocation]
        var valueSizes: [Int]
        var sampleShapes: [[Int]]
        var valueIDs: [String: Int]
        var inputIDs: [Int], outputIDs: [Int]
        var inputNames: [String], outputNames: [String]
        var inputShape: [Int], outputShape: [Int]
        var fixedBatchSize: Int?
        var arenaSampleElements: Int
        var unsharedSampleElements: Int
    }

    /// Compiles a resolved graph:
    ///
    /// 1. **Schedule**: the topological order of `ResolvedGraph`.
    /// 2. **Aliases**: reshape-like nodes (`aliasingOperatorTypes`) read and write the same memory.
    /// 3. **Folding and fusion**: a BatchNorm whose input is a Linear's or Conv2D's output read by
    ///    nothing else is folded into that node's weights and bias when they are fp32 values
    ///    (dense, fp32 CSR, or an fp32 convolution's own kernel) or into the per-channel scales of
    ///    int8 weights (`LayerKernel.folded`); over fp16, palette and palettized-sparse weights it
    ///    becomes a per-channel scale + shift applied to the node's output right after its kernel
    ///    (`.fused`). A ReLU, ReLU6 or Clip reading only such an output (or any single-output node's) is applied
    ///    in the same step (`.fused`): in the int8 kernel's dequantizing epilogue, in the
    ///    convolution's scatter loop, else in one pass over the output just written, still in
    ///    cache. Merged nodes' outputs alias the step's output.
    /// 4. **Kernels**: the packed kernel of each weight matrix's encoding (`matrixKernel`), static
    ///    int8 when its input value has calibrated parameters; every other node on its op's own
    ///    kernel with `Parameter`s wrapping the decoded tensors (one copy, no gradients).
    /// 5. **Arena**: each remaining value lives from its producer to its last reader; one arena,
    ///    offsets by greedy first fit over those lifetimes (`ExecutionPlan+Arena.swift`).
    struct Compiler {
        let resolved: ResolvedGraph
        let tensors: [String: StoredTensor]
        let activationQuantization: [String: ActivationQuantization]
        /// How weight-matrix kernels are picked, and the threads a timed kernel may use.
        let selection: KernelSelection, threads: Int
        let timer: KernelTimer

        init(graph: Graph, tensors: [StoredTensor], activationQuantization: [String: ActivationQuantization],
             selection: KernelSelection, threads: Int, timer: @escaping KernelTimer, registry: OperatorRegistry) throws {
            self.selection = selection
            self.threads = threads
            self.timer = timer
            do {
                resolved = try ResolvedGraph(graph, registry: registry)
            } catch {
                throw ExecutionPlanError.invalidGraph(error)
            }
            self.tensors = Dictionary(tensors.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
            self.activationQuantization = activationQuantization
        }

        var graph: Graph { resolved.graph }

        func compile() throws -> Compiled {
            let nodes = graph.nodes
            // Values: graph inputs, then node outputs in order.
            var valueIDs = [String: Int](), sampleShapes = [[Int]](), producers = [Int]()
            // Axis 0 is the batch: the `batch` symbol, or a fixed size (an ONNX test's [3, 4, 5]
            // input) that every run must then have.
            var fixedBatchSize: Int?
            func addValue(_ name: String, producer: Int, owner: String) throws {
                let shape = resolved.shapes[name]!
                guard shape.rank >= 1, shape[0] == .batch || shape[0].fixedValue != nil, let sample = shape.sampleShape else {
                    throw ExecutionPlanError.unsupported(
                        node: owner, reason: "value '\(name)' has shape \(shape); the runtime needs [batch or a fixed size] + fixed sizes")
                }
                if let size = shape[0].fixedValue {
                    guard fixedBatchSize == nil || fixedBatchSize == size else {
                        throw ExecutionPlanError.unsupported(
                            node: owner, reason: "value '\(name)' has \(size) on the batch axis 0, another value \(fixedBatchSize!); "
                                + "the runtime runs one batch size")
                    }
                    fixedBatchSize = size
                }
                valueIDs[name] = sampleShapes.count
                sampleShapes.append(sample)
                producers.append(producer)
            }
            for input in graph.inputs { try addValue(input.name, producer: -1, owner: input.name) }
            for (index, node) in nodes.enumerated() {
                for output in node.outputs { try addValue(output, producer: index, owner: node.name) }
            }
            let valueSizes = sampleShapes.map { $0.reduce(1, *) }
            func id(_ name: String) -> Int { valueIDs[name]! }

            let counts = resolved.operationCountPerSample
            func planned(_ index: Int, _ kernel: LayerKernel) -> PlannedLayer {
                let node = nodes[index]
                return PlannedLayer(
                    name: node.name, operatorType: node.operatorType, kernel: kernel,
                    outputShape: sampleShapes[id(node.outputs[0])],
                    inputElements: node.inputs.reduce(0) { $0 + valueSizes[id($1)] },
                    outputElements: node.outputs.reduce(0) { $0 + valueSizes[id($1)] }, operationCount: counts[index])
            }

            var memoryLeft = if case let .measured(limit) = selection { limit } else { 0 }
            /// The kernel of `choice`, or the per-batch choice between it and its fp32 form.
            func selected(_ choice: (kernel: LinearKernel, kind: LayerKernel, folded: Bool), node: Node, weight: StoredTensor,
                          bias: [Float]?, outputs: Int, inputs: Int,
                          affine: ChannelAffine?) throws -> (kernel: LinearKernel, kind: LayerKernel) {
                try ExecutionPlan.selectKernel(
                    stored: (choice.kernel, choice.kind), selection: selection, memoryLeft: &memoryLeft, outputs: outputs,
                    inputs: inputs, threads: threads, timer: timer) {
                    try ExecutionPlan.float32Form(node: node.name, weight: weight, bias: bias, outputs: outputs, inputs: inputs,
                                                  fold: affine, folded: choice.folded)
                }
            }

            var layers = [PlannedLayer?](repeating: nil, count: nodes.count)
            var steps = [Step]()
            var aliases = [Int: Int]() // value id → the value id whose memory it uses
            for (index, node) in nodes.enumerated() where layers[index] == nil {
                let op = resolved.operators[index]
                let output = id(node.outputs[0])
                if Self.aliases(op) && node.outputs.count == 1 && valueSizes[output] == valueSizes[id(node.inputs[0])] {
                    aliases[output] = id(node.inputs[0])
                    layers[index] = planned(index, .identity)
                    continue
                }
                let foldable = op is LinearOperator || op is Convolution2DOperator
                let chain = fusionChain(after: index, allowBatchNorm: foldable)
                let affine = try chain.batchNorm.map { try batchNormAffine(node: $0) }
                let channels = sampleShapes[output].first ?? 1
                let clamp = chain.relu.flatMap { Self.clamp(of: resolved.operators[$0]) }
                var step: Step
                var folded = false
                switch op {
                case let linear as LinearOperator:
                    let weight = try tensor(node, op.weights[0])
                    let bias = linear.hasBias ? try tensor(node, op.weights[1]).value.scalars : nil
                    let choice = try ExecutionPlan.matrixKernel(node: node.name, weight: weight, bias: bias,
                                                                outputs: linear.outputFeatures, inputs: linear.inputFeatures,
                                                                fold: affine)
                    folded = choice.folded
                    let quantization = try staticQuantization(for: choice.kernel, node: node)
                    let runs = try selected(choice, node: node, weight: weight, bias: bias, outputs: linear.outputFeatures,
                                            inputs: linear.inputFeatures, affine: affine)
                    let kind: LayerKernel = quantization != nil ? .int8(static: true) : runs.kind
                    step = Step(node: index, name: node.name,
                                operation: .linear(runs.kernel, quantization: quantization,
                                                   outputCount: linear.outputFeatures, inputCount: linear.inputFeatures),
                                inputs: [id(node.inputs[0])], outputs: [output],
                                transform: transform(channels: channels, affine: folded ? nil : affine, clamp: clamp))
                    layers[index] = planned(index, kind)
                case let convolution as Convolution2DOperator
                    where ConvolutionWork.lowerable(convolution) && tensors[node.weightName("weight")]?.encoding != nil:
                    let weight = try tensor(node, op.weights[0])
                    let bias = convolution.hasBias ? try tensor(node, op.weights[1]).value.scalars : nil
                    let work = ConvolutionWork(convolution: convolution, inputShape: sampleShapes[id(node.inputs[0])])
                    var choice = try ExecutionPlan.matrixKernel(node: node.name, weight: weight, bias: bias,
                                                                outputs: convolution.outputChannels, inputs: work.depth,
                                                                fold: affine, denseFallbackDensity: nil)
                    let quantization = try staticQuantization(for: choice.kernel, node: node)
                    if quantization != nil, case .int8 = choice.kernel {
                        // Static int8 reads channels-last windows in place: pack the weights in that order.
                        choice = try ExecutionPlan.matrixKernel(node: node.name, weight: weight, bias: bias,
                                                                outputs: convolution.outputChannels, inputs: work.depth,
                                                                fold: affine, int8ColumnOrder: work.int8ColumnOrder)
                    }
                    folded = choice.folded
                    let kind: LayerKernel = quantization != nil ? .int8(static: true) : choice.kind
                    let lowered = Step(node: index, name: node.name,
                                       operation: .convolution(choice.kernel, quantization: quantization, work: work),
                                       inputs: [id(node.inputs[0])], outputs: [output],
                                       transform: transform(channels: channels, affine: folded ? nil : affine, clamp: clamp))
                    // Timed against the op's own fp32 kernel on the decoded weights (what the
                    // uncompressed model runs), which folds a BatchNorm itself.
                    let runs = try ExecutionPlan.selectStep(
                        stored: (lowered, .convolution(kind)), selection: selection, memoryLeft: &memoryLeft,
                        inputElements: valueSizes[id(node.inputs[0])], outputElements: valueSizes[output], pixels: work.pixels,
                        multiplyAccumulatesPerPixel: convolution.outputChannels * work.depth, threads: threads, timer: timer) {
                        try referenceStep(index, op: op, affine: affine, clamp: clamp, ids: id, sampleShapes: sampleShapes,
                                          channels: channels)
                    }
                    step = runs.step
                    layers[index] = planned(index, runs.kind)
                case _ where nativeOperation(index, op: op, affine: affine) != nil:
                    let native = nativeOperation(index, op: op, affine: affine)!
                    folded = affine != nil
                    step = Step(node: index, name: node.name, operation: .native(native),
                                inputs: node.inputs.map(id), outputs: [output],
                                transform: transform(channels: channels, affine: nil, clamp: clamp))
                    layers[index] = planned(index, .native(node.operatorType))
                case is ReLUOperator:
                    step = Step(node: index, name: node.name, operation: .relu(elements: valueSizes[output]),
                                inputs: [id(node.inputs[0])], outputs: [output],
                                transform: transform(channels: channels, affine: nil, clamp: clamp))
                    layers[index] = planned(index, .relu)
                default:
                    step = try referenceStep(index, op: op, affine: affine, clamp: clamp, ids: id,
                                             sampleShapes: sampleShapes, channels: channels)
                    folded = affine != nil
                    layers[index] = planned(index, .reference(node.operatorType))
                }
                steps.append(step)
                var merged = output
                if let batchNorm = chain.batchNorm {
                    layers[batchNorm] = planned(batchNorm, folded ? .folded(into: node.name) : .fused(into: node.name))
                    aliases[id(nodes[batchNorm].outputs[0])] = merged
                    merged = id(nodes[batchNorm].outputs[0])
                }
                if let relu = chain.relu {
                    layers[relu] = planned(relu, .fused(into: node.name))
                    aliases[id(nodes[relu].outputs[0])] = merged
                }
            }

            let inputIDs = graph.inputs.map { id($0.name) }, outputIDs = graph.outputs.map(id)
            let layout = ArenaLayout(graph: graph, valueIDs: valueIDs, producers: producers, valueSizes: valueSizes,
                                     aliases: aliases, inputIDs: inputIDs)
            return Compiled(
                layers: layers.map { $0! }, steps: steps, locations: layout.locations, valueSizes: valueSizes,
                sampleShapes: sampleShapes, valueIDs: valueIDs, inputIDs: inputIDs, outputIDs: outputIDs,
                inputNames: graph.inputs.map(\.name), outputNames: graph.outputs,
                inputShape: sampleShapes[inputIDs[0]], outputShape: sampleShapes[outputIDs[0]], fixedBatchSize: fixedBatchSize,
                arenaSampleElements: layout.sampleElements, unsharedSampleElements: layout.unsharedSampleElements)
        }

        static func aliases(_ op: any Operator) -> Bool {
            ExecutionPlan.aliasingOperatorTypes.contains(op.typeName) && op.weights.isEmpty
        }

        private var consumers: [String: [Int]] { graph.consumers }

        /// The BatchNorm (for Linear and Conv2D) and then activation (ReLU, ReLU6, Clip:
        /// `clamp(of:)`) that only read node `index`'s output (`relu` names the activation).
        func fusionChain(after index: Int, allowBatchNorm: Bool) -> (batchNorm: Int?, relu: Int?) {
            let node = graph.nodes[index]
            guard node.outputs.count == 1 else { return (nil, nil) }
            let consumers = self.consumers
            /// The node reading `value`, when it is the only reader, reads it once, and `value`
            /// is not a graph output.
            func sole(_ value: String) -> Int? {
                guard !graph.outputs.contains(value), let readers = consumers[value], readers.count == 1,
                      graph.nodes[readers[0]].inputs.filter({ $0 == value }).count == 1 else { return nil }
                return readers[0]
            }
            var value = node.outputs[0]
            var batchNorm: Int?
            if allowBatchNorm, let reader = sole(value), resolved.operators[reader] is BatchNormalizationOperator {
                batchNorm = reader
                value = graph.nodes[reader].outputs[0]
            }
            guard let reader = sole(value), Self.clamp(of: resolved.operators[reader]) != nil else { return (batchNorm, nil) }
            return (batchNorm, reader)
        }

        /// The stored tensor of one of the node's declared weights, shape-checked.
        func tensor(_ node: Node, _ declaration: WeightDeclaration) throws -> StoredTensor {
            let name = node.weightName(declaration.name)
            guard let stored = tensors[name] else { throw ExecutionPlanError.missingTensor(node: node.name, name: name) }
            guard stored.value.shape == declaration.shape else {
                throw ExecutionPlanError.tensorShape(node: node.name, name: name, expected: declaration.shape, got: stored.value.shape)
            }
            return stored
        }
    }
}
