import ShrinkNN

/// Checks shared by the writer and the reader, so that whatever one accepts the other does too.
enum ModelFileValidation {
    /// Names: 1…`maximumNameLength` UTF-8 bytes, no control characters.
    static func validateName(_ name: String, what: String) throws {
        let length = name.utf8.count
        if length == 0 {
            throw ModelFileError.invalidName(what: what, name: name, reason: "empty")
        }
        if length > ModelFileLimits.maximumNameLength {
            throw ModelFileError.invalidName(
                what: what, name: name,
                reason: "\(length) bytes long; the limit is \(ModelFileLimits.maximumNameLength)")
        }
        if containsControlCharacter(name) {
            throw ModelFileError.invalidName(what: what, name: name, reason: "contains a control character")
        }
    }

    /// The element count of a tensor shape after checking rank, signs and the element cap.
    ///
    /// The product of the non-zero dimensions must not exceed `maximumElementCount`; this also
    /// bounds every prefix product, so `Tensor.elementCount(of:)` cannot overflow on the shape.
    static func elementCount(of shape: [Int], tensor: String) throws -> Int {
        if shape.count > ModelFileLimits.maximumRank {
            throw ModelFileError.invalidShape(
                tensor: tensor, shape: shape,
                reason: "rank \(shape.count) exceeds the limit \(ModelFileLimits.maximumRank)")
        }
        var nonZeroProduct = 1
        var hasZero = false
        for dimension in shape {
            if dimension < 0 {
                throw ModelFileError.invalidShape(tensor: tensor, shape: shape, reason: "negative dimension \(dimension)")
            }
            if dimension == 0 {
                hasZero = true
                continue
            }
            let (product, overflow) = nonZeroProduct.multipliedReportingOverflow(by: dimension)
            if overflow || product > ModelFileLimits.maximumElementCount {
                throw ModelFileError.invalidShape(
                    tensor: tensor, shape: shape,
                    reason: "more than \(ModelFileLimits.maximumElementCount) elements")
            }
            nonZeroProduct = product
        }
        return hasZero ? 0 : nonZeroProduct
    }

    /// Names unique and valid, count within the cap, shapes valid.
    static func validateTensorTable(_ tensors: [(name: String, shape: [Int])]) throws {
        if tensors.count > ModelFileLimits.maximumTensorCount {
            throw ModelFileError.tooManyTensors(count: tensors.count, limit: ModelFileLimits.maximumTensorCount)
        }
        var seen = Set<String>()
        for tensor in tensors {
            try validateName(tensor.name, what: "tensor")
            if !seen.insert(tensor.name).inserted {
                throw ModelFileError.duplicateTensorName(tensor.name)
            }
            _ = try elementCount(of: tensor.shape, tensor: tensor.name)
        }
    }

    /// Names, input shape and every layer's hyper-parameters within documented ranges.
    static func validate(_ architecture: ModelArchitecture) throws {
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
        if architecture.layers.count > ModelFileLimits.maximumLayerCount {
            throw ModelFileError.invalidArchitecture(
                "\(architecture.layers.count) layers; the limit is \(ModelFileLimits.maximumLayerCount)")
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

    private static func validate(_ layer: LayerSpecification, layerName: String) throws {
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

    /// Text lengths, control characters, finite numbers and ranges.
    static func validate(_ compression: CompressionSummary) throws {
        try checkText(compression.recipe, "compression.recipe", allowEmpty: false, limit: ModelFileLimits.maximumShortTextLength)
        guard compression.steps.count <= ModelFileLimits.maximumCompressionSteps else {
            throw ModelFileError.invalidMetadata(
                "compression has \(compression.steps.count) steps; the limit is \(ModelFileLimits.maximumCompressionSteps)")
        }
        for (index, step) in compression.steps.enumerated() {
            try checkText(step.kind, "compression.steps[\(index)].kind", allowEmpty: false, limit: ModelFileLimits.maximumShortTextLength)
            try checkText(step.summary, "compression.steps[\(index)].summary", allowEmpty: true, limit: ModelFileLimits.maximumShortTextLength)
            guard step.seconds.isFinite, step.seconds >= 0 else {
                throw ModelFileError.invalidMetadata("compression.steps[\(index)].seconds \(step.seconds) is outside [0, ∞)")
            }
        }
        for (name, value) in [("testAccuracyBefore", compression.testAccuracyBefore), ("testAccuracyAfter", compression.testAccuracyAfter)] {
            if let value, !(value.isFinite && value >= 0 && value <= 1) {
                throw ModelFileError.invalidMetadata("compression.\(name) \(value) is outside [0, 1]")
            }
        }
    }

    static func validate(_ metadata: ModelMetadata) throws {
        try checkText(metadata.producer, "producer", allowEmpty: false, limit: ModelFileLimits.maximumShortTextLength)
        if let createdAt = metadata.createdAt {
            try checkText(createdAt, "createdAt", allowEmpty: false, limit: ModelFileLimits.maximumShortTextLength)
        }
        if let notes = metadata.notes, notes.utf8.count > ModelFileLimits.maximumNotesLength {
            throw ModelFileError.invalidMetadata(
                "notes are \(notes.utf8.count) bytes; the limit is \(ModelFileLimits.maximumNotesLength)")
        }
        if let compression = metadata.compression { try validate(compression) }
        guard let training = metadata.training else { return }
        try checkText(training.dataset, "training.dataset", allowEmpty: false, limit: ModelFileLimits.maximumShortTextLength)
        if let optimizer = training.optimizer {
            try checkText(optimizer, "training.optimizer", allowEmpty: true, limit: ModelFileLimits.maximumShortTextLength)
        }
        if training.epochs < 0 {
            throw ModelFileError.invalidMetadata("training.epochs \(training.epochs) is negative")
        }
        func checkNumber(_ value: Double?, _ field: String, _ valid: (Double) -> Bool, _ range: String) throws {
            if let value, !(value.isFinite && valid(value)) {
                throw ModelFileError.invalidMetadata("\(field) \(value) is outside \(range)")
            }
        }
        try checkNumber(training.finalTrainingLoss, "training.finalTrainingLoss", { _ in true }, "the finite numbers")
        try checkNumber(training.testAccuracy, "training.testAccuracy", { $0 >= 0 && $0 <= 1 }, "[0, 1]")
        try checkNumber(training.trainingSeconds, "training.trainingSeconds", { $0 >= 0 }, "[0, ∞)")
    }

    private static func checkText(_ text: String, _ field: String, allowEmpty: Bool, limit: Int) throws {
        let length = text.utf8.count
        if length == 0 && !allowEmpty {
            throw ModelFileError.invalidMetadata("\(field) is empty")
        }
        if length > limit {
            throw ModelFileError.invalidMetadata("\(field) is \(length) bytes; the limit is \(limit)")
        }
        if containsControlCharacter(text) {
            throw ModelFileError.invalidMetadata("\(field) contains a control character")
        }
    }

    /// Whether `text` has a C0 or C1 control character or DEL.
    static func containsControlCharacter(_ text: String) -> Bool {
        text.unicodeScalars.contains { $0.value < 0x20 || ($0.value >= 0x7F && $0.value < 0xA0) }
    }
}
