import ShrinkNN
import ShrinkTensor

/// Post-training weight-only linear quantization at N bits: each chosen layer's weight is
/// quantized with min-max parameters under its scheme (bits, per channel or per tensor,
/// symmetric or not), replaced by its de-quantized values, and the parameters are recorded.
public struct WeightQuantizationStep: CompressionStep {
    /// The scheme per weight layer (Linear, Conv2D), e.g. `{"default": {"bits": 4, "isPerChannel": true}}`.
    public struct Configuration: Codable, Equatable, Sendable {
        public var layers: PerLayerSettings<QuantizationScheme>

        public init(layers: PerLayerSettings<QuantizationScheme>) {
            self.layers = layers
        }

        /// Throws for any invalid scheme (bits outside 1...16, symmetric 1-bit).
        public func validate() throws(QuantizationError) {
            try QuantizationStepSupport.validate(layers) { (scheme) throws(QuantizationError) in try scheme.validate() }
        }
    }

    public var configuration: Configuration

    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    public var kind: String { "weight-quantization" }

    public func apply(to model: CompressedModel, context: CompressionContext) throws -> CompressionStepReport {
        try configuration.validate()
        let start = ContinuousClock.now
        let quantizer = WeightQuantizer(settings: configuration.layers)
        let plan = quantizer.prepare(model)
        let reports = try quantizer.finalize(plan, in: model)
        let bits = Set(reports.compactMap(\.bits)).sorted().map(String.init).joined(separator: "/")
        let report = CompressionStepReport(
            kind: kind, summary: "weight-only \(bits)-bit linear quantization of \(reports.count) layers",
            layers: reports, accuracyAfter: QuantizationStepSupport.simulatedAccuracy(of: model, context: context),
            seconds: QuantizationStepSupport.seconds(since: start))
        model.stepReports.append(report)
        return report
    }
}

/// The lifecycle of weight quantization: `prepare` resolves which layers get which scheme,
/// `finalize` quantizes them and reports per layer.
public struct WeightQuantizer {
    /// One layer to quantize.
    public struct PlannedLayer {
        public var layer: WeightNode
        public var weight: Parameter
        public var scheme: QuantizationScheme
    }

    public var settings: PerLayerSettings<QuantizationScheme>

    public init(settings: PerLayerSettings<QuantizationScheme>) {
        self.settings = settings
    }

    /// The weight layers and their schemes, in execution order.
    public func prepare(_ model: CompressedModel) -> [PlannedLayer] {
        QuantizationStepSupport.resolve(settings, in: model).map { PlannedLayer(layer: $0.layer, weight: $0.weight, scheme: $0.setting) }
    }

    /// Quantizes every planned weight in place, records its parameters and reports.
    public func finalize(_ plan: [PlannedLayer], in model: CompressedModel) throws(QuantizationError) -> [LayerCompressionReport] {
        var reports = [LayerCompressionReport]()
        for entry in plan {
            let parameters = try QuantizationStepSupport.quantizeWeight(entry.weight, scheme: entry.scheme, in: model)
            reports.append(QuantizationStepSupport.report(layer: entry.layer, weight: entry.weight, parameters: parameters))
        }
        return reports
    }
}
