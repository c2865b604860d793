/// A two-sided confidence interval.
public struct ConfidenceInterval: Codable, Equatable, Sendable {
    /// The lower bound.
    public var lower: Double
    /// The upper bound.
    public var upper: Double
    /// The nominal level asked for (e.g. 0.95).
    public var level: Double
    /// The exact coverage of the interval chosen (for the order-statistics interval of the
    /// median: 1 − 2·P(B ≤ l − 1), B ~ Binomial(n, ½); at least `level`).
    public var coverage: Double
    /// How the interval was computed: `"median_order_statistics"` or `"mean_student_t"`.
    public var method: String

    /// Creates an interval.
    public init(lower: Double, upper: Double, level: Double, coverage: Double, method: String) {
        self.lower = lower
        self.upper = upper
        self.level = level
        self.coverage = coverage
        self.method = method
    }

    /// The larger distance from `center` to a bound (the interval of the median need not be
    /// symmetric, so this is the conservative half-width).
    public func halfWidth(around center: Double) -> Double {
        max(center - lower, upper - center)
    }
}
