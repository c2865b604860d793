import ShrinkNN
import ShrinkTensor

/// int8 dynamic quantization: weights become int8 (signed symmetric, per channel by default);
/// activations are quantized at run time per batch (u8 asymmetric per tensor from each batch's
/// min/max), recorded in `CompressedModel.dynamicActivationQuantization`. Needs no calibration.
public struct Int8DynamicQuantizationStep: CompressionStep {
    public struct Configuration: Codable, Equatable, Sendable {
        /// The weight layers to quantize (all, per channel, by default).
        public var layers: PerLayerSettings<Int8LayerSetting>

        public init(layers: PerLayerSettings<Int8LayerSetting> = PerLayerSettings(default: Int8LayerSetting())) {
            self.layers = layers
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            layers = try container.decodeIfPresent(PerLayerSettings<Int8LayerSetting>.self, forKey: .layers)
                ?? PerLayerSettings(default: Int8LayerSetting())
        }

        /// Every setting is valid; kept for the uniform step contract.
        public func validate() throws(QuantizationError) {}
    }

    public var configuration: Configuration

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    public var kind: String { "int8-dynamic" }

    public func apply(to model: CompressedModel, context: CompressionContext) throws -> CompressionStepReport {
        try configuration.validate()
        let start = ContinuousClock.now
        var reports = [LayerCompressionReport]()
        for (layer, weight, setting) in QuantizationStepSupport.resolve(configuration.layers, in: model) {
            let parameters = try QuantizationStepSupport.quantizeWeight(weight, scheme: setting.weightScheme, in: model)
            model.activationQuantization[layer.name] = nil
            model.dynamicActivationQuantization[layer.name] = Int8LayerSetting.activationScheme
            reports.append(QuantizationStepSupport.report(
                layer: layer, weight: weight, parameters: parameters, extra: "input u8 asymmetric per batch (dynamic)"))
        }
        let report = CompressionStepReport(
            kind: kind, summary: "int8 dynamic: s8 weights, u8 activations per batch, \(reports.count) layers",
            layers: reports, accuracyAfter: QuantizationStepSupport.simulatedAccuracy(of: model, context: context),
            seconds: QuantizationStepSupport.seconds(since: start))
        model.stepReports.append(report)
        return report
    }
}
