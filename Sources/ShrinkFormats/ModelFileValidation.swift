
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
            if let seconds = step.seconds, !(seconds.isFinite && seconds >= 0) {
                throw ModelFileError.invalidMetadata("compression.steps[\(index)].seconds \(seconds) is outside [0, ∞)")
            }
        }
        for (name, value) in [("testAccuracyBefore", compression.testAccuracyBefore), ("testAccuracyAfter", compression.testAccuracyAfter)] {
            if let value, !(value.isFinite && value >= 0 && value <= 1) {
                throw ModelFileError.invalidMetadata("compression.\(name) \(value) is outside [0, 1]")
            }
        }
    }

    static func validate(_ imported: ImportSummary) throws {
        let limit = ModelFileLimits.maximumShortTextLength
        try checkText(imported.source, "imported.source", allowEmpty: false, limit: limit)
        try checkText(imported.format, "imported.format", allowEmpty: false, limit: limit)
        guard imported.sourceSHA256.count == 64, imported.sourceSHA256.allSatisfy({ $0.isHexDigit && !$0.isUppercase }) else {
            throw ModelFileError.invalidMetadata("imported.source_sha256 is not 64 lowercase hex digits")
        }
        if let producer = imported.producer { try checkText(producer, "imported.producer", allowEmpty: true, limit: limit) }
        guard let preprocessing = imported.preprocessing else { return }
        for (name, values) in [("mean", preprocessing.mean), ("standard_deviation", preprocessing.standardDeviation)] {
            guard values.count <= 4096, values.allSatisfy(\.isFinite) else {
                throw ModelFileError.invalidMetadata("imported.preprocessing.\(name) has more than 4096 values or a non-finite one")
            }
        }
        guard preprocessing.scale.isFinite, preprocessing.standardDeviation.allSatisfy({ $0 != 0 }) else {
            throw ModelFileError.invalidMetadata("imported.preprocessing has a non-finite scale or a zero standard deviation")
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
        if let imported = metadata.imported { try validate(imported) }
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
