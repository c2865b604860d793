import Foundation
import ShrinkData
import ShrinkFormats
import ShrinkMeasurement
import ShrinkRuntime

/// A model file after the stages before latency: sized, loaded (its plan stays loaded) and
/// classified.
struct PreparedModel {
    var path: String
    var variant: String
    var sha256: String
    var fileSize: ModelFileSize
    var inspection: ModelFileInspection
    var plan: ExecutionPlan
    var loadSeconds: Double
    /// Process RSS after the last load (file read, plan built, file released) minus before it.
    var modelResidentBytes: Int?
    var accuracy: AccuracyFigures?
}

extension ModelBenchmark {
    /// The stages before latency: size, load, accuracy (each announced through `report`).
    func prepare(_ entry: File, testSet: LabeledDataset?, report: (String, String?) -> Void) throws -> PreparedModel {
        let path = entry.path
        let variant = entry.variant ?? Self.defaultVariantName(path: path)
        report("size", variant)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw BenchmarkError.unreadableFile(path: path, reason: "cannot open it")
        }
        let bytes = [UInt8](data)
        let fileSize = try ModelFileSize.measure(bytes: bytes, path: path)
        let inspection = try ModelFile.inspect(bytes)

        report("load", variant)
        let (plan, loadSeconds, modelResidentBytes) = try Self.timedLoad(path: path, threads: configuration.threads,
                                                     repetitions: configuration.loadRepetitions)
        if let testSet, testSet.count > 0, testSet.sampleShape != plan.inputShape {
            throw BenchmarkError.datasetMismatch(expectedSample: plan.inputShape, got: testSet.sampleShape)
        }

        report("accuracy", variant)
        let accuracy = try testSet.flatMap { try Self.accuracy(plan: plan, testSet: $0, batchSize: configuration.accuracyBatchSize) }
        return PreparedModel(path: path, variant: variant, sha256: SHA256.hexDigest(bytes),
                             fileSize: fileSize, inspection: inspection, plan: plan, loadSeconds: loadSeconds,
                             modelResidentBytes: modelResidentBytes, accuracy: accuracy)
    }

    /// The stages after latency (operators, memory; then energy and layers) and the record.
    func record(_ model: PreparedModel, latencies: [BatchLatency], measured: MeasuredInferenceEnergy,
                testSet: LabeledDataset?, datasetName: String, report: (String, String?) -> Void) throws -> BenchmarkRecord {
        let plan = model.plan, file = model.inspection.model
        report("operators", model.variant)
        let operators = try operatorShares(plan: plan, batch: configuration.batchSizes[0], testSet: testSet)

        report("memory", model.variant)
        let runtimeBytes = try Self.runtimeBytes(plan: plan, batch: configuration.batchSizes.max()!)
        let probe = try configuration.memoryProbe.measure(path: model.path, batchSizes: configuration.batchSizes,
                                                           threads: configuration.threads)
        let memory = MemoryFigures(peakResidentBytes: probe?.peakResidentBytes,
                                   baselineResidentBytes: probe?.baselineResidentBytes,
                                   allocationsPerInference: probe?.allocationsPerInference, runtimeBytes: runtimeBytes,
                                   // The fresh child's figure: in this process earlier loads' freed pages
                                   // are reused, which hides small models.
                                   modelResidentBytes: probe?.modelResidentBytes ?? model.modelResidentBytes,
                                   alternateFormBytes: plan.alternateFormBytes)

        let energy = try Self.energy(plan: plan, table: configuration.energyTable, measured: measured)
        let parameters = file.tensors.reduce(0) { $0 + $1.value.scalars.count }
        let nonZero = file.tensors.reduce(0) { total, tensor in
            total + tensor.value.scalars.reduce(0) { $0 + ($1 != 0 ? 1 : 0) }
        }
        let interleaved = configuration.latencyOrder == .interleaved
        let settings = BenchmarkSettings(
            dataset: datasetName, testSamples: model.accuracy?.classification.samples ?? 0,
            batchSizes: configuration.batchSizes, threads: configuration.threads,
            warmUpRuns: configuration.warmUpRuns, maximumRuns: configuration.maximumRuns,
            targetRelativeHalfWidth: configuration.targetRelativeHalfWidth, shard: configuration.shard,
            minimumRunSeconds: configuration.minimumRunSeconds, latencyOrder: configuration.latencyOrder,
            runsPerRound: interleaved ? configuration.runsPerRound : nil)
        return BenchmarkRecord(
            variant: model.variant, modelPath: model.path, modelSHA256: model.sha256, architecture: file.graph.name,
            recordedAt: ModelMetadata.timestamp(for: Date()), machine: machine, codeVersion: codeVersion,
            settings: settings,
            size: SizeFigures(fileBytes: model.fileSize.bytes, gzipBytes: model.fileSize.gzipBytes, parameters: parameters,
                              nonZeroParameters: nonZero),
            loadSeconds: model.loadSeconds, memory: memory, latency: latencies, operators: operators,
            accuracy: model.accuracy, energy: energy, compression: Self.compression(file.metadata.compression),
            layers: Self.layers(inspection: model.inspection, plan: plan))
    }
}
