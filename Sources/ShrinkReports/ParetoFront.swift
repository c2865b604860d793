/// One variant as a point of a two-objective trade-off: accuracy (higher is better) against a
/// cost such as bytes or seconds (lower is better).
public struct ParetoPoint: Equatable, Sendable {
    /// The variant's name.
    public var variant: String
    /// The accuracy, higher is better.
    public var accuracy: Double
    /// The cost, lower is better.
    public var cost: Double

    /// Creates a point.
    public init(variant: String, accuracy: Double, cost: Double) {
        self.variant = variant
        self.accuracy = accuracy
        self.cost = cost
    }

    /// Whether `self` dominates `other`: at least as accurate and at most as costly, and strictly
    /// better in one of the two.
    public func dominates(_ other: ParetoPoint) -> Bool {
        accuracy >= other.accuracy && cost <= other.cost && (accuracy > other.accuracy || cost < other.cost)
    }
}

/// The non-dominated subset of a set of points: those no other point dominates.
///
/// Points with equal accuracy and equal cost do not dominate each other, so exact ties are all
/// on the front. Points with a non-finite accuracy or cost are ignored.
public struct ParetoFront: Equatable, Sendable {
    /// Every finite input point, in input order.
    public var candidates: [ParetoPoint]
    /// The non-dominated points, by ascending cost (then descending accuracy, then name): the
    /// order in which to draw the front as a line.
    public var points: [ParetoPoint]

    /// Computes the front of `points`.
    public init(points: [ParetoPoint]) {
        candidates = points.filter { $0.accuracy.isFinite && $0.cost.isFinite }
        let all = candidates
        self.points = all.filter { point in !all.contains { $0.dominates(point) } }.sorted { left, right in
            if left.cost != right.cost { return left.cost < right.cost }
            if left.accuracy != right.accuracy { return left.accuracy > right.accuracy }
            return left.variant < right.variant
        }
    }

    /// The names of the variants on the front, in front order.
    public var variants: [String] { points.map(\.variant) }

    /// Whether the variant named `variant` is on the front.
    public func contains(_ variant: String) -> Bool {
        points.contains { $0.variant == variant }
    }
}
