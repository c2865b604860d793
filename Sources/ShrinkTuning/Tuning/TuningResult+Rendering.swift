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

    /// A self-contained HTML page: accuracy against file size of every candidate (and against
    /// latency and modelled energy when measured), the front, the limit and the choice, then the
    /// text report.
    public func html() -> String {
        let frontSignatures = Set(front.map(\.signature))
        let limit = baselineValidationAccuracy - constraints.maximumAccuracyDrop
        func chart(_ title: String, _ identifier: String, _ label: String, format: @escaping @Sendable (Double) -> String,
                   cost: (TuningMeasurement) -> Double?) -> String {
            let points = evaluations.compactMap { evaluation -> TradeOffChart.Point? in
                guard let value = cost(evaluation.measurement) else { return nil }
                return TradeOffChart.Point(
                    name: evaluation.signature, cost: value, accuracy: evaluation.measurement.validationAccuracy,
                    meetsConstraints: constraints.violations(of: evaluation.measurement, baselineAccuracy: baselineValidationAccuracy).isEmpty,
                    onFront: frontSignatures.contains(evaluation.signature), isChosen: evaluation.signature == chosen?.signature)
            }
            let svg = TradeOffChart(title: title, identifier: identifier, costLabel: label, formatCost: format, points: points,
                                    accuracyLimit: limit).rendered()
            return svg.map { "<section>\n\($0)\n</section>\n" } ?? ""
        }
        var body = "<h1>Tuning \(escapeHTML(model))</h1>\n<p>\(evaluations.count) candidates, each compressed, written as a model file, "
            + "read back and run by the runtime on the validation split (baseline top-1 \(Self.percent(baselineValidationAccuracy))). "
            + "Filled dots meet the constraints; the dashed line is the Pareto front.</p>\n"
        body += chart("Accuracy against file size", "tuning-size", "File size", format: { ReportFormatting.bytes(Int($0)) }) {
            Double($0.fileBytes)
        }
        body += chart("Accuracy against latency (batch \(constraints.batchSize))", "tuning-latency", "Median batch latency",
                      format: { Self.milliseconds($0) }) { $0.latencySeconds }
        body += chart("Accuracy against modelled energy", "tuning-energy", "Modelled energy per sample",
                      format: { String(format: "%.3g µJ", $0 * 1e6) }) { $0.modelledJoules }
        body += "<pre>\(escapeHTML(textReport()))</pre>\n"
        return HTMLReport.page(title: "Tuning \(model)", body: body)
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
