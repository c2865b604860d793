/// What one candidate's written file measured.
public struct TuningMeasurement: Codable, Equatable, Sendable {
    /// Bytes of the model file.
    public var fileBytes: Int
    /// Top-1 of the file run by the runtime on the validation split.
    public var validationAccuracy: Double
    /// Median seconds of one batch at the constraints' batch size, when latency was asked for.
    public var latencySeconds: Double?
    /// Seconds the recipe took (pruning, fine-tuning, clustering), for the budget.
    public var compressionSeconds: Double
    /// Modelled joules of one sample through the written file's plan (the energy model
    /// `shrink bench` reports, Horowitz 45 nm table), nil in evaluations recorded before it.
    public var modelledJoules: Double?

    public init(fileBytes: Int, validationAccuracy: Double, latencySeconds: Double?, compressionSeconds: Double,
                modelledJoules: Double? = nil) {
        self.fileBytes = fileBytes
        self.validationAccuracy = validationAccuracy
        self.latencySeconds = latencySeconds
        self.compressionSeconds = compressionSeconds
        self.modelledJoules = modelledJoules
    }

    enum CodingKeys: String, CodingKey {
        case fileBytes = "file_bytes", validationAccuracy = "validation_top1_accuracy", latencySeconds = "latency_seconds",
             compressionSeconds = "compression_seconds", modelledJoules = "modelled_joules"
    }
}

/// An evaluated candidate, as the journal stores it (one JSON object per line).
public struct TuningEvaluation: Codable, Equatable, Sendable {
    public var candidate: TuningCandidate
    public var measurement: TuningMeasurement

    public init(candidate: TuningCandidate, measurement: TuningMeasurement) {
        self.candidate = candidate
        self.measurement = measurement
    }

    public var signature: String { candidate.signature }

    enum CodingKeys: String, CodingKey {
        case candidate, measurement, signature
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        candidate = try container.decode(TuningCandidate.self, forKey: .candidate)
        measurement = try container.decode(TuningMeasurement.self, forKey: .measurement)
    }

    /// The candidate, its measurement and (for readers of the JSON) its signature.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(candidate, forKey: .candidate)
        try container.encode(measurement, forKey: .measurement)
        try container.encode(signature, forKey: .signature)
    }
}
