import ShrinkReports

/// Whether a technique paid off for one model, decided from the measured figures against the
/// model's uncompressed baseline: smaller (file bytes), faster (median latency per batch size),
/// less accurate (top-1 error, in percentage points), and by how much.
struct DemoVerdict: Equatable {
    /// The overall call.
    enum Kind: String {
        /// Smaller or faster, at no more than `acceptableErrorPoints` of error.
        case worthIt = "worth it"
        /// Smaller or faster, but at an accuracy cost or slower somewhere.
        case tradeOff = "trade-off"
        /// Neither smaller nor faster, or more than `unacceptableErrorPoints` less accurate.
        case notWorthIt = "not worth it"
    }

    /// Error increases up to this many points count as free (about the run-to-run noise of one seed).
    static let acceptableErrorPoints = 0.3
    /// Error increases above this many points make a technique not worth it.
    static let unacceptableErrorPoints = 1.0
    /// Size ratios at least this count as smaller.
    static let smallerRatio = 1.1
    /// Speed-ups at least this (or at most its inverse) count as faster (slower); between, the same speed.
    static let fasterRatio = 1.05

    var kind: Kind
    /// The figures in words: "40.1× smaller, 1.30× faster at batch 1, …, +0.05 pp error".
    var findings: String
    /// Why, in one phrase: "costs 1.30 pp of error", "neither smaller nor faster".
    var reason: String

    /// The sentence for the report: "worth it: 40.1× smaller, …".
    var sentence: String { kind.rawValue + " (" + reason + "): " + findings }

    /// Judges one variant. `speedUps` are baseline ÷ variant median latency per batch size,
    /// ascending batch sizes; `errorPoints` is (variant error − baseline error) × 100.
    static func judge(sizeRatio: Double, speedUps: [(batchSize: Int, speedUp: Double)], errorPoints: Double) -> DemoVerdict {
        var findings = [String]()
        let smaller = sizeRatio >= smallerRatio
        if smaller {
            findings.append(ReportFormatting.significant(sizeRatio) + "× smaller")
        } else if sizeRatio <= 1 / smallerRatio {
            findings.append(ReportFormatting.significant(1 / sizeRatio) + "× larger")
        } else {
            findings.append("about the same size")
        }
        var faster = [Int](), slower = [Int]()
        for (batchSize, speedUp) in speedUps {
            if speedUp >= fasterRatio {
                faster.append(batchSize)
                findings.append(ReportFormatting.significant(speedUp) + "× faster at batch \(batchSize)")
            } else if speedUp <= 1 / fasterRatio {
                slower.append(batchSize)
                findings.append(ReportFormatting.significant(1 / speedUp) + "× slower at batch \(batchSize)")
            } else {
                findings.append("same speed at batch \(batchSize)")
            }
        }
        findings.append(errorPoints.magnitude < 0.005 ? "no change in error"
            : ReportFormatting.points(errorPoints) + (errorPoints > 0 ? " error (less accurate)" : " error (more accurate)"))
        let text = findings.joined(separator: ", ")
        let gains = smaller || !faster.isEmpty
        if errorPoints > unacceptableErrorPoints {
            return DemoVerdict(kind: .notWorthIt, findings: text, reason: "costs \(ReportFormatting.points(errorPoints)) of error")
        }
        if !gains {
            return DemoVerdict(kind: .notWorthIt, findings: text, reason: slower.isEmpty ? "neither smaller nor faster" : "not smaller, and slower")
        }
        if errorPoints > acceptableErrorPoints {
            return DemoVerdict(kind: .tradeOff, findings: text, reason: "costs \(ReportFormatting.points(errorPoints)) of error")
        }
        if !slower.isEmpty {
            return DemoVerdict(kind: .tradeOff, findings: text,
                               reason: "slower at batch " + slower.map(String.init).joined(separator: " and "))
        }
        return DemoVerdict(kind: .worthIt, findings: text,
                           reason: smaller && !faster.isEmpty ? "smaller and faster at no real accuracy cost"
                               : smaller ? "smaller at no real accuracy cost" : "faster at no real accuracy cost")
    }
}
