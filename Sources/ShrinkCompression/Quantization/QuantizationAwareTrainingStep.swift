import ShrinkNN
import ShrinkTensor
import ShrinkTraining

/// Quantization-aware training: fine-tunes with fake-quantized weights (per channel by default)
/// and activations (u8-style unsigned asymmetric per tensor, moving-average min-max ranges)
/// using the normal `Trainer`, then finalizes: weights are quantized permanently with the
/// parameters of their final float values, activation parameters are recorded in
/// `CompressedModel.activationQuantization`, and the wrappers are dropped (`model.network` is
/// the same plain `Sequential` throughout).
public struct QuantizationAwareTrainingStep: CompressionStep {
    /// What to fake-quantize in one layer.
    public struct LayerSetting: Codable, Equatable, Sendable {
        /// The weight scheme, e.g. 4-bit signed symmetric per channel.
        public var weights: QuantizationScheme
        /// Bits of the layer's input activations (unsigned asymmetric per tensor); nil keeps
        /// activations in float.
        public var activationBits: Int?

        public init(weights: QuantizationScheme, activationBits: Int? = 8) {
            self.weights = weights
            self.activationBits = activationBits
        }

        /// The activation scheme, if any.
        public var activationScheme: QuantizationScheme? { activationBits.map { QuantizationScheme.activations(bits: $0) } }

        public func validate() throws(QuantizationError) {
            try weights.validate()
            try activationScheme?.validate()
        }
    }

    public struct Configuration: Codable, Equatable, Sendable {
        public var layers: PerLayerSettings<LayerSetting>
        /// Fine-tuning epochs with fake quantization (at least 1).
        public var epochs: Int
        /// The base learning rate; nil keeps the context's fine-tuning rate.
        public var learningRate: Float?
        /// The moving-average constant of the activation ranges.
        public var averagingConstant: Float

        public init(layers: PerLayerSettings<LayerSetting>, epochs: Int, learningRate: Float? = nil, averagingConstant: Float = 0.01) {
            self.layers = layers
            self.epochs = epochs
            self.learningRate = learningRate
            self.averagingConstant = averagingConstant
        }

        enum CodingKeys: String, CodingKey {
            case layers, epochs, learningRate, averagingConstant
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            layers = try container.decode(PerLayerSettings<LayerSetting>.self, forKey: .layers)
            epochs = try container.decode(Int.self, forKey: .epochs)
            learningRate = try container.decodeIfPresent(Float.self, forKey: .learningRate)
            averagingConstant = try container.decodeIfPresent(Float.self, forKey: .averagingConstant) ?? 0.01
        }

        public func validate() throws(QuantizationError) {
            try QuantizationStepSupport.validate(layers) { (setting) throws(QuantizationError) in try setting.validate() }
            guard epochs >= 1 else { throw .invalidSetting(name: "epochs", value: "\(epochs)", reason: "must be at least 1") }
            if let learningRate, !(learningRate > 0 && learningRate.isFinite) {
                throw .invalidSetting(name: "learningRate", value: "\(learningRate)", reason: "must be positive and finite")
            }
            guard averagingConstant > 0, averagingConstant <= 1 else {
                throw .invalidSetting(name: "averagingConstant", value: "\(averagingConstant)", reason: "must be in (0, 1]")
            }
        }
    }

    public var configuration: Configuration

    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    public var kind: String { "quantization-aware-training" }

    public func apply(to model: CompressedModel, context: CompressionContext) throws -> CompressionStepReport {
        try configuration.validate()
        let start = ContinuousClock.now
        let session = try QuantizationAwareTraining(model: model, settings: configuration.layers,
                                                     averagingConstant: configuration.averagingConstant)
        var training = context.fineTuning
        training.epochs = configuration.epochs
        if let learningRate = configuration.learningRate { training.baseLearningRate = learningRate }
        context.progress(.phaseStarted(step: kind, phase: "fine-tuning", total: training.epochs))
        let stepKind = kind
        do {
            try context.trainer(constraints: context.constraints(for: model)).train(
                model: session.network, on: context.training,
                validation: context.validation.count > 0 ? context.validation : nil,
                configuration: training
            ) { event in
                if case .epochFinished(let summary) = event { context.progress(.fineTuningEpoch(step: stepKind, summary: summary)) }
            }
        } catch {
            session.restoreFloatWeights()
            throw QuantizationError.trainingFailed(message: error.description)
        }
        let reports = try session.finalize()
        let bits = Set(reports.compactMap(\.bits)).sorted().map(String.init).joined(separator: "/")
        let report = CompressionStepReport(
            kind: kind,
            summary: "QAT \(bits)-bit weights, \(configuration.epochs) epochs at lr \(training.baseLearningRate), \(reports.count) layers",
            layers: reports, accuracyAfter: QuantizationStepSupport.simulatedAccuracy(of: model, context: context),
            seconds: QuantizationStepSupport.seconds(since: start))
        model.stepReports.append(report)
        return report
    }
}

/// The lifecycle of quantization-aware training: `init` (prepare) wraps the chosen nodes'
/// kernels in `FakeQuantizedKernel`s inside `network`; train `network` with any `Trainer`;
/// `finalize` quantizes the weights permanently, records activation parameters and reports.
public final class QuantizationAwareTraining {
    public let model: CompressedModel
    /// The base network with fake-quantizing kernels (sharing its parameters), to be trained.
    public let network: GraphNetwork
    /// The wrappers in execution order.
    public let wrappers: [FakeQuantizedKernel]

    public init(
        model: CompressedModel, settings: PerLayerSettings<QuantizationAwareTrainingStep.LayerSetting>,
        averagingConstant: Float = 0.01
    ) throws(QuantizationError) {
        let plan = QuantizationStepSupport.resolve(settings, in: model)
        var wrappers = [FakeQuantizedKernel]()
        do {
            network = try GraphNetwork(sharingParametersOf: model.network) { node, _, kernel -> (any OperatorKernel)? in
                guard let entry = plan.first(where: { $0.layer.name == node.name }) else { return nil }
                let wrapper = try FakeQuantizedKernel(
                    wrapping: kernel, node: entry.layer, weight: entry.weight, weightScheme: entry.setting.weights,
                    activationScheme: entry.setting.activationScheme, averagingConstant: averagingConstant)
                wrappers.append(wrapper)
                return wrapper
            }
        } catch let error as QuantizationError {
            throw error
        } catch {
            preconditionFailure("unexpected error \(error)")
        }
        self.model = model
        self.wrappers = wrappers
    }

    /// Puts every float weight back (after an interrupted training step).
    public func restoreFloatWeights() {
        for wrapper in wrappers { wrapper.restoreFloatWeights() }
    }

    /// Quantizes every wrapped weight with the parameters of its final float values, records the
    /// tracked activation parameters, and reports per node.
    public func finalize() throws(QuantizationError) -> [LayerCompressionReport] {
        var reports = [LayerCompressionReport]()
        for wrapper in wrappers {
            wrapper.restoreFloatWeights()
            let parameters = try QuantizationStepSupport.quantizeWeight(wrapper.weight, scheme: wrapper.weightScheme, in: model)
            var extra: String?
            if let input = wrapper.activationParameters() {
                model.activationQuantization[wrapper.name] = input
                model.dynamicActivationQuantization[wrapper.name] = nil
                extra = "input \(input.bits)-bit unsigned asymmetric, \(QuantizationStepSupport.scaleSummary(input))"
            }
            reports.append(QuantizationStepSupport.report(layer: wrapper.node, weight: wrapper.weight, parameters: parameters, extra: extra))
        }
        return reports
    }
}
