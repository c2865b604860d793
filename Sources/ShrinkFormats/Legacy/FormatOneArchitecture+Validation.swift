extension ModelFileValidation {
    /// A format 1.x architecture: names, input shape and every layer's hyper-parameters within
    /// documented ranges.
    static func validateFormatOne(_ architecture: FormatOneArchitecture) throws {
        try validateName(architecture.name, what: "architecture")
        let inputShape = architecture.inputShape
        if inputShape.isEmpty || inputShape.count > ModelFileLimits.maximumRank
            || inputShape.contains(where: { $0 < 1 })
        {
            throw ModelFileError.invalidArchitecture(
                "input shape \(inputShape) must have 1...\(ModelFileLimits.maximumRank) positive dimensions")
        }
        do {
            _ = try elementCount(of: inputShape, tensor: "input")
        } catch {
            throw ModelFileError.invalidArchitecture(
                "input shape \(inputShape) has more than \(ModelFileLimits.maximumElementCount) elements")
        }
        if architecture.layers.count > ModelFileLimits.maximumNodeCount {
            throw ModelFileError.invalidArchitecture(
                "\(architecture.layers.count) layers; the limit is \(ModelFileLimits.maximumNodeCount)")
        }
        var seen = Set<String>()
        for named in architecture.layers {
            try validateName(named.name, what: "layer")
            if !seen.insert(named.name).inserted {
                throw ModelFileError.invalidArchitecture("two layers are named \(quoted(named.name))")
            }
            try validate(named.layer, layerName: named.name)
        }
    }

    private static func validate(_ layer: FormatOneLayer, layerName: String) throws {
        let limit = ModelFileLimits.maximumHyperParameter
        func check(_ value: Int, _ field: String, minimum: Int = 1) throws {
            if value < minimum || value > limit {
                throw ModelFileError.invalidArchitecture(
                    "layer \(quoted(layerName)) (\(layer.typeName)): \(field) \(value) is outside \(minimum)...\(limit)")
            }
        }
        func check(_ value: Float, _ field: String, _ valid: Bool, _ range: String) throws {
            if !(value.isFinite && valid) {
                throw ModelFileError.invalidArchitecture(
                    "layer \(quoted(layerName)) (\(layer.typeName)): \(field) \(value) is outside \(range)")
            }
        }
        switch layer {
        case .linear(let inputFeatures, let outputFeatures, _):
            try check(inputFeatures, "inputFeatures")
            try check(outputFeatures, "outputFeatures")
        case .convolution2D(let inputChannels, let outputChannels, let kernelSize, let stride, let padding, _):
            try check(inputChannels, "inputChannels")
            try check(outputChannels, "outputChannels")
            try check(kernelSize, "kernelSize")
            try check(stride, "stride")
            try check(padding, "padding", minimum: 0)
        case .maxPool2D(let kernelSize, let stride), .averagePool2D(let kernelSize, let stride):
            try check(kernelSize, "kernelSize")
            try check(stride, "stride")
        case .relu, .flatten:
            break
        case .sequential(let layers):
            // Nesting depth is bounded by the strict JSON scanner; names stay unique model-wide
            // (checked when the model is built).
            for named in layers { try validate(named.layer, layerName: named.name) }
        case .dropout(let rate):
            try check(rate, "rate", rate >= 0 && rate < 1, "[0, 1)")
        case .batchNormalization2D(let channels, let epsilon, let momentum):
            try check(channels, "channels")
            try check(epsilon, "epsilon", epsilon > 0, "(0, ∞)")
            try check(momentum, "momentum", momentum >= 0 && momentum <= 1, "[0, 1]")
        }
    }
}
