import ShrinkTensor

/// Estimates the range to quantize a tensor stream with, from calibration batches.
///
/// Call `observe` with every calibration batch's values, then `range()`.
public protocol Observer {
    /// A short name for reports (`min-max`, `entropy`).
    var name: String { get }
    /// Adds one batch of values. Non-finite values are ignored.
    mutating func observe(_ values: UnsafeBufferPointer<Float>)
    /// The range chosen from everything observed so far.
    /// - Throws: `QuantizationError.noObservations` before any finite value was seen.
    func range() throws(QuantizationError) -> QuantizationRange
}

extension Observer {
    /// Adds every element of `tensor`.
    public mutating func observe(_ tensor: Tensor) {
        tensor.withUnsafeBufferPointer { observe($0) }
    }
}

/// A serializable choice of observer (the `observer` field of static-quantization recipes).
public enum ObserverConfiguration: Codable, Equatable, Sendable {
    /// The exact minimum and maximum of all observed values.
    case minMax
    /// Exponential moving averages of the per-batch minimum and maximum,
    /// `m ← (1 − c)·m + c·batch` (PyTorch's default c = 0.01); the first batch initializes.
    case movingAverageMinMax(averagingConstant: Float)
    /// The `percent` and `100 − percent` percentiles of the observed values (e.g. 99.99).
    case percentile(percent: Double)
    /// TensorRT's entropy calibration: the |x| threshold minimizing the KL divergence between
    /// the 2048-bin histogram and its 2^(bits−1)-level quantization (128 levels at 8 bits).
    case entropy
    /// The clipping range (a fraction of the min-max range, 1 % steps) minimizing the mean
    /// squared quantization error of the observed values.
    case meanSquaredError

    /// Throws for out-of-range hyper-parameters.
    public func validate() throws(QuantizationError) {
        switch self {
        case .minMax, .entropy, .meanSquaredError:
            break
        case .movingAverageMinMax(let constant):
            guard constant > 0, constant <= 1 else {
                throw .invalidSetting(name: "averagingConstant", value: "\(constant)", reason: "must be in (0, 1]")
            }
        case .percentile(let percent):
            guard percent > 50, percent <= 100 else {
                throw .invalidSetting(name: "percent", value: "\(percent)", reason: "must be in (50, 100]")
            }
        }
    }

    /// A fresh observer for data that will be quantized with `scheme` (used by the entropy and
    /// MSE searches). `seed` drives the sample reservoir of the histogram-based observers.
    public func makeObserver(for scheme: QuantizationScheme, seed: UInt64 = 0) -> any Observer {
        switch self {
        case .minMax:
            MinMaxObserver()
        case .movingAverageMinMax(let constant):
            MovingAverageMinMaxObserver(averagingConstant: constant)
        case .percentile(let percent):
            PercentileObserver(percent: percent, seed: seed)
        case .entropy:
            EntropyObserver(bits: scheme.bits, seed: seed)
        case .meanSquaredError:
            MeanSquaredErrorObserver(scheme: scheme, seed: seed)
        }
    }

    /// A short name for reports.
    public var name: String {
        switch self {
        case .minMax: "min-max"
        case .movingAverageMinMax(let constant): "moving-average min-max (c = \(constant))"
        case .percentile(let percent): "percentile \(percent)"
        case .entropy: "entropy (KL)"
        case .meanSquaredError: "MSE"
        }
    }
}

/// The exact minimum and maximum of everything observed.
public struct MinMaxObserver: Observer {
    public private(set) var observed: QuantizationRange?

    public init() {}

    public var name: String { "min-max" }

    public mutating func observe(_ values: UnsafeBufferPointer<Float>) {
        guard let batch = QuantizationRange.finiteExtremes(of: values) else { return }
        if let current = observed {
            observed = QuantizationRange(minimum: min(current.minimum, batch.minimum), maximum: max(current.maximum, batch.maximum))
        } else {
            observed = batch
        }
    }

    public func range() throws(QuantizationError) -> QuantizationRange {
        guard let observed else { throw .noObservations(observer: name) }
        return observed
    }
}

/// Moving averages of the per-batch minimum and maximum (PyTorch `MovingAverageMinMaxObserver`),
/// also the activation-range tracker of quantization-aware training.
public struct MovingAverageMinMaxObserver: Observer {
    /// The weight `c` of each new batch: `m ← (1 − c)·m + c·batch`.
    public var averagingConstant: Float
    public private(set) var observed: QuantizationRange?

    public init(averagingConstant: Float = 0.01) {
        self.averagingConstant = averagingConstant
    }

    public var name: String { "moving-average min-max" }

    public mutating func observe(_ values: UnsafeBufferPointer<Float>) {
        guard let batch = QuantizationRange.finiteExtremes(of: values) else { return }
        guard let current = observed else {
            observed = batch
            return
        }
        let c = averagingConstant
        observed = QuantizationRange(
            minimum: current.minimum + c * (batch.minimum - current.minimum),
            maximum: current.maximum + c * (batch.maximum - current.maximum))
    }

    public func range() throws(QuantizationError) -> QuantizationRange {
        guard let observed else { throw .noObservations(observer: name) }
        return observed
    }
}
