/// Everything `shrink bench` measured for one model file on one machine: the unit the results
/// store keeps and `shrink compare` puts side by side.
///
/// JSON field names are the snake_case names given in each type's `CodingKeys`; they are stable
/// (documented in docs/MEASUREMENT.md). A change that renames or re-types a field raises
/// `currentSchemaVersion`; new optional fields do not.
public struct BenchmarkRecord: Codable, Equatable, Sendable {
    /// The schema version this library writes.
    public static let currentSchemaVersion = 1

    /// The schema version the record was written with.
    public var schemaVersion: Int
    /// The variant's display name (the file name without extension unless given).
    public var variant: String
    /// The model file's path as given on the command line.
    public var modelPath: String
    /// The model file's SHA-256, lowercase hex: identifies the exact bytes measured.
    public var modelSHA256: String
    /// The architecture's name in the file, e.g. `lenet-300-100`.
    public var architecture: String
    /// When the measurement finished, RFC 3339 UTC.
    public var recordedAt: String
    /// The machine it ran on.
    public var machine: MachineDescription
    /// The code that measured it: `shrink <version>` plus the git commit when known.
    public var codeVersion: String
    /// How it was measured.
    public var settings: BenchmarkSettings
    /// Bytes on disk and parameter counts.
    public var size: SizeFigures
    /// Seconds to read, verify and decode the file and build the execution plan.
    public var loadSeconds: Double
    /// Memory use while running.
    public var memory: MemoryFigures
    /// Latency and throughput per batch size, in `settings.batchSizes` order.
    public var latency: [BatchLatency]
    /// Time per operator kind at the profiled batch size, largest share first.
    public var operators: [OperatorShare]
    /// Classification quality on the test set (nil when not measured).
    public var accuracy: AccuracyFigures?
    /// Modelled and measured energy per single-sample inference.
    public var energy: EnergyFigures
    /// The compression pipeline that produced the file, from its metadata (nil for an
    /// uncompressed model).
    public var compression: CompressionFigures?
    /// One row per stored parameter tensor, in file order.
    public var layers: [LayerFigures]
    /// The effective core clock during the latency measurement (nil when not measured, e.g.
    /// records written before it existed).
    public var clock: ClockFigures?

    /// Creates a record with the current schema version.
    public init(variant: String, modelPath: String, modelSHA256: String, architecture: String, recordedAt: String,
                machine: MachineDescription, codeVersion: String, settings: BenchmarkSettings, size: SizeFigures,
                loadSeconds: Double, memory: MemoryFigures, latency: [BatchLatency], operators: [OperatorShare],
                accuracy: AccuracyFigures?, energy: EnergyFigures, compression: CompressionFigures?,
                layers: [LayerFigures]) {
        schemaVersion = Self.currentSchemaVersion
        self.variant = variant
        self.modelPath = modelPath
        self.modelSHA256 = modelSHA256
        self.architecture = architecture
        self.recordedAt = recordedAt
        self.machine = machine
        self.codeVersion = codeVersion
        self.settings = settings
        self.size = size
        self.loadSeconds = loadSeconds
        self.memory = memory
        self.latency = latency
        self.operators = operators
        self.accuracy = accuracy
        self.energy = energy
        self.compression = compression
        self.layers = layers
    }

    /// The latency entry for `batchSize`, if it was measured.
    public func latency(batchSize: Int) -> BatchLatency? {
        latency.first { $0.batchSize == batchSize }
    }

    enum CodingKeys: String, CodingKey {
        case schemaVersion = "schema_version"
        case variant
        case modelPath = "model_path"
        case modelSHA256 = "model_sha256"
        case architecture
        case recordedAt = "recorded_at"
        case machine
        case codeVersion = "code_version"
        case settings, size
        case loadSeconds = "load_seconds"
        case memory, latency, operators, accuracy, energy, compression, layers, clock
    }
}
