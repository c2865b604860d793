/// The outcome of a tuning run.
public struct TuningResult: Sendable {
    /// Why the search stopped.
    public enum Stop: Equatable, Sendable {
        /// It evaluated as many candidates as allowed.
        case evaluationBudget
        /// Its minutes ran out.
        case timeBudget
        /// No parent had a child that was not evaluated before.
        case searchExhausted
        /// A shard evaluated its share of `generation`; the other shards' share is not in its
        /// database yet (merge the shards' databases and run the next round).
        case waitingForShards(generation: Int)
    }

    /// A candidate that breaks constraints, with what it breaks.
    public struct Miss: Sendable {
        public var evaluation: TuningEvaluation
        public var violations: [TuningViolation]
        var totalExcess: Double { violations.map(\.excess).reduce(0, +) }
    }

    public var model: String
    public var baselineValidationAccuracy: Double
    public var baselineFileBytes: Int
    public var constraints: TuningConstraints
    public var objective: TuningObjective
    /// In the order they were evaluated.
    public var evaluations: [TuningEvaluation]
    /// The candidates no other beats on size, latency (when measured) and accuracy at once, by size.
    public var front: [TuningEvaluation]
    /// The best candidate that meets every constraint, if one does.
    public var chosen: TuningEvaluation?
    /// The chosen candidate's written file, when this process measured it (nil when an earlier
    /// run or another shard did: its recipe then writes the same file again).
    public var chosenFile: [UInt8]?
    /// When none does: the three closest, with the constraints they break.
    public var closest: [Miss]
    /// The per-layer sensitivity the search started from.
    public var sensitivity: SensitivityReport
    /// Why the search stopped.
    public var stop: Stop

    /// Non-dominated evaluations: no other is at least as small, as fast and as accurate and
    /// better in one of them. Sorted by size, then accuracy.
    static func front(of evaluations: [TuningEvaluation]) -> [TuningEvaluation] {
        func dominates(_ a: TuningMeasurement, _ b: TuningMeasurement) -> Bool {
            let latencyNoWorse = (a.latencySeconds ?? 0) <= (b.latencySeconds ?? 0)
            let noWorse = a.fileBytes <= b.fileBytes && latencyNoWorse && a.validationAccuracy >= b.validationAccuracy
            let better = a.fileBytes < b.fileBytes || (a.latencySeconds ?? 0) < (b.latencySeconds ?? 0)
                || a.validationAccuracy > b.validationAccuracy
            return noWorse && better
        }
        return evaluations.filter { candidate in
            !evaluations.contains { dominates($0.measurement, candidate.measurement) }
        }.sorted {
            ($0.measurement.fileBytes, -$0.measurement.validationAccuracy) < ($1.measurement.fileBytes, -$1.measurement.validationAccuracy)
        }
    }
}
