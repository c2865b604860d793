import ShrinkBenchmarking
import ShrinkCompression
import ShrinkData
import ShrinkFormats
import ShrinkNN
import ShrinkTensor
import ShrinkTraining

/// Per-layer sensitivity (`shrink sensitivity`): each weight layer on its own is pruned,
/// quantized or clustered at every setting of the configuration, with no retraining; each such
/// model is written as a model file, read back, and run by the runtime on the test set. A point's
/// accuracy is therefore the accuracy of a file that could ship, as everywhere in Shrink.
///
/// Lifecycle: `prepare` reads the model's weight layers and the baseline; `evaluate(point:)`
/// measures one point; `run` does all of them in order with progress.
public struct SensitivityAnalysis {
    /// What to sweep.
    public var configuration: SensitivityConfiguration
    /// Threads the runtime uses to classify the test set.
    public var threads: Int

    /// One point to measure: a layer, a technique and its setting.
    public struct Task: Equatable, Sendable {
        public var layer: String
        public var technique: SensitivityTechnique
        public var setting: Double

        public init(layer: String, technique: SensitivityTechnique, setting: Double) {
            self.layer = layer
            self.technique = technique
            self.setting = setting
        }
    }

    /// Progress of a run: the number of points, then each point as it is measured.
    public enum Progress: Sendable {
        case started(points: Int, layers: Int, baselineTop1: Double)
        case evaluated(index: Int, of: Int, point: SensitivityPoint)
    }

    public init(configuration: SensitivityConfiguration = SensitivityConfiguration(), threads: Int = 1) {
        self.configuration = configuration
        self.threads = threads
    }

    /// The weight layers of `file` (Linear, convolution: nodes with a weight matrix), in execution order.
    public static func weightLayers(of file: ModelFile) throws -> [SensitivityLayer] {
        let model = CompressedModel(network: try GraphNetwork(file: file))
        var seen = Set<String>()
        return model.weightLayers.compactMap { entry in
            guard seen.insert(entry.layer.name).inserted else { return nil }
            return SensitivityLayer(name: entry.layer.name, operatorType: entry.layer.typeName,
                                    weightCount: entry.weight.value.scalars.count)
        }
    }

    /// Per weight layer whose output units structured pruning can remove, the layers whose
    /// units go with them (itself, or every producer tied to it by a residual add), in graph
    /// order. Layers whose channels reach a graph output (the final classifier) are absent.
    public static func unitGroups(of file: ModelFile) throws -> [String: [String]] {
        let network = try GraphNetwork(file: file)
        var groups = [String: [String]]()
        for group in ChannelGroups.find(in: network.resolved) where group.isPrunable {
            let producers = group.producers.map(\.node)
            for producer in producers { groups[producer] = producers }
        }
        return groups
    }

    /// Every point of the sweep, in report order: layer, then technique, then setting.
    /// Structured pruning is swept only for layers in `unitGroups` (nil: for every layer).
    public func tasks(layers: [SensitivityLayer], unitGroups: [String: [String]]? = nil) -> [Task] {
        layers.flatMap { layer in
            configuration.techniques.flatMap { technique -> [Task] in
                if technique == .structuredPruning, let unitGroups, unitGroups[layer.name] == nil { return [] }
                return configuration.settings(for: technique).map { Task(layer: layer.name, technique: technique, setting: $0) }
            }
        }
    }

    /// Measures every point of the sweep on `testSet`.
    /// - Throws: `SensitivityError` for a bad configuration, a model without weight layers or an
    ///   empty test set; errors of the compression steps, the writer and the runtime.
    public func run(file: ModelFile, testSet: LabeledDataset,
                    progress: (Progress) -> Void = { _ in }) throws -> SensitivityReport {
        try configuration.validate()
        guard testSet.count > 0 else { throw SensitivityError.noTestData }
        let layers = try Self.weightLayers(of: file)
        guard !layers.isEmpty else { throw SensitivityError.noWeightLayers }
        for layer in layers {
            let others = layers.filter { $0.name != layer.name && NamePattern(layer.name).matches($0.name) }
            if !others.isEmpty { throw SensitivityError.ambiguousLayerName(layer.name, alsoMatches: others.map(\.name)) }
        }
        let baselineBytes = try file.encoded().count
        let baseline = try PlanEvaluation.evaluate(file: file, testSet: testSet, batchSize: 1000, threads: threads)!
        let unitGroups = try Self.unitGroups(of: file)
        let tasks = tasks(layers: layers, unitGroups: unitGroups)
        progress(.started(points: tasks.count, layers: layers.count, baselineTop1: baseline.accuracy.top1))
        var points = [SensitivityPoint]()
        for (index, task) in tasks.enumerated() {
            let point = try evaluate(task, file: file, testSet: testSet, unitGroups: unitGroups)
            points.append(point)
            progress(.evaluated(index: index + 1, of: tasks.count, point: point))
        }
        return SensitivityReport(
            model: file.graph.name, samples: testSet.count, baselineTop1: baseline.accuracy.top1,
            baselineTop5: baseline.accuracy.top5, baselineFileBytes: baselineBytes, layers: layers,
            configuration: configuration, points: points)
    }

    /// One point: the layer compressed alone from the original weights, written, read back and
    /// run. Structured pruning removes the units of the layer's whole group (`unitGroups`).
    public func evaluate(_ task: Task, file: ModelFile, testSet: LabeledDataset,
                         unitGroups: [String: [String]] = [:]) throws -> SensitivityPoint {
        let (written, bytes) = try Self.compressedFile(task, file: file, unitGroup: unitGroups[task.layer] ?? [task.layer])
        let result = try PlanEvaluation.evaluate(file: written, testSet: testSet, batchSize: 1000, threads: threads)!
        return SensitivityPoint(layer: task.layer, technique: task.technique, setting: task.setting,
                                top1: result.accuracy.top1, top5: result.accuracy.top5, meanLoss: result.meanLoss,
                                fileBytes: bytes)
    }

    /// The model file of one point as it is written (encoded, then decoded from those bytes), and
    /// its size in bytes. `unitGroup`: the layers structured pruning selects (see `unitGroups`).
    public static func compressedFile(_ task: Task, file: ModelFile, unitGroup: [String]? = nil) throws -> (file: ModelFile, bytes: Int) {
        let model = CompressedModel(network: try GraphNetwork(file: file))
        // No data for the steps: nothing is retrained, and the point's accuracy is measured on the
        // written file rather than on a step's in-memory simulation.
        let none = LabeledDataset(inputs: Tensor(shape: [0, 1], scalars: []), labels: [], classCount: 1)
        let context = CompressionContext(
            training: none, validation: none,
            fineTuning: TrainingConfiguration(epochs: 0, batchSize: 1, optimizer: .sgd(momentum: 0, weightDecay: 0, nesterov: false),
                                              baseLearningRate: 0, seed: 0))
        _ = try step(for: task, unitGroup: unitGroup ?? [task.layer]).apply(to: model, context: context)
        let bytes = try model.modelFile().encoded()
        return (try ModelFile.decode(bytes), bytes.count)
    }

    /// The compression step of a point: only `task.layer` (for structured pruning, the layers of
    /// `unitGroup`) resolves to a setting.
    static func step(for task: Task, unitGroup: [String]) throws -> any CompressionStep {
        let pattern = NamePattern(task.layer)
        switch task.technique {
        case .pruning:
            return try MagnitudePruningStep(configuration: MagnitudePruningConfiguration(
                method: .layerSparsity,
                layers: PerLayerSettings(default: nil, layers: [.init(pattern: pattern, setting: task.setting)]),
                schedule: .oneShot, fineTuneEpochs: 0))
        case .structuredPruning:
            return try StructuredPruningStep(configuration: StructuredPruningConfiguration(
                layers: PerLayerSettings(default: nil, layers: unitGroup.map { .init(pattern: NamePattern($0), setting: task.setting) }),
                fineTuneEpochs: 0))
        case .quantization:
            return WeightQuantizationStep(configuration: WeightQuantizationStep.Configuration(
                layers: PerLayerSettings(default: nil, layers: [.init(pattern: pattern, setting: .weights(bits: Int(task.setting)))])))
        case .clustering:
            return WeightClusteringStep(configuration: WeightClusteringConfiguration(
                bits: PerLayerSettings(default: nil, layers: [.init(pattern: pattern, setting: .init(bits: Int(task.setting)))]),
                initialization: .linear, fineTuning: nil))
        }
    }
}
