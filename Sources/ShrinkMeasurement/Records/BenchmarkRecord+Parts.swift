/// The machine a measurement ran on.
public struct MachineDescription: Codable, Equatable, Sendable {
    /// The CPU's model name (`/proc/cpuinfo`), e.g. `AMD EPYC 9R14 96-Core Processor`.
    public var cpuModel: String
    /// Logical processors online.
    public var logicalCores: Int
    /// Physical memory in bytes.
    public var memoryBytes: Int
    /// Operating system and kernel, e.g. `Linux 6.1.0`.
    public var operatingSystem: String
    /// The kernel path the run used: `avx512`, `avx2`, `neon` or `portable`.
    public var kernelPath: String
    /// The host's name, to tell shards of a sweep apart.
    public var hostName: String

    /// Creates a machine description.
    public init(cpuModel: String, logicalCores: Int, memoryBytes: Int, operatingSystem: String,
                kernelPath: String, hostName: String) {
        self.cpuModel = cpuModel
        self.logicalCores = logicalCores
        self.memoryBytes = memoryBytes
        self.operatingSystem = operatingSystem
        self.kernelPath = kernelPath
        self.hostName = hostName
    }

    enum CodingKeys: String, CodingKey {
        case cpuModel = "cpu_model"
        case logicalCores = "logical_cores"
        case memoryBytes = "memory_bytes"
        case operatingSystem = "operating_system"
        case kernelPath = "kernel_path"
        case hostName = "host_name"
    }
}

/// How a benchmark was run.
public struct BenchmarkSettings: Codable, Equatable, Sendable {
    /// The dataset's name, e.g. `mnist`.
    public var dataset: String
    /// Test samples classified for the accuracy figures.
    public var testSamples: Int
    /// Batch sizes whose latency was measured.
    public var batchSizes: [Int]
    /// Threads the runtime could use.
    public var threads: Int
    /// Untimed runs before timing.
    public var warmUpRuns: Int
    /// Most timed runs per batch size.
    public var maximumRuns: Int
    /// Timing stops once the median's 95 % confidence half-width is at most this fraction of it.
    public var targetRelativeHalfWidth: Double
    /// The `--shard I/N` this run was (nil when unsharded), e.g. `2/4`.
    public var shard: String?
    /// The shortest a timed run lasted: each run timed several inferences back to back
    /// (`LatencySummary.iterationsPerRun`); nil in records written before this setting existed.
    public var minimumRunSeconds: Double?
    /// Whether the latency targets were timed in interleaved rounds or one after another; nil
    /// in records written before this setting existed (they were sequential).
    public var latencyOrder: LatencyOrder?
    /// Kept runs per target and round when interleaved (nil when sequential and in older records).
    public var runsPerRound: Int?

    /// Creates settings.
    public init(dataset: String, testSamples: Int, batchSizes: [Int], threads: Int, warmUpRuns: Int,
                maximumRuns: Int, targetRelativeHalfWidth: Double, shard: String? = nil,
                minimumRunSeconds: Double? = nil, latencyOrder: LatencyOrder? = nil, runsPerRound: Int? = nil) {
        self.minimumRunSeconds = minimumRunSeconds
        self.latencyOrder = latencyOrder
        self.runsPerRound = runsPerRound
        self.dataset = dataset
        self.testSamples = testSamples
        self.batchSizes = batchSizes
        self.threads = threads
        self.warmUpRuns = warmUpRuns
        self.maximumRuns = maximumRuns
        self.targetRelativeHalfWidth = targetRelativeHalfWidth
        self.shard = shard
    }

    enum CodingKeys: String, CodingKey {
        case dataset
        case testSamples = "test_samples"
        case batchSizes = "batch_sizes"
        case threads
        case warmUpRuns = "warm_up_runs"
        case maximumRuns = "maximum_runs"
        case targetRelativeHalfWidth = "target_relative_half_width"
        case shard
        case minimumRunSeconds = "minimum_run_seconds"
        case latencyOrder = "latency_order"
        case runsPerRound = "runs_per_round"
    }
}

/// Bytes on disk and parameter counts of a model file.
public struct SizeFigures: Codable, Equatable, Sendable {
    /// The file's size in bytes.
    public var fileBytes: Int
    /// The file's size after gzip -9, in bytes.
    public var gzipBytes: Int
    /// Parameters (weights and biases) of the model.
    public var parameters: Int
    /// Parameters that are not zero.
    public var nonZeroParameters: Int
    /// Bytes of the parameters stored densely as fp32 (4 per parameter): the uncompressed size.
    public var float32ParameterBytes: Int

    /// Creates size figures; `float32ParameterBytes` is 4 · `parameters`.
    public init(fileBytes: Int, gzipBytes: Int, parameters: Int, nonZeroParameters: Int) {
        self.fileBytes = fileBytes
        self.gzipBytes = gzipBytes
        self.parameters = parameters
        self.nonZeroParameters = nonZeroParameters
        float32ParameterBytes = 4 * parameters
    }

    enum CodingKeys: String, CodingKey {
        case fileBytes = "file_bytes"
        case gzipBytes = "gzip_bytes"
        case parameters
        case nonZeroParameters = "non_zero_parameters"
        case float32ParameterBytes = "float32_parameter_bytes"
    }
}

/// Memory used while loading and running a model.
public struct MemoryFigures: Codable, Equatable, Sendable {
    /// Resident-set high-water mark (VmHWM) of an isolated child process that loaded the file and
    /// ran every measured batch size, in bytes; nil when it could not be measured.
    public var peakResidentBytes: Int?
    /// The same child's resident set before loading the model, in bytes (the process baseline).
    public var baselineResidentBytes: Int?
    /// Heap allocations (malloc calls) during one steady-state inference at batch 1, when counted.
    public var allocationsPerInference: Int?
    /// Bytes the runtime allocated for the plan: packed weights and activation buffers.
    public var runtimeBytes: Int?
    /// The model's own resident memory in the measuring process: RSS after reading the file and
    /// building the plan (file released) minus RSS before, in bytes; nil when not measured.
    public var modelResidentBytes: Int?
    /// Bytes of second, faster forms of weights the runtime keeps beside (or instead of) their
    /// stored encodings' kernels, chosen by timing at load (`KernelSelection.measured`; 0 when
    /// every encoding's own kernel was fastest); nil in records written before it existed.
    public var alternateFormBytes: Int?

    /// Creates memory figures.
    public init(peakResidentBytes: Int?, baselineResidentBytes: Int?, allocationsPerInference: Int?, runtimeBytes: Int?,
                modelResidentBytes: Int? = nil, alternateFormBytes: Int? = nil) {
        self.peakResidentBytes = peakResidentBytes
        self.baselineResidentBytes = baselineResidentBytes
        self.allocationsPerInference = allocationsPerInference
        self.runtimeBytes = runtimeBytes
        self.modelResidentBytes = modelResidentBytes
        self.alternateFormBytes = alternateFormBytes
    }

    enum CodingKeys: String, CodingKey {
        case peakResidentBytes = "peak_resident_bytes"
        case baselineResidentBytes = "baseline_resident_bytes"
        case allocationsPerInference = "allocations_per_inference"
        case runtimeBytes = "runtime_bytes"
        case modelResidentBytes = "model_resident_bytes"
        case alternateFormBytes = "alternate_form_bytes"
    }
}

/// Latency and throughput at one batch size.
public struct BatchLatency: Codable, Equatable, Sendable {
    /// Samples per run.
    public var batchSize: Int
    /// Per-run wall-clock latency (median, p5, p95, runs, confidence interval).
    public var latency: LatencySummary
    /// Samples per second at the median latency.
    public var samplesPerSecond: Double
    /// Estimated core cycles per run: the median latency times the median effective clock of
    /// the same measurement (`BenchmarkRecord.clock`); nil without a clock measurement.
    public var medianCycles: Double?

    /// Creates a batch latency; throughput is derived from the median, cycles from `clock`.
    public init(batchSize: Int, latency: LatencySummary, clock: ClockFigures? = nil) {
        self.batchSize = batchSize
        self.latency = latency
        samplesPerSecond = latency.throughput(itemsPerRun: batchSize)
        medianCycles = clock.map { latency.medianSeconds * $0.medianHertz }
    }

    enum CodingKeys: String, CodingKey {
        case batchSize = "batch_size"
        case latency
        case samplesPerSecond = "samples_per_second"
        case medianCycles = "median_cycles"
    }
}

/// The effective core clock while the latencies were measured, from a chain of dependent
/// integer additions (one cycle each) timed in the same rounds as the models.
public struct ClockFigures: Codable, Hashable, Sendable {
    /// Median effective clock in hertz (additions per second).
    public var medianHertz: Double
    /// 5th and 95th percentiles of the effective clock over the probe's runs.
    public var p5Hertz: Double, p95Hertz: Double
    /// Probe runs measured.
    public var runs: Int

    /// Creates clock figures.
    public init(medianHertz: Double, p5Hertz: Double, p95Hertz: Double, runs: Int) {
        self.medianHertz = medianHertz
        self.p5Hertz = p5Hertz
        self.p95Hertz = p95Hertz
        self.runs = runs
    }

    enum CodingKeys: String, CodingKey {
        case medianHertz = "median_hertz"
        case p5Hertz = "p5_hertz"
        case p95Hertz = "p95_hertz"
        case runs
    }
}

/// One operator kind's share of inference time.
public struct OperatorShare: Codable, Equatable, Sendable {
    /// The operator kind, e.g. `linear-int8`, `quantize`, `reference-conv2d` (see ShrinkRuntime's
    /// `OperatorProfile`).
    public var kind: String
    /// Calls per inference run.
    public var callsPerRun: Double
    /// Mean seconds per inference run.
    public var secondsPerRun: Double
    /// Fraction of the profiled time, in `0...1`.
    public var share: Double

    /// Creates an operator share.
    public init(kind: String, callsPerRun: Double, secondsPerRun: Double, share: Double) {
        self.kind = kind
        self.callsPerRun = callsPerRun
        self.secondsPerRun = secondsPerRun
        self.share = share
    }

    enum CodingKeys: String, CodingKey {
        case kind
        case callsPerRun = "calls_per_run"
        case secondsPerRun = "seconds_per_run"
        case share
    }
}

/// Classification quality on the test set.
public struct AccuracyFigures: Codable, Equatable, Sendable {
    /// Fraction whose top-scoring class is the label.
    public var top1: Double
    /// Fraction whose label is among the five top-scoring classes.
    public var top5: Double
    /// Per-class and averaged precision, recall, F1 and the confusion matrix.
    public var classification: ClassificationReport

    /// Creates accuracy figures.
    public init(top1: Double, top5: Double, classification: ClassificationReport) {
        self.top1 = top1
        self.top5 = top5
        self.classification = classification
    }
}

/// Energy per single-sample inference.
public struct EnergyFigures: Codable, Equatable, Sendable {
    /// Modelled from counted operations by precision and bytes per memory level times the table.
    public var modelled: EnergyEstimate
    /// The counts the model used.
    public var operations: OperationCounts
    /// The bytes the model used.
    public var memoryTraffic: MemoryTraffic
    /// Measured with RAPL (package energy over the timed runs ÷ inferences), in joules; nil when
    /// the machine does not expose it.
    public var measuredJoules: Double?
    /// Why `measuredJoules` is nil (e.g. `no /sys/class/powercap/intel-rapl*`).
    public var measuredUnavailableReason: String?

    /// Creates energy figures.
    public init(modelled: EnergyEstimate, operations: OperationCounts, memoryTraffic: MemoryTraffic,
                measuredJoules: Double?, measuredUnavailableReason: String?) {
        self.modelled = modelled
        self.operations = operations
        self.memoryTraffic = memoryTraffic
        self.measuredJoules = measuredJoules
        self.measuredUnavailableReason = measuredUnavailableReason
    }

    enum CodingKeys: String, CodingKey {
        case modelled, operations
        case memoryTraffic = "memory_traffic"
        case measuredJoules = "measured_joules"
        case measuredUnavailableReason = "measured_unavailable_reason"
    }
}

/// The compression pipeline that produced a model file, with each step's time.
public struct CompressionFigures: Codable, Equatable, Sendable {
    /// The recipe's name.
    public var recipe: String
    /// Steps in order.
    public var steps: [CompressionStepFigures]
    /// The sum of the steps' seconds.
    public var totalSeconds: Double

    /// Creates compression figures; the total is the steps' sum.
    public init(recipe: String, steps: [CompressionStepFigures]) {
        self.recipe = recipe
        self.steps = steps
        totalSeconds = steps.map(\.seconds).reduce(0, +)
    }

    enum CodingKeys: String, CodingKey {
        case recipe, steps
        case totalSeconds = "total_seconds"
    }
}

/// One compression step and its wall-clock time.
public struct CompressionStepFigures: Codable, Equatable, Sendable {
    /// The step's kind, e.g. `magnitudePruning`.
    public var kind: String
    /// What it did, in one line.
    public var summary: String
    /// Wall-clock seconds, fine-tuning included.
    public var seconds: Double

    /// Creates a step.
    public init(kind: String, summary: String, seconds: Double) {
        self.kind = kind
        self.summary = summary
        self.seconds = seconds
    }
}

/// One stored parameter tensor of a model file.
public struct LayerFigures: Codable, Equatable, Sendable {
    /// The tensor's name, e.g. `fc1.weight`.
    public var name: String
    /// The layer type it belongs to, e.g. `linear`, `conv2d`.
    public var layerType: String
    /// Elements of the tensor.
    public var elements: Int
    /// Elements that are not zero.
    public var nonZero: Int
    /// How it is stored, e.g. `float32`, `float16`, `affine8`, `palette5+sparse`.
    public var encoding: String
    /// Bits per stored value (index or code), before entropy coding.
    public var valueBits: Double
    /// Bytes of the tensor's payload in the file.
    public var storedBytes: Int
    /// The kernel the runtime chose for the layer, e.g. `int8`, `sparse(8.0 %, palette)`.
    public var kernel: String

    /// Creates a layer row.
    public init(name: String, layerType: String, elements: Int, nonZero: Int, encoding: String, valueBits: Double,
                storedBytes: Int, kernel: String) {
        self.name = name
        self.layerType = layerType
        self.elements = elements
        self.nonZero = nonZero
        self.encoding = encoding
        self.valueBits = valueBits
        self.storedBytes = storedBytes
        self.kernel = kernel
    }

    /// Fraction of elements kept, in `0...1`.
    public var density: Double { elements == 0 ? 0 : Double(nonZero) / Double(elements) }

    enum CodingKeys: String, CodingKey {
        case name
        case layerType = "layer_type"
        case elements
        case nonZero = "non_zero"
        case encoding
        case valueBits = "value_bits"
        case storedBytes = "stored_bytes"
        case kernel
    }
}
