import ShrinkData
import ShrinkNN
import ShrinkTensor

/// int8 static quantization: weights become int8 (signed symmetric, per channel by default);
/// then a calibration pass over `calibrationBatches` batches of the training set (a seeded
/// random sample) observes every chosen layer's input with the chosen observer, and the u8
/// asymmetric per-tensor parameters are recorded in `CompressedModel.activationQuantization`.
public struct Int8StaticQuantizationStep: CompressionStep {
    public struct Configuration: Codable, Equatable, Sendable {
        /// The weight layers to quantize (all, per channel, by default).
        public var layers: PerLayerSettings<Int8LayerSetting>
        /// How activation ranges are estimated.
        public var observer: ObserverConfiguration
        /// Batches of the training set seen during calibration.
        public var calibrationBatches: Int
        public var calibrationBatchSize: Int
        /// The seed of the calibration sample (and the observers' reservoirs).
        public var seed: UInt64

        public init(
            layers: PerLayerSettings<Int8LayerSetting> = PerLayerSettings(default: Int8LayerSetting()),
            observer: ObserverConfiguration = .minMax, calibrationBatches: Int = 10, calibrationBatchSize: Int = 100,
            seed: UInt64 = 0
        ) {
            self.layers = layers
            self.observer = observer
            self.calibrationBatches = calibrationBatches
            self.calibrationBatchSize = calibrationBatchSize
            self.seed = seed
        }

        enum CodingKeys: String, CodingKey {
            case layers, observer, calibrationBatches, calibrationBatchSize, seed
        }

        /// Decodes with the defaults above for missing fields.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            layers = try container.decodeIfPresent(PerLayerSettings<Int8LayerSetting>.self, forKey: .layers)
                ?? PerLayerSettings(default: Int8LayerSetting())
            observer = try container.decodeIfPresent(ObserverConfiguration.self, forKey: .observer) ?? .minMax
            calibrationBatches = try container.decodeIfPresent(Int.self, forKey: .calibrationBatches) ?? 10
            calibrationBatchSize = try container.decodeIfPresent(Int.self, forKey: .calibrationBatchSize) ?? 100
            seed = try container.decodeIfPresent(UInt64.self, forKey: .seed) ?? 0
        }

        public func validate() throws(QuantizationError) {
            try observer.validate()
            guard calibrationBatches > 0 else {
                throw .invalidSetting(name: "calibrationBatches", value: "\(calibrationBatches)", reason: "must be positive")
            }
            guard calibrationBatchSize > 0 else {
                throw .invalidSetting(name: "calibrationBatchSize", value: "\(calibrationBatchSize)", reason: "must be positive")
            }
        }
    }

    public var configuration: Configuration

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    public var kind: String { "int8-static" }

    /// The calibration batches: a seeded random sample of the dataset.
    public static func calibrationBatches(from dataset: LabeledDataset, count: Int, size: Int, seed: UInt64) -> [Batch] {
        var order = Array(0..<dataset.count)
        var generator = SeededRandomNumberGenerator(seed: seed)
        order.seededShuffle(using: &generator)
        let used = min(order.count, count * size)
        return stride(from: 0, to: used, by: size).map { start in
            dataset.batch(at: order[start..<min(start + size, used)])
        }
    }

    public func apply(to model: CompressedModel, context: CompressionContext) throws -> CompressionStepReport {
        try configuration.validate()
        guard context.training.count > 0 else { throw QuantizationError.emptyCalibrationSet }
        let start = ContinuousClock.now
        let plan = QuantizationStepSupport.resolve(configuration.layers, in: model)
        var weightParameters = [String: QuantizationParameters]()
        for (_, weight, setting) in plan {
            weightParameters[weight.name] = try QuantizationStepSupport.quantizeWeight(weight, scheme: setting.weightScheme, in: model)
        }

        let calibrator = try ActivationCalibrator(
            network: model.network, layerNames: plan.map(\.layer.name), observer: configuration.observer,
            scheme: Int8LayerSetting.activationScheme, seed: configuration.seed)
        let batches = Self.calibrationBatches(
            from: context.training, count: configuration.calibrationBatches, size: configuration.calibrationBatchSize,
            seed: configuration.seed)
        context.progress(.phaseStarted(step: kind, phase: "calibration", total: batches.count))
        for (index, batch) in batches.enumerated() {
            calibrator.calibrate(batch.inputs)
            context.progress(.phaseAdvanced(step: kind, phase: "calibration", completed: index + 1, detail: configuration.observer.name))
        }
        let ranges = try calibrator.ranges()
        let activationParameters = try calibrator.finalize()

        var reports = [LayerCompressionReport]()
        for (layer, weight, _) in plan {
            let input = activationParameters[layer.name]!
            let range = ranges[layer.name]!
            model.activationQuantization[layer.name] = input
            model.dynamicActivationQuantization[layer.name] = nil
            let extra = "input u8 range [\(QuantizationStepSupport.format(range.minimum)), \(QuantizationStepSupport.format(range.maximum))] \(QuantizationStepSupport.scaleSummary(input))"
            reports.append(QuantizationStepSupport.report(
                layer: layer, weight: weight, parameters: weightParameters[weight.name]!, extra: extra))
        }
        let report = CompressionStepReport(
            kind: kind,
            summary: "int8 static: s8 weights, u8 activations calibrated with \(configuration.observer.name) on \(batches.count) batches of \(configuration.calibrationBatchSize)",
            layers: reports, accuracyAfter: QuantizationStepSupport.simulatedAccuracy(of: model, context: context),
            seconds: QuantizationStepSupport.seconds(since: start))
        model.stepReports.append(report)
        return report
    }
}
