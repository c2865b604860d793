import ShrinkEncodings
import ShrinkNN
import ShrinkTensor

/// Stores chosen layers' weights (and optionally biases) as IEEE half precision: the values are
/// rounded through binary16 (`HalfPrecision`, round to nearest even, overflow to ±infinity) and
/// `storesFloat16` is set on their states.
public struct Float16Step: CompressionStep {
    /// Per-layer choice for half-precision storage.
    public struct LayerSetting: Codable, Equatable, Sendable {
        /// Whether the bias is stored as half precision too.
        public var includesBias: Bool

        public init(includesBias: Bool = true) {
            self.includesBias = includesBias
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            includesBias = try container.decodeIfPresent(Bool.self, forKey: .includesBias) ?? true
        }
    }

    /// Which weight layers (Linear, Conv2D) are stored in half precision.
    public struct Configuration: Codable, Equatable, Sendable {
        public var layers: PerLayerSettings<LayerSetting>

        public init(layers: PerLayerSettings<LayerSetting> = PerLayerSettings(default: LayerSetting())) {
            self.layers = layers
        }

        enum CodingKeys: String, CodingKey { case layers }

        /// Decodes with every weight layer (bias included) when `layers` is absent, so that
        /// `{}` means "everything in half precision".
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            layers = try container.decodeIfPresent(PerLayerSettings<LayerSetting>.self, forKey: .layers)
                ?? PerLayerSettings(default: LayerSetting())
        }

        /// Every setting is valid; kept for the uniform step contract.
        public func validate() throws(QuantizationError) {}
    }

    public var configuration: Configuration

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    public var kind: String { "float16" }

    /// Rounds `parameter` through half precision in place and marks it.
    public static func roundThroughHalfPrecision(_ parameter: Parameter, in model: CompressedModel) {
        parameter.value.withUnsafeMutableBufferPointer { values in
            for index in 0..<values.count { values[index] = HalfPrecision.rounded(values[index]) }
        }
        var state = model.state(of: parameter.name)
        state.storesFloat16 = true
        model.parameterStates[parameter.name] = state
    }

    public func apply(to model: CompressedModel, context: CompressionContext) throws -> CompressionStepReport {
        try configuration.validate()
        let start = ContinuousClock.now
        var reports = [LayerCompressionReport]()
        for (layer, weight, setting) in QuantizationStepSupport.resolve(configuration.layers, in: model) {
            var converted = [weight]
            if setting.includesBias, let bias = model.bias(of: layer) {
                converted.append(bias)
            }
            for parameter in converted {
                Self.roundThroughHalfPrecision(parameter, in: model)
                let nonZero = parameter.value.withUnsafeBufferPointer { $0.reduce(0) { $0 + ($1 != 0 ? 1 : 0) } }
                reports.append(LayerCompressionReport(
                    parameter: parameter.name, layerType: layer.typeName,
                    elements: parameter.value.count, nonZero: nonZero, bits: 16, note: "IEEE binary16"))
            }
        }
        let report = CompressionStepReport(
            kind: kind, summary: "float16 storage of \(reports.count) tensors", layers: reports,
            accuracyAfter: QuantizationStepSupport.simulatedAccuracy(of: model, context: context),
            seconds: QuantizationStepSupport.seconds(since: start))
        model.stepReports.append(report)
        return report
    }
}
