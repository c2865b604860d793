import ShrinkData
import ShrinkNN
import ShrinkTensor
import ShrinkTraining

/// The lifecycle of weight sharing on one model:
/// `prepare` (choose layers and bits) → `cluster` (k-means, weights set to their centroids) →
/// optionally `fineTune` (or drive a `Trainer` with `constraint` yourself) → `finalize`
/// (palettes recorded in `parameterStates`) → `report`.
///
/// Pruned weights (a mask in `parameterStates`) are kept out of the clusters and stay exactly
/// zero; their palette reserves index 0 for them (see `SharedWeights`).
public final class WeightClusterer {
    /// One parameter to cluster.
    public struct Target {
        public let parameter: Parameter
        public let layerName: String
        /// `linear` or `conv2d`.
        public let layerType: String
        public let bits: Int
        /// The pruning mask, if the parameter was pruned.
        public let mask: Tensor?
    }

    public let configuration: WeightClusteringConfiguration
    /// The parameters `prepare` selected, in layer order.
    public private(set) var targets: [Target] = []
    /// The constraint that keeps weights shared during fine-tuning; set by `cluster`. Its
    /// `sharedWeights` hold the current palettes.
    public private(set) var constraint: SharedWeightConstraint?
    private var notes: [String: String] = [:]

    /// - Throws: `WeightClusteringError` when the configuration is invalid.
    public init(configuration: WeightClusteringConfiguration) throws(WeightClusteringError) {
        try configuration.validate()
        self.configuration = configuration
    }

    /// Selects the weight layers whose bits resolve, checks their masks, and forgets palettes
    /// and quantizations of those parameters from earlier steps (clustering replaces them).
    public func prepare(model: CompressedModel) throws(WeightClusteringError) {
        targets = []
        notes = [:]
        constraint = nil
        for (layer, weight) in model.weightLayers {
            let layerType = layer.typeName
            guard let setting = configuration.bits.resolve(layerName: layer.name, layerType: layerType) else { continue }
            let mask = model.parameterStates[weight.name]?.mask
            if let mask, mask.shape != weight.value.shape {
                throw .maskShapeMismatch(parameter: weight.name, mask: mask.shape, value: weight.value.shape)
            }
            targets.append(Target(parameter: weight, layerName: layer.name, layerType: layerType, bits: setting.bits, mask: mask))
        }
        guard !targets.isEmpty else { throw .noLayersSelected(available: model.weightLayers.map(\.layer.name)) }
        for target in targets where model.parameterStates[target.parameter.name] != nil {
            model.parameterStates[target.parameter.name]?.palette = nil
            model.parameterStates[target.parameter.name]?.quantization = nil
            model.parameterStates[target.parameter.name]?.codes = nil
        }
    }

    /// Runs k-means on every target and sets its weights to their centroids; `progress` gets
    /// the number of finished layers and a short status after each.
    public func cluster(progress: (Int, String) -> Void = { _, _ in }) throws(WeightClusteringError) {
        var shared = [SharedWeights]()
        for (position, target) in targets.enumerated() {
            var generator = SeededRandomNumberGenerator(
                seed: configuration.seed ^ (UInt64(position + 1) &* 0x9E37_79B9_7F4A_7C15))
            let (weights, note) = try clusterOne(target, generator: &generator)
            weights.writeValues(into: &target.parameter.value)
            shared.append(weights)
            notes[target.parameter.name] = note
            progress(position + 1, "\(target.parameter.name): \(note)")
        }
        constraint = SharedWeightConstraint(sharedWeights: shared)
    }

    /// Fine-tunes the centroids on `context.training` with SGD (the configuration's epochs,
    /// learning rate and momentum, no weight decay; batch size, schedule and seed from
    /// `context.fineTuning`), keeping `context.constraints(for:)` (pruning masks) as well.
    /// All other trainable parameters (biases, layers not clustered) train along.
    public func fineTune(
        model: CompressedModel, context: CompressionContext, observer: (TrainingEvent) -> Void = { _ in }
    ) throws(WeightClusteringError) {
        guard let constraint else { preconditionFailure("fineTune before cluster") }
        guard let fineTuning = configuration.fineTuning, fineTuning.epochs > 0 else { return }
        var training = context.fineTuning
        training.epochs = fineTuning.epochs
        training.baseLearningRate = fineTuning.learningRate
        training.optimizer = .sgd(momentum: fineTuning.momentum, weightDecay: 0, nesterov: false)
        let trainer = context.trainer(constraints: context.constraints(for: model) + [constraint])
        do {
            try trainer.train(
                model: model.network, on: context.training,
                validation: context.validation.count > 0 ? context.validation : nil,
                configuration: training, observer: observer)
        } catch {
            throw .fineTuningFailed(reason: error.description)
        }
    }

    /// Records every target's palette in `parameterStates` and makes sure the weights equal it.
    public func finalize(model: CompressedModel) {
        guard let constraint else { preconditionFailure("finalize before cluster") }
        for target in targets {
            let shared = constraint.sharedWeights[target.parameter.name]!
            shared.writeValues(into: &target.parameter.value)
            var state = model.state(of: target.parameter.name)
            state.palette = shared.palette
            model.parameterStates[target.parameter.name] = state
        }
    }

    /// One entry per clustered parameter: bits, clusters used (the reserved zero not counted),
    /// non-zero weights, and the k-means outcome.
    public func report() -> [LayerCompressionReport] {
        targets.map { target in
            let shared = constraint?.sharedWeights[target.parameter.name]
            let value = target.parameter.value
            let nonZero = value.withUnsafeBufferPointer { $0.reduce(0) { $0 + ($1 != 0 ? 1 : 0) } }
            let clusters = shared.map { $0.palette.centroids.count - $0.firstTrainableCentroid }
            return LayerCompressionReport(
                parameter: target.parameter.name, layerType: target.layerType, elements: value.count,
                nonZero: nonZero, bits: target.bits, clusters: clusters, note: notes[target.parameter.name])
        }
    }

    /// k-means on one target's kept weights.
    private func clusterOne(
        _ target: Target, generator: inout SeededRandomNumberGenerator
    ) throws(WeightClusteringError) -> (SharedWeights, String) {
        let name = target.parameter.name
        let values = target.parameter.value.scalars
        let reservesZero = target.mask != nil
        // Positions of the kept weights, sorted by value.
        var kept = [Int32]()
        kept.reserveCapacity(values.count)
        var finite = true
        values.withUnsafeBufferPointer { values in
            let keep: (Int) -> Bool
            if let mask = target.mask {
                keep = { mask.scalars[$0] != 0 }
            } else {
                keep = { _ in true }
            }
            for index in 0..<values.count where keep(index) {
                if !values[index].isFinite { finite = false }
                kept.append(Int32(index))
            }
        }
        guard finite else { throw .nonFiniteWeight(parameter: name) }
        var indices = [UInt16](repeating: 0, count: values.count)
        guard !kept.isEmpty else {
            let palette = Palette(bits: target.bits, centroids: [0], indices: indices)
            return (SharedWeights(parameterName: name, palette: palette, reservesZero: true), "all weights pruned")
        }
        values.withUnsafeBufferPointer { values in
            kept.sort { values[Int($0)] < values[Int($1)] }
        }
        let sortedValues = kept.map { values[Int($0)] }
        let learned = (1 << target.bits) - (reservesZero ? 1 : 0)
        let initial = ScalarKMeans.initialCentroids(
            sortedValues: sortedValues, count: learned, method: configuration.initialization, generator: &generator)
        let result = ScalarKMeans.fit(
            sortedValues: sortedValues, initialCentroids: initial, maximumIterations: configuration.maximumIterations)
        let offset = reservesZero ? 1 : 0
        kept.withUnsafeBufferPointer { kept in
            indices.withUnsafeMutableBufferPointer { indices in
                for cluster in 0..<result.centroids.count {
                    let code = UInt16(cluster + offset)
                    for position in result.boundaries[cluster]..<result.boundaries[cluster + 1] {
                        indices[Int(kept[position])] = code
                    }
                }
            }
        }
        let centroids = (reservesZero ? [0] : []) + result.centroids
        let palette = Palette(bits: target.bits, centroids: centroids, indices: indices)
        var note = "\(configuration.initialization.rawValue) init, \(result.iterations) iterations"
        note += result.converged ? " (converged)" : " (limit)"
        if reservesZero { note += ", index 0 = pruned zero" }
        return (SharedWeights(parameterName: name, palette: palette, reservesZero: reservesZero), note)
    }
}
