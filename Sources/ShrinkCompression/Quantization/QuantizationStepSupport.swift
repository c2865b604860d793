import ShrinkData
import ShrinkNN
import ShrinkTensor
import ShrinkTraining

/// Shared pieces of the quantization steps.
enum QuantizationStepSupport {
    /// The weight layers of `model` with their resolved setting (skipped layers left out).
    static func resolve<Setting>(
        _ settings: PerLayerSettings<Setting>, in model: CompressedModel
    ) -> [(layer: WeightNode, weight: Parameter, setting: Setting)] {
        model.weightLayers.compactMap { entry in
            settings.resolve(layerName: entry.layer.name, layerType: entry.layer.typeName)
                .map { (entry.layer, entry.weight, $0) }
        }
    }

    /// Quantizes `weight` in place with min-max parameters under `scheme` (its values become the
    /// de-quantized values) and records the parameters in the model.
    @discardableResult
    static func quantizeWeight(
        _ weight: Parameter, scheme: QuantizationScheme, in model: CompressedModel
    ) throws(QuantizationError) -> QuantizationParameters {
        let parameters = try AffineQuantization.parameters(minMaxOf: weight.value, scheme: scheme)
        let codes = AffineQuantization.quantize(weight.value, with: parameters)
        weight.value = AffineQuantization.dequantize(codes, shape: weight.value.shape, with: parameters)
        var state = model.state(of: weight.name)
        state.quantization = parameters
        state.codes = codes
        state.storesFloat16 = false
        model.parameterStates[weight.name] = state
        return parameters
    }

    /// The per-layer report of a quantized weight: bits, scheme and scale range in the note.
    static func report(
        layer: WeightNode, weight: Parameter, parameters: QuantizationParameters, extra: String? = nil
    ) -> LayerCompressionReport {
        let nonZero = weight.value.withUnsafeBufferPointer { values in values.reduce(0) { $0 + ($1 != 0 ? 1 : 0) } }
        let scheme = QuantizationScheme(
            bits: parameters.bits, isSigned: parameters.isSigned, isSymmetric: parameters.isSymmetric,
            isPerChannel: parameters.axis != nil)
        var note = "\(scheme.summary), \(scaleSummary(parameters))"
        if let extra { note += "; \(extra)" }
        return LayerCompressionReport(
            parameter: weight.name, layerType: layer.typeName, elements: weight.value.count,
            nonZero: nonZero, bits: parameters.bits, note: note)
    }

    /// "scale 0.0123" or "scales 0.001…0.004".
    static func scaleSummary(_ parameters: QuantizationParameters) -> String {
        let low = parameters.scales.min() ?? 0, high = parameters.scales.max() ?? 0
        if parameters.scales.count == 1 { return "scale \(format(low)), zero point \(parameters.zeroPoints[0])" }
        return "scales \(format(low))…\(format(high))"
    }

    /// A scale in 4 significant digits.
    static func format(_ value: Float) -> String {
        let magnitude = abs(value)
        if magnitude == 0 { return "0" }
        var exponent = 0
        var mantissa = Double(magnitude)
        while mantissa >= 10 { mantissa /= 10; exponent += 1 }
        while mantissa < 1 { mantissa *= 10; exponent -= 1 }
        let rounded = (mantissa * 1000).rounded() / 1000
        return "\(value < 0 ? "-" : "")\(rounded)e\(exponent)"
    }

    /// Top-1 accuracy of the model's simulated quantized network on the validation set (nil for
    /// an empty validation set): a guide for the step report; the figure Shrink reports for the
    /// compressed model comes from the written file run by the runtime.
    static func simulatedAccuracy(of model: CompressedModel, context: CompressionContext) -> Double? {
        guard context.validation.count > 0 else { return nil }
        return Evaluator.evaluate(model: QuantizedSimulationNetwork.make(model: model), on: context.validation).top1Accuracy
    }

    /// Seconds elapsed since `start`.
    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let (seconds, attoseconds) = (ContinuousClock.now - start).components
        return Double(seconds) + Double(attoseconds) * 1e-18
    }

    /// Throws unless every scheme `settings` can resolve to is valid.
    static func validate<Setting>(
        _ settings: PerLayerSettings<Setting>, _ check: (Setting) throws(QuantizationError) -> Void
    ) throws(QuantizationError) {
        if let setting = settings.default { try check(setting) }
        for override in settings.layerTypes { try check(override.setting) }
        for override in settings.layers { try check(override.setting) }
    }
}
