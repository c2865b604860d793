import Foundation
import ShrinkReports

extension TuningResult {
    /// The tables for people: the front, then the chosen candidate, or the closest ones and the
    /// constraints they break.
    public func textReport() -> String {
        var lines = ["Tuning \(model): \(evaluations.count) candidates evaluated as written files; baseline "
            + "\(Self.percent(baselineValidationAccuracy)) on the validation split, \(ReportFormatting.bytes(baselineFileBytes))",
                     "Constraints: accuracy drop ≤ \(String(format: "%g", constraints.maximumAccuracyDrop * 100)) points"
            + (constraints.maximumBytes.map { ", size ≤ \(ReportFormatting.bytes($0))" } ?? "")
            + (constraints.maximumLatencySeconds.map { ", latency ≤ \(Self.milliseconds($0)) at batch \(constraints.batchSize)" } ?? "")
            + "; objective: \(objective.rawValue)", "", "Pareto front (size, latency, accuracy):"]
        lines += table(front)
        if let chosen {
            lines += ["", "Chosen: \(chosen.signature)",
                      "  \(ReportFormatting.bytes(chosen.measurement.fileBytes)) (\(ratio(chosen))× smaller), validation top-1 "
                        + "\(Self.percent(chosen.measurement.validationAccuracy)) (drop \(drop(chosen)) points)"
                        + (chosen.measurement.latencySeconds.map { ", \(Self.milliseconds($0)) per batch of \(constraints.batchSize)" } ?? "")]
        } else {
            lines += ["", "No candidate meets the constraints. The closest:"]
            for miss in closest {
                let broken = miss.violations.map { "\($0.constraint.rawValue) (+\(String(format: "%.1f", $0.excess * 100)) %)" }
                lines.append("  \(miss.evaluation.signature): breaks \(broken.joined(separator: ", "))")
            }
        }
        switch stop {
        case .evaluationBudget, .searchExhausted: break
        case .timeBudget: lines += ["", "The time budget ended the search."]
        case let .waitingForShards(generation):
            lines += ["", "This shard evaluated its share of generation \(generation); merge the shards' databases "
                + "(shrink results merge) and run the next round to go on."]
        }
        return lines.joined(separator: "\n")
    }

    func table(_ rows: [TuningEvaluation]) -> [String] {
        var cells = [["candidate", "size", "× smaller", "top-1", "drop (pt)", "latency", "energy/sample", "meets"]]
        for evaluation in rows {
            let meets = constraints.violations(of: evaluation.measurement, baselineAccuracy: baselineValidationAccuracy).isEmpty
            cells.append([evaluation.signature, ReportFormatting.bytes(evaluation.measurement.fileBytes), ratio(evaluation),
                          Self.percent(evaluation.measurement.validationAccuracy), drop(evaluation),
                          evaluation.measurement.latencySeconds.map(Self.milliseconds) ?? "-",
                          evaluation.measurement.modelledJoules.map { String(format: "%.3g µJ", $0 * 1e6) } ?? "-", meets ? "yes" : "no"])
        }
        return SensitivityReport.aligned(cells)
    }

    func ratio(_ evaluation: TuningEvaluation) -> String {
        String(format: "%.1f", Double(baselineFileBytes) / Double(max(1, evaluation.measurement.fileBytes)))
    }

    func drop(_ evaluation: TuningEvaluation) -> String {
        String(format: "%.2f", (baselineValidationAccuracy - evaluation.measurement.validationAccuracy) * 100)
    }

    static func percent(_ fraction: Double) -> String { String(format: "%.2f %%", fraction * 100) }

    static func milliseconds(_ seconds: Double) -> String {
        seconds < 0.001 ? String(format: "%.1f µs", seconds * 1e6) : String(format: "%.3f ms", seconds * 1e3)
    }
}

/// The JSON `shrink tune --json` prints (stable field names).
public struct TuningSummary: Codable, Sendable {
    public var model: String
    public var baselineValidationAccuracy: Double
    public var baselineFileBytes: Int
    public var constraints: TuningConstraints
    public var objective: TuningObjective
    public var evaluations: [TuningEvaluation]
    public var front: [String]
    public var chosen: String?
    public var closest: [String]
    /// Why the search stopped: `evaluation_budget`, `time_budget`, `search_exhausted` or
    /// `waiting_for_shards`.
    public var stop: String
    /// The generation a shard stopped after (with `waiting_for_shards`).
    public var waitingGeneration: Int?

    public init(_ result: TuningResult) {
        model = result.model
        baselineValidationAccuracy = result.baselineValidationAccuracy
        baselineFileBytes = result.baselineFileBytes
        constraints = result.constraints
        objective = result.objective
        evaluations = result.evaluations
        front = result.front.map(\.signature)
        chosen = result.chosen?.signature
        closest = result.closest.map(\.evaluation.signature)
        switch result.stop {
        case .evaluationBudget: stop = "evaluation_budget"
        case .timeBudget: stop = "time_budget"
        case .searchExhausted: stop = "search_exhausted"
        case let .waitingForShards(generation):
            stop = "waiting_for_shards"
            waitingGeneration = generation
        }
    }

    enum CodingKeys: String, CodingKey {
        case model, constraints, objective, evaluations, front, chosen, closest, stop
        case waitingGeneration = "waiting_generation"
        case baselineValidationAccuracy = "baseline_validation_top1_accuracy", baselineFileBytes = "baseline_file_bytes"
    }
}
