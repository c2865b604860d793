import Foundation
import GRDB

/// The formats of `ResultsStore.export(format:)`.
public enum ExportFormat: String, CaseIterable, Sendable {
    /// `{"schema_version": 1, "runs": [...]}`: every column, child rows and the full record.
    case json
    /// One line per run: the `runs` columns, then four latency columns per measured batch size.
    case csv
}

extension ResultsStore {
    /// The `runs` columns exported, in order (the JSON columns are exported as `parameters` and
    /// `record` objects in JSON and left out of CSV).
    public static let exportedRunColumns = [
        "id", "kind", "recorded_at", "variant", "model_path", "model_sha256", "architecture", "code_version",
        "cpu_model", "logical_cores", "memory_bytes", "operating_system", "kernel_path", "host_name", "shard",
        "recipe", "dataset", "file_bytes", "gzip_bytes", "parameters", "non_zero", "load_seconds",
        "peak_resident_bytes", "top1", "top5", "macro_f1", "modelled_joules", "measured_joules",
        "compression_seconds", "accuracy_before", "accuracy_after", "record_schema_version",
    ]

    /// Every run (oldest first, then by id) in `format`. CSV columns: `exportedRunColumns`, then
    /// for each batch size B measured by any run, `latency_median_seconds_b<B>`,
    /// `latency_p5_seconds_b<B>`, `latency_p95_seconds_b<B>`, `samples_per_second_b<B>` (empty
    /// when not measured or NULL).
    public func export(format: ExportFormat) throws -> String {
        let runs = try allRunRows().sorted {
            (Self.text($0.run, "recorded_at"), $0.id) < (Self.text($1.run, "recorded_at"), $1.id)
        }
        switch format {
        case .json: return try exportJSON(runs)
        case .csv: return exportCSV(runs)
        }
    }

    private func exportJSON(_ runs: [StoredRunRows]) throws -> String {
        var objects = [[String: Any]]()
        for run in runs {
            var object = [String: Any]()
            for column in Self.exportedRunColumns { object[column] = Self.jsonValue(run.run[column] ?? .null) }
            object["parameters"] = try Self.parseJSON(Self.text(run.run, "parameters_json"), runID: run.id)
            object["record"] = try Self.parseJSON(Self.text(run.run, "record_json"), runID: run.id)
            object["latencies"] = run.latencies.map { row in
                Dictionary(uniqueKeysWithValues: row.columnNames.filter { $0 != "run_id" }.map {
                    ($0, Self.jsonValue(row[$0] ?? .null))
                })
            }
            object["compression_steps"] = run.steps.map { row in
                Dictionary(uniqueKeysWithValues: row.columnNames.filter { $0 != "run_id" }.map {
                    ($0, Self.jsonValue(row[$0] ?? .null))
                })
            }
            objects.append(object)
        }
        let document: [String: Any] = ["schema_version": Self.schemaVersion, "runs": objects]
        do {
            let data = try JSONSerialization.data(
                withJSONObject: document, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
            return String(decoding: data, as: UTF8.self) + "\n"
        } catch {
            throw ResultsError.encoding(reason: "\(error)")
        }
    }

    private func exportCSV(_ runs: [StoredRunRows]) -> String {
        let batchSizes = Set(runs.flatMap { $0.latencies.compactMap { Int.fromDatabaseValue($0["batch_size"] ?? .null) } })
            .sorted()
        let latencyColumns = [
            ("median_seconds", "latency_median_seconds"), ("p5_seconds", "latency_p5_seconds"),
            ("p95_seconds", "latency_p95_seconds"), ("samples_per_second", "samples_per_second"),
        ]
        var header = Self.exportedRunColumns
        for batchSize in batchSizes {
            header += latencyColumns.map { "\($0.1)_b\(batchSize)" }
        }
        var lines = [header.map(Self.csvField).joined(separator: ",")]
        for run in runs {
            var fields = Self.exportedRunColumns.map { Self.csvText(run.run[$0] ?? .null) }
            let byBatch = Dictionary(
                run.latencies.map { (Int.fromDatabaseValue($0["batch_size"] ?? .null) ?? -1, $0) },
                uniquingKeysWith: { first, _ in first })
            for batchSize in batchSizes {
                for (column, _) in latencyColumns {
                    fields.append(byBatch[batchSize].map { Self.csvText($0[column] ?? .null) } ?? "")
                }
            }
            lines.append(fields.map(Self.csvField).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Parses a stored JSON column; text that does not parse is a damaged row (not Foundation's
    /// "The data is not in the correct format").
    static func parseJSON(_ text: String, runID: String) throws -> Any {
        do {
            return try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
        } catch {
            throw ResultsError.damagedRow(runID: runID, reason: "its stored JSON does not parse")
        }
    }

    private static func jsonValue(_ value: DatabaseValue) -> Any {
        switch value.storage {
        case .null: return NSNull()
        case let .int64(integer): return integer
        case let .double(double): return double
        case let .string(string): return string
        case let .blob(data): return data.base64EncodedString()
        }
    }

    private static func csvText(_ value: DatabaseValue) -> String {
        switch value.storage {
        case .null: return ""
        case let .int64(integer): return String(integer)
        case let .double(double): return "\(double)"
        case let .string(string): return string
        case let .blob(data): return data.base64EncodedString()
        }
    }

    /// RFC 4180 quoting: fields with a comma, quote or line break are quoted, quotes doubled.
    private static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
