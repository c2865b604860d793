import Foundation
import ShrinkCompression
import ShrinkData
import ShrinkFormats
import ShrinkNN
import ShrinkTuning
import Testing

/// The tuner on a small trained MLP: written-file measurements, determinism, resuming from a
/// journal, and the answer when nothing fits.
@Suite struct TuningSearchTests {
    static let noise: Float = 3
    static let training = TuningFixtures.dataset(count: 600, seed: 1, noise: noise)
    static let validation = TuningFixtures.dataset(count: 300, seed: 9, noise: noise)

    /// What must repeat: the candidates in order and what their files measured (not the seconds).
    static func measured(_ evaluations: [TuningEvaluation]) -> [String] {
        evaluations.map { "\($0.signature): \($0.measurement.fileBytes) B, \($0.measurement.validationAccuracy)" }
    }

    static func search(evaluations: Int, maximumBytes: Int? = nil, drop: Double = 0.02) -> TuningSearch {
        TuningSearch(constraints: TuningConstraints(maximumAccuracyDrop: drop, maximumBytes: maximumBytes),
                     space: TuningSpace(sparsities: [0, 0.5, 0.8, 0.9, 0.95], bits: [6, 4, 3, 2]),
                     maximumEvaluations: evaluations, fineTuneEpochs: 1, seed: 11)
    }

    static func temporaryPath(_ name: String) -> String {
        NSTemporaryDirectory() + "shrink-tuning-\(UInt64.random(in: 0...UInt64.max))-\(name)"
    }

    @Test func findsASmallerFileWithinTheDropAndRepeatsItself() throws {
        let file = try TuningFixtures.trainedFile(noise: Self.noise)
        let baselineBytes = try file.encoded().count
        let result = try Self.search(evaluations: 7).run(file: file, training: Self.training, validation: Self.validation)
        #expect(result.evaluations.count == 7)
        let chosen = try #require(result.chosen)
        #expect(chosen.measurement.fileBytes * 3 < baselineBytes, "\(chosen.measurement.fileBytes) of \(baselineBytes) bytes")
        #expect(result.baselineValidationAccuracy - chosen.measurement.validationAccuracy <= 0.02)
        // No other evaluated candidate that meets the drop is smaller.
        for evaluation in result.evaluations
        where result.baselineValidationAccuracy - evaluation.measurement.validationAccuracy <= 0.02 {
            #expect(evaluation.measurement.fileBytes >= chosen.measurement.fileBytes)
        }
        #expect(result.front.contains(chosen))
        // The chosen measurement is the written file's: its recipe, run again, gives that size and accuracy.
        let (_, bytes) = try Self.written(chosen.candidate, search: Self.search(evaluations: 7), file: file)
        #expect(bytes == chosen.measurement.fileBytes)
        // Same seed, data and budget: the same candidates in the same order, the same measurements.
        let again = try Self.search(evaluations: 7).run(file: file, training: Self.training, validation: Self.validation)
        #expect(Self.measured(again.evaluations) == Self.measured(result.evaluations))
        #expect(result.textReport().contains("Chosen: \(chosen.signature)"))
    }

    static func written(_ candidate: TuningCandidate, search: TuningSearch, file: ModelFile) throws -> (ModelFile, Int) {
        let model = CompressedModel(network: try GraphNetwork(file: file))
        _ = try RecipeRunner(recipe: candidate.recipe(fineTuneEpochs: search.fineTuneEpochs, seed: search.seed))
            .run(on: model, training: training, validation: validation.prefix(0))
        let bytes = try model.modelFile().encoded()
        return (try ModelFile.decode(bytes), bytes.count)
    }

    @Test func anInterruptedRunResumedFromItsJournalEndsAsAnUninterruptedOne() throws {
        let file = try TuningFixtures.trainedFile(noise: Self.noise)
        let path = Self.temporaryPath("journal.jsonl")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let full = Self.search(evaluations: 6)
        let header = try full.journalHeader(file: file, training: Self.training, validation: Self.validation)
        // "Interrupted" after 4 evaluations (a budget of 4 with the same seed evaluates the same first 4).
        _ = try Self.search(evaluations: 4).run(file: file, training: Self.training, validation: Self.validation,
                                                journal: TuningJournal(path: path, header: header))
        var reused = 0
        let resumed = try full.run(file: file, training: Self.training, validation: Self.validation,
                                   journal: TuningJournal(path: path, header: header)) { progress in
            if case .evaluated(_, _, _, _, true) = progress { reused += 1 }
        }
        #expect(reused == 4)
        let uninterrupted = try full.run(file: file, training: Self.training, validation: Self.validation)
        #expect(Self.measured(resumed.evaluations) == Self.measured(uninterrupted.evaluations))
        #expect(resumed.chosen?.signature == uninterrupted.chosen?.signature)
        #expect(try TuningJournal(path: path, header: header).evaluations.count == 6)
    }

    @Test func whenNothingFitsTheClosestCandidatesNameTheBindingConstraint() throws {
        let file = try TuningFixtures.trainedFile(noise: Self.noise)
        let result = try Self.search(evaluations: 3, maximumBytes: 10).run(file: file, training: Self.training, validation: Self.validation)
        #expect(result.chosen == nil)
        #expect(!result.closest.isEmpty && result.closest.count <= 3)
        #expect(result.closest.allSatisfy { miss in miss.violations.contains { $0.constraint == .size } })
        #expect(result.textReport().contains("No candidate meets the constraints"))
    }

    @Test func journalsRejectOtherSettingsAndCorruptionButForgiveACutLastLine() throws {
        let header = TuningJournal.Header(model: "m", modelDigest: "d", trainingSamples: 1, validationSamples: 1, fineTuneEpochs: 1,
                                          seed: 0, batchSize: 1, measuresLatency: false)
        let path = Self.temporaryPath("journal.jsonl")
        defer { try? FileManager.default.removeItem(atPath: path) }
        var journal = try TuningJournal(path: path, header: header)
        let evaluation = TuningEvaluation(
            candidate: TuningCandidate(layers: [.init(layer: "fc1", sparsity: 0.5, bits: 4)]),
            measurement: TuningMeasurement(fileBytes: 100, validationAccuracy: 0.9, latencySeconds: nil, compressionSeconds: 1))
        try journal.append(evaluation)
        #expect(try TuningJournal(path: path, header: header).evaluations == [evaluation.signature: evaluation])
        var other = header
        other.seed = 1
        #expect(throws: TuningError.journalForOtherSettings(path: path)) { try TuningJournal(path: path, header: other) }
        // A last line cut short by an interruption is ignored.
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("{\"header\": {\"mod".utf8))
        try handle.close()
        #expect(try TuningJournal(path: path, header: header).evaluations.count == 1)
        // Anything else unreadable is an error naming the line.
        try Data("not json\n{}\n".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: TuningError.unreadableJournal(path: path, line: 1)) { try TuningJournal(path: path, header: header) }
    }

    @Test func aCandidateIsARecipeThatReadsBackAndBadSettingsAreRefused() throws {
        let candidate = TuningCandidate(layers: [.init(layer: "fc1", sparsity: 0.925, bits: 5), .init(layer: "fc2", sparsity: 0, bits: nil)])
        #expect(candidate.signature == "fc1 92.5%/5b, fc2 0%/-")
        let recipe = candidate.recipe(fineTuneEpochs: 2, seed: 3)
        #expect(recipe.steps.map(\.kind) == ["magnitudePruning", "weightClustering", "float16"])
        #expect(try Recipe.decode(from: Data(try recipe.jsonString().utf8)) == recipe)
        #expect(throws: TuningError.self) {
            try TuningSearch(constraints: .init(maximumAccuracyDrop: 0.01), space: TuningSpace(sparsities: [0.5, 0.9])).validate()
        }
        #expect(throws: TuningError.self) {
            try TuningSearch(constraints: .init(maximumAccuracyDrop: 0.01), space: TuningSpace(bits: [2, 4])).validate()
        }
        #expect(throws: TuningError.self) { try TuningSearch(constraints: .init(maximumAccuracyDrop: -1)).validate() }
    }
}
