import Foundation
import ShrinkCompression
import ShrinkData
import ShrinkFormats
import ShrinkNN
import ShrinkResults
import ShrinkTensor
@testable import ShrinkTuning
import Testing

/// The tuner on a small trained MLP: written-file measurements, determinism, resuming from the
/// results database, shards, and the answer when nothing fits.
@Suite struct TuningSearchTests {
    static let noise: Float = 3
    static let training = TuningFixtures.dataset(count: 600, seed: 1, noise: noise)
    static let validation = TuningFixtures.dataset(count: 300, seed: 9, noise: noise)

    /// What must repeat: the candidates in order and what their files measured (not the seconds).
    static func measured(_ evaluations: [TuningEvaluation]) -> [String] {
        evaluations.map { "\($0.signature): \($0.measurement.fileBytes) B, \($0.measurement.validationAccuracy)" }
    }

    static func search(evaluations: Int, maximumBytes: Int? = nil, drop: Double = 0.02, shard: Shard = .whole) -> TuningSearch {
        TuningSearch(constraints: TuningConstraints(maximumAccuracyDrop: drop, maximumBytes: maximumBytes),
                     space: TuningSpace(sparsities: [0, 0.5, 0.8, 0.9, 0.95], bits: [6, 4, 3, 2]),
                     maximumEvaluations: evaluations, fineTuneEpochs: 1, seed: 11, shard: shard)
    }

    /// A journal in the results database at `path` for `search`.
    static func journal(_ path: String, _ search: TuningSearch, file: ModelFile, shard: Shard? = nil) throws -> TuningJournal {
        try TuningJournal(store: ResultsStore(path: path), header: search.journalHeader(file: file, training: training, validation: validation),
                          shard: shard?.description)
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
        let (written, bytes) = try Self.written(chosen.candidate, search: Self.search(evaluations: 7), file: file)
        #expect(bytes == chosen.measurement.fileBytes)
        // The search keeps the file it measured: the same bytes the recipe writes.
        let kept = try #require(result.chosenFile)
        #expect(kept == (try written.encoded()))
        // Same seed, data and budget: the same candidates in the same order, the same measurements.
        let again = try Self.search(evaluations: 7).run(file: file, training: Self.training, validation: Self.validation)
        #expect(Self.measured(again.evaluations) == Self.measured(result.evaluations))
        #expect(result.textReport().contains("Chosen: \(chosen.signature)"))
        // The page: a size chart and an energy chart (no latency measured), one dot per candidate
        // in each, the front ringed, the choice marked.
        let page = result.html()
        #expect(page.contains("data-chart=\"tuning-size\"") && page.contains("data-chart=\"tuning-energy\""))
        #expect(!page.contains("data-chart=\"tuning-latency\""))
        #expect(page.components(separatedBy: "class=\"mark point\"").count - 1 == 2 * result.evaluations.count)
        #expect(page.components(separatedBy: "class=\"mark pareto-point\"").count - 1 == 2 * result.front.count)
        #expect(page.components(separatedBy: "class=\"mark chosen\"").count - 1 == 2)
    }

    static func written(_ candidate: TuningCandidate, search: TuningSearch, file: ModelFile) throws -> (ModelFile, Int) {
        let model = CompressedModel(network: try GraphNetwork(file: file))
        _ = try RecipeRunner(recipe: candidate.recipe(fineTuneEpochs: search.fineTuneEpochs, learningRate: search.fineTuneLearningRate, seed: search.seed))
            .run(on: model, training: training, validation: validation.prefix(0))
        let bytes = try model.modelFile().encoded()
        return (try ModelFile.decode(bytes), bytes.count)
    }

    @Test func anInterruptedRunResumedFromItsDatabaseEndsAsAnUninterruptedOne() throws {
        let file = try TuningFixtures.trainedFile(noise: Self.noise)
        let path = Self.temporaryPath("results.db")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let full = Self.search(evaluations: 6)
        // "Interrupted" after 5 evaluations, inside generation 1 (a budget of 5 with the same
        // seed evaluates the same first 5).
        _ = try Self.search(evaluations: 5).run(file: file, training: Self.training, validation: Self.validation,
                                                journal: Self.journal(path, full, file: file))
        var reused = 0, sensitivityReused = false
        let resumed = try full.run(file: file, training: Self.training, validation: Self.validation,
                                   journal: Self.journal(path, full, file: file)) { progress in
            if case .evaluated(_, _, _, _, true) = progress { reused += 1 }
            if case let .sensitivityFinished(_, fromJournal) = progress { sensitivityReused = fromJournal }
        }
        #expect(reused == 5)
        // The sensitivity analysis is read back, not measured again, and it is the same report.
        #expect(sensitivityReused)
        let uninterrupted = try full.run(file: file, training: Self.training, validation: Self.validation)
        #expect(Self.measured(resumed.evaluations) == Self.measured(uninterrupted.evaluations))
        // (Mean losses may differ in the last bits: kernel selection times forms at load.)
        #expect(resumed.sensitivity.points.map { [$0.top1, Double($0.fileBytes)] }
            == uninterrupted.sensitivity.points.map { [$0.top1, Double($0.fileBytes)] })
        #expect(resumed.chosen?.signature == uninterrupted.chosen?.signature)
        #expect(try Self.journal(path, full, file: file).evaluations.count == 6)
        // A run that measured nothing itself has no file of its own to hand over.
        let replayed = try full.run(file: file, training: Self.training, validation: Self.validation,
                                    journal: Self.journal(path, full, file: file))
        #expect(replayed.chosen != nil && replayed.chosenFile == nil)
    }

    /// The minutes count the whole search, the sensitivity analysis included: a budget smaller
    /// than that analysis evaluates nothing and says why it stopped.
    @Test func theTimeBudgetCountsTheWholeSearch() throws {
        let file = try TuningFixtures.trainedFile(noise: Self.noise)
        var search = Self.search(evaluations: 5)
        search.maximumMinutes = 1e-7
        let result = try search.run(file: file, training: Self.training, validation: Self.validation)
        #expect(result.evaluations.isEmpty && result.stop == .timeBudget && result.chosen == nil)
    }

    /// Two shards in rounds, each with its own database merged after every round, end with the
    /// evaluations, front and choice of one process with the same budget.
    @Test func shardsMergedRoundByRoundEndAsOneProcess() throws {
        let file = try TuningFixtures.trainedFile(noise: Self.noise)
        let directory = Self.temporaryPath("shards")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let budget = 9, merged = directory + "/merged.db"
        let shards = try (1...2).map { try Shard(index: $0, count: 2) }
        var rounds = 0, sensitivitiesMeasured = 0
        while rounds < 5 {
            rounds += 1
            var waiting = false
            for shard in shards {
                let path = directory + "/shard-\(shard.index).db"
                try? FileManager.default.removeItem(atPath: path)
                if FileManager.default.fileExists(atPath: merged) { try FileManager.default.copyItem(atPath: merged, toPath: path) }
                let search = Self.search(evaluations: budget, shard: shard)
                let result = try search.run(file: file, training: Self.training, validation: Self.validation,
                                            journal: Self.journal(path, search, file: file, shard: shard)) { progress in
                    if case .sensitivityFinished(_, false) = progress { sensitivitiesMeasured += 1 }
                }
                if case .waitingForShards = result.stop { waiting = true }
            }
            let summary = try ResultsStore(path: merged).merge(from: shards.map { directory + "/shard-\($0.index).db" })
            // Both first-round shards measured it; the merged database keeps one copy.
            #expect(summary.sensitivitiesAdded == (rounds == 1 ? 1 : 0))
            if !waiting { break }
        }
        // Only the first round measured the sensitivity analysis; later rounds read it.
        #expect(sensitivitiesMeasured == 2)
        // The seeds, then generations of 4: the shards continued from each other's evaluations.
        #expect(rounds >= 3)
        var evaluatedAgain = 0
        let continued = try Self.search(evaluations: budget).run(
            file: file, training: Self.training, validation: Self.validation, journal: Self.journal(merged, Self.search(evaluations: budget), file: file)
        ) { progress in
            if case .evaluated(_, _, _, _, false) = progress { evaluatedAgain += 1 }
        }
        #expect(evaluatedAgain == 0)
        let single = try Self.search(evaluations: budget).run(file: file, training: Self.training, validation: Self.validation)
        #expect(Self.measured(continued.evaluations) == Self.measured(single.evaluations))
        #expect(continued.front.map(\.signature) == single.front.map(\.signature))
        #expect(continued.chosen?.signature == single.chosen?.signature)
        // Each shard recorded its own share, tagged with its shard.
        let records = try ResultsStore(path: merged, mode: .readOnly).tuningEvaluations(
            searchKey: try Self.journal(merged, Self.search(evaluations: budget), file: file).searchKey)
        #expect(records.count == budget)
        #expect(Set(records.compactMap(\.shard)) == ["1/2", "2/2"])
        #expect((records.map(\.generation).max() ?? 0) >= 1)
    }

    /// Candidates with the same sparsities reuse the pruned, fine-tuned weights; the file is the
    /// one the whole recipe writes.
    @Test func aReusedPrunedModelWritesTheFileTheWholeRecipeWrites() throws {
        let file = try TuningFixtures.trainedFile(noise: Self.noise)
        let search = Self.search(evaluations: 2)
        let layers = ["fc1", "fc2"]
        let first = TuningCandidate(layers: layers.map { .init(layer: $0, sparsity: 0.8, coding: .palette(bits: 4)) })
        var second = first
        second.layers[0].coding = .palette(bits: 3)
        second.layers[1].coding = .integer(bits: 4)
        var cache = PrunedModelCache()
        _ = try search.measure(first, file: file, training: Self.training, validation: Self.validation, cache: &cache)
        #expect(cache.models[second.pruningSignature] != nil)
        let reused = try search.measure(second, file: file, training: Self.training, validation: Self.validation, cache: &cache)
        let (written, bytes) = try Self.written(second, search: search, file: file)
        #expect(reused.fileBytes == bytes)
        var empty = PrunedModelCache()
        let fresh = try search.measure(second, file: file, training: Self.training, validation: Self.validation, cache: &empty)
        #expect(fresh.fileBytes == reused.fileBytes && fresh.validationAccuracy == reused.validationAccuracy)
        #expect(written.tensors.count > 0)
    }

    /// A candidate that removes units starts with structured pruning; a cached pruned model of
    /// the smaller network writes the file the whole recipe writes.
    @Test func structuredCandidatesShrinkTheNetworkAndReuseItsPrunedModel() throws {
        let file = try TuningFixtures.trainedFile(noise: Self.noise)
        let search = Self.search(evaluations: 2)
        let first = TuningCandidate(layers: [.init(layer: "fc1", unitsRemoved: 0.5, sparsity: 0.5, coding: .integer(bits: 8)),
                                             .init(layer: "fc2", sparsity: 0, coding: .palette(bits: 4))])
        #expect(first.signature == "fc1 50%u 50%/i8, fc2 0%/4b")
        #expect(first.pruningSignature == "fc1 50%u 50%, fc2 0%")
        #expect(first.recipe(fineTuneEpochs: 1, seed: 1).steps.map(\.kind)
            == ["structuredPruning", "magnitudePruning", "weightClustering", "weightQuantization", "float16"])
        var second = first
        second.layers[0].coding = .integer(bits: 4)
        var cache = PrunedModelCache()
        _ = try search.measure(first, file: file, training: Self.training, validation: Self.validation, cache: &cache)
        let reused = try search.measure(second, file: file, training: Self.training, validation: Self.validation, cache: &cache)
        let (written, bytes) = try Self.written(second, search: search, file: file)
        #expect(reused.fileBytes == bytes)
        #expect(try #require(written.tensors.first { $0.name == "fc1.weight" }).value.shape == [12, 16])
        #expect(try #require(written.tensors.first { $0.name == "fc2.weight" }).value.shape == [3, 12])
        // Settings recorded before units could be removed read as removing none.
        let old = #"{"layer":"fc1","sparsity":0.5,"coding":{"float16":{}}}"#
        let setting = try JSONDecoder().decode(TuningCandidate.LayerSetting.self, from: Data(old.utf8))
        #expect(setting.unitsRemoved == 0 && TuningCandidate(layers: [setting]).signature == "fc1 50%/-")
        #expect(throws: TuningError.self) {
            try TuningSearch(constraints: .init(maximumAccuracyDrop: 0.01), space: TuningSpace(unitFractions: [0.25, 0.5])).validate()
        }
    }

    /// Only layers whose units can go alone move along the fractions of units removed, and going
    /// further such a move is worth the weights it removes (read from the sensitivity files).
    @Test func unitMovesOnlyForLayersThatCanLoseUnits() throws {
        let file = try TuningFixtures.trainedFile(noise: Self.noise)
        let search = Self.search(evaluations: 1)
        let narrowable = try search.narrowableLayers(of: file)
        #expect(narrowable == ["fc1"])
        let sensitivity = try SensitivityAnalysis(configuration: SensitivityConfiguration(
            sparsities: [0.5], unitFractions: [0.125, 0.25, 0.375, 0.5, 0.625, 0.75], clusteringBits: [4],
            techniques: [.pruning, .structuredPruning, .clustering])).run(file: file, testSet: Self.validation)
        let candidate = TuningCandidate(layers: [.init(layer: "fc1", sparsity: 0, coding: .float16),
                                                 .init(layer: "fc2", sparsity: 0, coding: .float16)])
        let further = search.steps(of: candidate, aggressive: true, sensitivity: sensitivity, narrowable: narrowable)
        let unitMoves = further.filter { move in
            move.layerChange.map { $0.setting.unitsRemoved != candidate.layers[$0.index].unitsRemoved } ?? false
        }
        #expect(unitMoves.count == 1 && unitMoves[0].layerChange?.index == 0 && unitMoves[0].layerChange?.setting.unitsRemoved == 0.125)
        #expect(unitMoves[0].worth > 0)
        #expect(search.steps(of: candidate, aggressive: true, sensitivity: sensitivity).allSatisfy { $0.layerChange?.setting.unitsRemoved == 0 })
        var narrowed = candidate
        narrowed.layers[0].unitsRemoved = 0.5
        let back = search.steps(of: narrowed, aggressive: false, sensitivity: sensitivity, narrowable: narrowable)
        #expect(back.contains { $0.layerChange?.index == 0 && $0.layerChange?.setting.unitsRemoved == 0.375 })
        // Backing off may also distill; the move then sets that flag and nothing else.
        let distilling = try #require(back.first { $0.layerChange == nil })
        #expect(distilling.applied(to: narrowed) == TuningCandidate(layers: narrowed.layers, distills: true))
    }

    /// Children between a feasible candidate and one past it stay within the two, layer by layer.
    @Test func childrenBetweenTwoCandidatesStayWithinThem() {
        let search = Self.search(evaluations: 1)
        let near = TuningCandidate(layers: [.init(layer: "fc1", sparsity: 0.5, coding: .palette(bits: 6)),
                                            .init(layer: "fc2", sparsity: 0, coding: .float16)])
        let far = TuningCandidate(layers: [.init(layer: "fc1", sparsity: 0.95, coding: .palette(bits: 2)),
                                           .init(layer: "fc2", sparsity: 0.9, coding: .palette(bits: 3))])
        var generator = SeededRandomNumberGenerator(seed: 5)
        var seen = Set<String>()
        for _ in 0..<200 {
            let child = search.between(near, far, generator: &generator)
            seen.insert(child.signature)
            #expect((0.5...0.95).contains(child.layers[0].sparsity) && (0...0.9).contains(child.layers[1].sparsity))
            #expect((2...6).contains(child.layers[0].coding.bits))
            if case .integer = child.layers[1].coding { Issue.record("an integer coding between two palettes") }
        }
        #expect(seen.count > 20, "the children spread over the box, \(seen.count) distinct")
    }

    /// A distilling candidate's fine-tuning learns from the original model: same settings, another file.
    @Test func aDistillingCandidateFineTunesAgainstTheOriginalModel() throws {
        let file = try TuningFixtures.trainedFile(noise: Self.noise)
        let search = Self.search(evaluations: 1)
        let plain = TuningCandidate(layers: [.init(layer: "fc1", sparsity: 0.8, coding: .float16), .init(layer: "fc2", sparsity: 0.5, coding: .float16)])
        var distilled = plain
        distilled.distills = true
        #expect(distilled.signature == plain.signature + " +kd" && distilled.pruningSignature != plain.pruningSignature)
        #expect(distilled.recipe(fineTuneEpochs: 1, seed: 1).fineTuning.distillation == TuningCandidate.distillation)
        let (plainFile, _) = try Self.written(plain, search: search, file: file)
        let (distilledFile, _) = try Self.written(distilled, search: search, file: file)
        #expect(plainFile.tensors != distilledFile.tensors)
    }

    /// With latency measured, integer codes join the search (seeds of dense integer layers), and
    /// every candidate carries its measured latency.
    @Test func latencyConstraintsBringIntegerCodesIntoTheSearch() throws {
        let file = try TuningFixtures.trainedFile(noise: Self.noise)
        let search = TuningSearch(constraints: TuningConstraints(maximumAccuracyDrop: 0.05, maximumLatencySeconds: 1),
                                  space: TuningSpace(sparsities: [0, 0.5, 0.8], bits: [6, 4], integerBits: [8, 4]),
                                  maximumEvaluations: 6, fineTuneEpochs: 0, seed: 3)
        let result = try search.run(file: file, training: Self.training, validation: Self.validation)
        #expect(result.evaluations.allSatisfy { $0.measurement.latencySeconds != nil })
        let integer = result.evaluations.filter { $0.candidate.layers.allSatisfy { if case .integer = $0.coding { true } else { false } } }
        #expect(!integer.isEmpty, "\(result.evaluations.map(\.signature))")
        #expect(integer.allSatisfy { $0.signature.contains("%/i") })
        // The energy objective brings them too, and every candidate carries its modelled energy;
        // the chosen one is the least energy among those within the drop.
        let energy = TuningSearch(constraints: TuningConstraints(maximumAccuracyDrop: 0.05), objective: .energy,
                                  space: TuningSpace(sparsities: [0, 0.5, 0.8], bits: [6, 4], integerBits: [8, 4]),
                                  maximumEvaluations: 6, fineTuneEpochs: 0, seed: 3)
        let byEnergy = try energy.run(file: file, training: Self.training, validation: Self.validation)
        #expect(byEnergy.evaluations.allSatisfy { ($0.measurement.modelledJoules ?? 0) > 0 })
        #expect(byEnergy.evaluations.contains { $0.signature.contains("%/i") })
        let chosen = try #require(byEnergy.chosen)
        for evaluation in byEnergy.evaluations where byEnergy.baselineValidationAccuracy - evaluation.measurement.validationAccuracy <= 0.05 {
            #expect(evaluation.measurement.modelledJoules! >= chosen.measurement.modelledJoules!)
        }
        // Without a latency constraint or objective, no integer codes.
        let sizeOnly = try Self.search(evaluations: 4).run(file: file, training: Self.training, validation: Self.validation)
        #expect(sizeOnly.evaluations.allSatisfy { !$0.signature.contains("/i") })
    }

    @Test func whenNothingFitsTheClosestCandidatesNameTheBindingConstraint() throws {
        let file = try TuningFixtures.trainedFile(noise: Self.noise)
        let result = try Self.search(evaluations: 3, maximumBytes: 10).run(file: file, training: Self.training, validation: Self.validation)
        #expect(result.chosen == nil)
        #expect(!result.closest.isEmpty && result.closest.count <= 3)
        #expect(result.closest.allSatisfy { miss in miss.violations.contains { $0.constraint == .size } })
        #expect(result.textReport().contains("No candidate meets the constraints"))
    }

    @Test func journalsReuseOnlyTheSameSearchAndReportDamage() throws {
        let header = TuningJournal.Header(model: "m", modelDigest: "d", trainingSamples: 1, validationSamples: 1, fineTuneEpochs: 1,
                                          seed: 0, batchSize: 1, measuresLatency: false)
        let path = Self.temporaryPath("results.db")
        defer { try? FileManager.default.removeItem(atPath: path) }
        var journal = try TuningJournal(store: ResultsStore(path: path), header: header)
        let evaluation = TuningEvaluation(
            candidate: TuningCandidate(layers: [.init(layer: "fc1", sparsity: 0.5, coding: .palette(bits: 4))]),
            measurement: TuningMeasurement(fileBytes: 100, validationAccuracy: 0.9, latencySeconds: nil, compressionSeconds: 1))
        try journal.append(evaluation, generation: 0)
        #expect(try TuningJournal(store: ResultsStore(path: path), header: header).evaluations == [evaluation.signature: evaluation])
        // Another seed is another search: nothing to reuse, and it says so.
        var other = header
        other.seed = 1
        #expect(try TuningJournal(store: ResultsStore(path: path), header: other).evaluations.isEmpty)
        #expect(try ResultsStore(path: path).tuningSearches().count == 1)
        // The same candidate measured differently is a conflict, not a silent overwrite.
        var different = evaluation
        different.measurement.fileBytes = 101
        #expect(throws: ResultsError.self) { try journal.append(different, generation: 0) }
        // A stored evaluation that does not decode is an error naming it.
        let store = try ResultsStore(path: path)
        let record = try #require(try store.tuningEvaluations(searchKey: journal.searchKey).first)
        var damaged = record
        damaged.signature = "fc1 10%/4b"
        damaged.evaluationJSON = "{\"candidate\": 3}"
        try store.record(tuning: damaged)
        #expect(throws: TuningError.unreadableEvaluation(path: path, signature: "fc1 10%/4b")) {
            try TuningJournal(store: ResultsStore(path: path), header: header)
        }
    }

    @Test func aCandidateIsARecipeThatReadsBackAndBadSettingsAreRefused() throws {
        let candidate = TuningCandidate(layers: [.init(layer: "fc1", sparsity: 0.925, coding: .palette(bits: 5)),
                                                 .init(layer: "fc2", sparsity: 0, coding: .float16)])
        #expect(candidate.signature == "fc1 92.5%/5b, fc2 0%/-")
        let recipe = candidate.recipe(fineTuneEpochs: 2, seed: 3)
        #expect(recipe.steps.map(\.kind) == ["magnitudePruning", "weightClustering", "float16"])
        #expect(try Recipe.decode(from: Data(try recipe.jsonString().utf8)) == recipe)
        let integer = TuningCandidate(layers: [.init(layer: "fc1", sparsity: 0, coding: .integer(bits: 4))])
        #expect(integer.signature == "fc1 0%/i4")
        #expect(integer.recipe(fineTuneEpochs: 2, seed: 3).steps.map(\.kind) == ["weightQuantization", "float16"])
        #expect(throws: TuningError.self) {
            try TuningSearch(constraints: .init(maximumAccuracyDrop: 0.01), space: TuningSpace(integerBits: [4, 8])).validate()
        }
        #expect(throws: TuningError.self) {
            try TuningSearch(constraints: .init(maximumAccuracyDrop: 0.01), space: TuningSpace(sparsities: [0.5, 0.9])).validate()
        }
        #expect(throws: TuningError.self) {
            try TuningSearch(constraints: .init(maximumAccuracyDrop: 0.01), space: TuningSpace(bits: [2, 4])).validate()
        }
        #expect(throws: TuningError.self) { try TuningSearch(constraints: .init(maximumAccuracyDrop: -1)).validate() }
    }
}
