/// What happened to one ONNX backend node test.
public struct NodeTestResult: Sendable, Equatable, Codable {
    /// The test's folder name (`test_conv_with_strides_padding`).
    public var name: String
    /// The op types its model uses (one for most node tests).
    public var operatorTypes: [String]
    public var outcome: Outcome
    /// Why it failed or was refused; empty when it passed.
    public var detail: String

    /// The verdict on one test.
    public enum Outcome: String, Sendable, Equatable, Codable {
        /// Every output matched the expected one.
        case passed
        /// A supported op gave a wrong result, or an import or run error.
        case failed
        /// A failure listed in `NodeTestExceptions` with its reason.
        case expectedFailure = "expected_failure"
        /// The model uses an op Shrink does not import, and the importer said so in one line.
        case refused
    }

    enum CodingKeys: String, CodingKey {
        case name, outcome, detail
        case operatorTypes = "operator_types"
    }
}

/// The results of a run over a folder of node tests, and their summary per op.
public struct NodeTestReport: Sendable, Codable {
    public var results: [NodeTestResult]

    /// One row of the per-op table: tests of that op (supported models only), passed, and
    /// documented exceptions.
    public struct OperatorSummary: Sendable, Codable, Equatable {
        public var operatorType: String
        public var tests: Int
        public var passed: Int
        public var expectedFailures: Int
        public var failed: Int

        enum CodingKeys: String, CodingKey {
            case tests, passed, failed
            case operatorType = "operator_type"
            case expectedFailures = "expected_failures"
        }
    }

    /// Per op type of the supported single-op tests (multi-op models count under each op).
    public var summaries: [OperatorSummary] {
        var rows = [String: OperatorSummary]()
        for result in results where result.outcome != .refused {
            for type in result.operatorTypes {
                var row = rows[type] ?? OperatorSummary(operatorType: type, tests: 0, passed: 0, expectedFailures: 0, failed: 0)
                row.tests += 1
                switch result.outcome {
                case .passed: row.passed += 1
                case .expectedFailure: row.expectedFailures += 1
                case .failed: row.failed += 1
                case .refused: break
                }
                rows[type] = row
            }
        }
        return rows.values.sorted { $0.operatorType < $1.operatorType }
    }

    public func count(_ outcome: NodeTestResult.Outcome) -> Int { results.count { $0.outcome == outcome } }
}
