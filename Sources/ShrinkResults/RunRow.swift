import Foundation
import GRDB
import ShrinkMeasurement

/// One run as the rows it is stored as: its `runs` row, `latencies` rows and
/// `compression_steps` rows.
struct RunRow {
    var id: String
    /// The `runs` columns in table order (nil is NULL).
    var columns: [(name: String, value: (any DatabaseValueConvertible)?)]
    /// Per batch size: batch_size, median, p5, p95, runs, samples_per_second.
    var latencies: [(batchSize: Int, median: Double, p5: Double, p95: Double, runs: Int, samplesPerSecond: Double)]
    /// Per step: kind, summary, seconds.
    var steps: [CompressionStepFigures]

    /// The encoder of stored JSON: sorted keys, so equal records give equal text.
    static func encode(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return String(decoding: try encoder.encode(value), as: UTF8.self)
        } catch {
            throw ResultsError.encoding(reason: "\(error)")
        }
    }

    init(benchmark record: BenchmarkRecord, id: RunID) throws {
        self.id = id.rawValue
        let machine = record.machine
        columns = [
            ("id", id.rawValue), ("kind", RunKind.bench.rawValue), ("recorded_at", record.recordedAt),
            ("variant", record.variant), ("model_path", record.modelPath), ("model_sha256", record.modelSHA256),
            ("architecture", record.architecture), ("code_version", record.codeVersion),
            ("cpu_model", machine.cpuModel), ("logical_cores", machine.logicalCores), ("memory_bytes", machine.memoryBytes),
            ("operating_system", machine.operatingSystem), ("kernel_path", machine.kernelPath), ("host_name", machine.hostName),
            ("shard", record.settings.shard), ("recipe", record.compression?.recipe), ("dataset", record.settings.dataset),
            ("file_bytes", record.size.fileBytes), ("gzip_bytes", record.size.gzipBytes),
            ("parameters", record.size.parameters), ("non_zero", record.size.nonZeroParameters),
            ("load_seconds", record.loadSeconds), ("peak_resident_bytes", record.memory.peakResidentBytes),
            ("top1", record.accuracy?.top1), ("top5", record.accuracy?.top5),
            ("macro_f1", record.accuracy?.classification.macroAverage.f1),
            ("modelled_joules", record.energy.modelled.totalJoules), ("measured_joules", record.energy.measuredJoules),
            ("compression_seconds", record.compression?.totalSeconds),
            ("accuracy_before", nil), ("accuracy_after", nil),
            ("record_schema_version", record.schemaVersion),
            ("parameters_json", try Self.encode(record.settings)),
            ("record_json", try Self.encode(record)),
        ]
        latencies = record.latency.map {
            ($0.batchSize, $0.latency.medianSeconds, $0.latency.p5Seconds, $0.latency.p95Seconds, $0.latency.runs,
             $0.samplesPerSecond)
        }
        steps = record.compression?.steps ?? []
    }

    init(compression record: CompressionRunRecord, id: RunID) throws {
        self.id = id.rawValue
        let machine = record.machine
        columns = [
            ("id", id.rawValue), ("kind", RunKind.compress.rawValue), ("recorded_at", record.recordedAt),
            ("variant", record.variant), ("model_path", record.outputPath), ("model_sha256", record.outputSHA256),
            ("architecture", record.architecture), ("code_version", record.codeVersion),
            ("cpu_model", machine.cpuModel), ("logical_cores", machine.logicalCores), ("memory_bytes", machine.memoryBytes),
            ("operating_system", machine.operatingSystem), ("kernel_path", machine.kernelPath), ("host_name", machine.hostName),
            ("shard", record.settings.shard), ("recipe", record.recipe), ("dataset", record.settings.dataset),
            ("file_bytes", record.outputBytes), ("gzip_bytes", record.outputGzipBytes),
            ("parameters", record.weightElements), ("non_zero", record.weightNonZero),
            ("load_seconds", nil), ("peak_resident_bytes", nil),
            ("top1", nil), ("top5", nil), ("macro_f1", nil),
            ("modelled_joules", nil), ("measured_joules", nil),
            ("compression_seconds", record.totalSeconds),
            ("accuracy_before", record.accuracyBefore), ("accuracy_after", record.accuracyAfter),
            ("record_schema_version", record.schemaVersion),
            ("parameters_json", try Self.encode(record.settings)),
            ("record_json", try Self.encode(record)),
        ]
        latencies = []
        steps = record.steps
    }

    /// Inserts the run and its child rows (inside the caller's transaction).
    func insert(_ db: Database) throws {
        let names = columns.map(\.name)
        let placeholders = Array(repeating: "?", count: names.count).joined(separator: ", ")
        try db.execute(
            sql: "INSERT INTO runs (\(names.joined(separator: ", "))) VALUES (\(placeholders))",
            arguments: StatementArguments(columns.map(\.value)))
        for latency in latencies {
            try db.execute(
                sql: """
                    INSERT INTO latencies (run_id, batch_size, median_seconds, p5_seconds, p95_seconds, runs, samples_per_second)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [id, latency.batchSize, latency.median, latency.p5, latency.p95, latency.runs,
                            latency.samplesPerSecond])
        }
        for (index, step) in steps.enumerated() {
            try db.execute(
                sql: "INSERT INTO compression_steps (run_id, step_index, kind, summary, seconds) VALUES (?, ?, ?, ?, ?)",
                arguments: [id, index, step.kind, step.summary, step.seconds])
        }
    }
}
