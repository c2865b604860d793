import Foundation

/// What the user asks of the tuned model. Accuracy is checked on the validation split; size is
/// the written file's bytes; latency is the median time of one batch run by the runtime.
public struct TuningConstraints: Codable, Equatable, Sendable {
    /// The most top-1 accuracy may fall below the baseline's, as a fraction (0.001 = 0.1 point).
    public var maximumAccuracyDrop: Double
    /// The largest file, in bytes.
    public var maximumBytes: Int?
    /// The slowest median batch, in seconds, at `batchSize`.
    public var maximumLatencySeconds: Double?
    /// The batch size latency is measured at.
    public var batchSize: Int

    public init(maximumAccuracyDrop: Double, maximumBytes: Int? = nil, maximumLatencySeconds: Double? = nil, batchSize: Int = 1) {
        self.maximumAccuracyDrop = maximumAccuracyDrop
        self.maximumBytes = maximumBytes
        self.maximumLatencySeconds = maximumLatencySeconds
        self.batchSize = batchSize
    }

    enum CodingKeys: String, CodingKey {
        case maximumAccuracyDrop = "maximum_accuracy_drop", maximumBytes = "maximum_bytes",
             maximumLatencySeconds = "maximum_latency_seconds", batchSize = "batch_size"
    }

    /// Each constraint a measurement breaks, with how far over it is (a fraction of the limit;
    /// for accuracy, of the allowed drop plus one point so a zero drop still compares).
    public func violations(of measurement: TuningMeasurement, baselineAccuracy: Double) -> [TuningViolation] {
        var found = [TuningViolation]()
        let drop = baselineAccuracy - measurement.validationAccuracy
        if drop > maximumAccuracyDrop + 1e-12 {
            found.append(TuningViolation(constraint: .accuracy, excess: (drop - maximumAccuracyDrop) / (maximumAccuracyDrop + 0.01)))
        }
        if let maximumBytes, measurement.fileBytes > maximumBytes {
            found.append(TuningViolation(constraint: .size, excess: Double(measurement.fileBytes - maximumBytes) / Double(maximumBytes)))
        }
        if let maximumLatencySeconds, let latency = measurement.latencySeconds, latency > maximumLatencySeconds {
            found.append(TuningViolation(constraint: .latency, excess: (latency - maximumLatencySeconds) / maximumLatencySeconds))
        }
        return found
    }
}

/// What the search minimizes among candidates that meet the constraints.
public enum TuningObjective: String, Codable, CaseIterable, Sendable {
    /// The written file's bytes.
    case size
    /// The median batch latency at the constraints' batch size.
    case latency
    /// The modelled energy of one sample (operations and memory traffic of the file's plan).
    case energy

    /// What this objective minimizes in `measurement` (infinity when it was not measured).
    public func value(of measurement: TuningMeasurement) -> Double {
        switch self {
        case .size: Double(measurement.fileBytes)
        case .latency: measurement.latencySeconds ?? .infinity
        case .energy: measurement.modelledJoules ?? .infinity
        }
    }

    /// `14932 B`, `2.4 µs`, `31.0 µJ`: the value for people.
    public func formatted(_ value: Double) -> String {
        guard value.isFinite else { return "n/a" }
        return switch self {
        case .size: "\(Int(value)) B"
        case .latency: TuningResult.milliseconds(value)
        case .energy: String(format: "%.1f µJ", value * 1e6)
        }
    }
}

/// A constraint a candidate breaks.
public struct TuningViolation: Codable, Equatable, Sendable {
    public enum Constraint: String, Codable, Sendable { case accuracy, size, latency }
    public var constraint: Constraint
    /// How far past the limit, relative to it.
    public var excess: Double
}
