import Foundation
import ShrinkBenchmarking
import ShrinkCompression
import ShrinkData
import ShrinkFormats
import ShrinkNN
import ShrinkResults
import ShrinkRuntime
import ShrinkTensor

/// `shrink tune`: searches per-layer pruning and weight coding (palettes, integer codes,
/// binary16) for the file that best meets the user's constraints, measuring every candidate as a
/// written file run by the runtime.
///
/// The search: (1) a sensitivity analysis of each layer without retraining
/// (`SensitivityAnalysis`, on the validation split); (2) generation 0, greedy seeds, one per
/// accuracy budget (see `seeds`), each layer at the most aggressive setting it tolerated alone
/// within that budget (with integer-code seeds too when latency is measured); (3) seeded
/// evolutionary refinement in generations of `generationSize` children: the best candidate that
/// meets the constraints is made more aggressive one step at a time (steps drawn in proportion
/// to the bits they save per point of accuracy the sensitivity analysis predicts they cost),
/// or, while none meets them, the closest one is backed off (steps drawn in proportion to the
/// accuracy they cost). Every candidate runs the full pipeline with fine-tuning
/// (`TuningCandidate.recipe`).
///
/// A generation depends only on the evaluations of the generations before it, so the search
/// splits into shards (`shard`): each evaluates every N-th candidate of the first generation
/// whose evaluations are not all in its journal, and stops; after the shards' databases are
/// merged, the next round continues. The same seed, data and evaluation budget give the same
/// evaluations in the same order, whether run in one process, resumed, or in shards.
public struct TuningSearch {
    public var constraints: TuningConstraints
    public var objective: TuningObjective
    public var space: TuningSpace
    /// The most candidates to evaluate (journal entries count).
    public var maximumEvaluations: Int
    /// The most wall-clock minutes of the whole search, if any (then runs differ with machine
    /// speed): counted from the start of `run` (the baseline and the sensitivity analysis
    /// included); a new evaluation starts only while the mean time of the evaluations this
    /// process ran still fits, so the answer comes within the budget.
    public var maximumMinutes: Double?
    public var fineTuneEpochs: Int
    /// The starting learning rate of every fine-tuning (cosine schedule to 0). The default,
    /// 0.05, is what the trained LeNet-300-100 used: pruned to fc1 92 %, fc2 90 %, fc3 70 % with
    /// 4-bit palettes and 4 epochs per iteration, it recovered to 97.58 / 97.74 / 97.98 %
    /// validation top-1 (baseline 98.08 %) from 0.005 / 0.02 / 0.05 (one run each).
    public var fineTuneLearningRate: Float
    public var seed: UInt64
    public var threads: Int
    /// Children drawn per generation after the seeds.
    public var generationSize: Int
    /// The share of each generation this process evaluates.
    public var shard: Shard

    /// Progress of a run.
    public enum Progress: Sendable {
        case baseline(validationAccuracy: Double, fileBytes: Int)
        /// The sensitivity analysis is ready: measured, or (`reused`) read from the journal.
        case sensitivityFinished(points: Int, reused: Bool)
        /// A generation starts; `front`: the Pareto front of the evaluations so far (by size).
        case generationStarted(generation: Int, candidates: Int, front: [TuningEvaluation])
        case evaluated(index: Int, of: Int, evaluation: TuningEvaluation, meetsConstraints: Bool, reused: Bool)
    }

    public init(constraints: TuningConstraints, objective: TuningObjective = .size, space: TuningSpace = TuningSpace(),
                maximumEvaluations: Int = 30, maximumMinutes: Double? = nil, fineTuneEpochs: Int = 2, seed: UInt64 = 0,
                threads: Int = 1, generationSize: Int = 4, shard: Shard = .whole, fineTuneLearningRate: Float = 0.05) {
        self.fineTuneLearningRate = fineTuneLearningRate
        self.constraints = constraints
        self.objective = objective
        self.space = space
        self.maximumEvaluations = maximumEvaluations
        self.maximumMinutes = maximumMinutes
        self.fineTuneEpochs = fineTuneEpochs
        self.seed = seed
        self.threads = threads
        self.generationSize = generationSize
        self.shard = shard
    }

    /// Throws for settings out of range, naming them.
    public func validate() throws(TuningError) {
        guard constraints.maximumAccuracyDrop >= 0 else { throw .invalidSetting("the accuracy drop must be ≥ 0") }
        guard maximumEvaluations >= 1 else { throw .invalidSetting("the budget must allow at least one evaluation") }
        guard fineTuneEpochs >= 0 else { throw .invalidSetting("fine-tuning epochs must be ≥ 0") }
        guard fineTuneLearningRate > 0, fineTuneLearningRate.isFinite else { throw .invalidSetting("the fine-tuning learning rate must be positive") }
        guard constraints.batchSize >= 1 else { throw .invalidSetting("the batch size must be ≥ 1") }
        guard generationSize >= 1 else { throw .invalidSetting("a generation must hold at least one candidate") }
        guard space.sparsities.first == 0, zip(space.sparsities, space.sparsities.dropFirst()).allSatisfy({ $0 < $1 }),
              space.sparsities.allSatisfy({ $0 >= 0 && $0 < 1 }) else {
            throw .invalidSetting("sparsities must start at 0 and increase below 1")
        }
        guard space.unitFractions.isEmpty || space.unitFractions.first == 0,
              zip(space.unitFractions, space.unitFractions.dropFirst()).allSatisfy({ $0 < $1 }),
              space.unitFractions.allSatisfy({ $0 >= 0 && $0 < 1 }) else {
            throw .invalidSetting("fractions of units removed must start at 0 and increase below 1")
        }
        guard !space.bits.isEmpty, zip(space.bits, space.bits.dropFirst()).allSatisfy({ $0 > $1 }),
              space.bits.allSatisfy({ (1...16).contains($0) }) else {
            throw .invalidSetting("palette bits must decrease within 16...1")
        }
        guard zip(space.integerBits, space.integerBits.dropFirst()).allSatisfy({ $0 > $1 }),
              space.integerBits.allSatisfy({ (2...8).contains($0) }) else {
            throw .invalidSetting("integer bits must decrease within 8...2")
        }
    }

    /// The header a journal of this search must carry.
    public func journalHeader(file: ModelFile, training: LabeledDataset, validation: LabeledDataset) throws -> TuningJournal.Header {
        TuningJournal.Header(
            model: file.graph.name, modelDigest: SHA256.hexDigest(try file.encoded()), trainingSamples: training.count,
            validationSamples: validation.count, fineTuneEpochs: fineTuneEpochs, fineTuneLearningRate: fineTuneLearningRate, seed: seed, batchSize: constraints.batchSize,
            measuresLatency: measuresLatency, latencyThreads: measuresLatency ? threads : nil)
    }

    var measuresLatency: Bool { objective == .latency || constraints.maximumLatencySeconds != nil }

    /// Whether integer codes join the search: when time or energy counts (they run on integer
    /// kernels; for size alone palettes of the same bits keep more accuracy).
    var considersIntegerCodes: Bool { (measuresLatency || objective == .energy) && !space.integerBits.isEmpty }

    /// Runs the search. `training` fine-tunes every candidate; constraints are checked on
    /// `validation`, samples the model never trained on (the CLI takes the first part of the
    /// test split and reports the chosen file on the rest).
    public func run(file: ModelFile, training: LabeledDataset, validation: LabeledDataset, journal: TuningJournal? = nil,
                    progress: (Progress) -> Void = { _ in }) throws -> TuningResult {
        try validate()
        let clock = ContinuousClock(), start = clock.now
        guard validation.count > 0, training.count > 0 else { throw TuningError.invalidSetting("the training and validation splits must not be empty") }
        var journal = journal
        let baselineBytes = try file.encoded().count
        let baseline = try PlanEvaluation.evaluate(file: file, testSet: validation, batchSize: 1000, threads: threads)!.accuracy.top1
        progress(.baseline(validationAccuracy: baseline, fileBytes: baselineBytes))
        let integers = considersIntegerCodes
        let narrowable = try narrowableLayers(of: file)
        let sweep = SensitivityConfiguration(
            sparsities: space.sparsities.filter { $0 > 0 }, unitFractions: space.unitFractions.filter { $0 > 0 },
            quantizationBits: integers ? space.integerBits : [], clusteringBits: space.bits,
            techniques: [.pruning] + (narrowable.isEmpty ? [] : [.structuredPruning]) + [.clustering] + (integers ? [.quantization] : []))
        // A resumed search, and every round of a sharded one after the first, reads the analysis
        // its journal holds (it depends only on the model, the validation split and the sweep).
        let stored = try journal?.sensitivity(sweep)
        let sensitivity = try stored ?? SensitivityAnalysis(configuration: sweep, threads: threads).run(file: file, testSet: validation)
        if stored == nil { try journal?.record(sensitivity) }
        progress(.sensitivityFinished(points: sensitivity.points.count, reused: stored != nil))

        var evaluations = [TuningEvaluation]()
        var seen = Set<String>()
        var prunedModels = PrunedModelCache()
        // Seconds of each evaluation this process ran: the next one starts only if their mean fits.
        var evaluationSeconds = [Double]()
        var timeLeft: Bool {
            guard let maximumMinutes else { return true }
            let expected = evaluationSeconds.isEmpty ? 0 : evaluationSeconds.reduce(0, +) / Double(evaluationSeconds.count)
            return (clock.now - start) / .seconds(1) + expected <= maximumMinutes * 60
        }
        // The written file of the best candidate within the constraints that this process measured.
        var bestWritten: (evaluation: TuningEvaluation, bytes: [UInt8])?
        var stop: TuningResult.Stop = .searchExhausted
        var generation = 0
        var candidates = seeds(from: sensitivity, narrowable: narrowable)
        generations: while true {
            let fresh = candidates.filter { seen.insert($0.signature).inserted }.prefix(maximumEvaluations - evaluations.count)
            if evaluations.count >= maximumEvaluations { stop = .evaluationBudget; break }
            if fresh.isEmpty { break }
            progress(.generationStarted(generation: generation, candidates: fresh.count, front: TuningResult.front(of: evaluations)))
            var othersMissing = false
            for (position, candidate) in fresh.enumerated() {
                var evaluation = journal?.evaluations[candidate.signature]
                let reused = evaluation != nil
                if evaluation == nil {
                    // Another shard's candidate: this round ends with the generation.
                    guard position % shard.count == shard.index - 1 else { othersMissing = true; continue }
                    guard timeLeft else { stop = .timeBudget; break generations }
                    let evaluationStart = clock.now
                    let (measurement, bytes) = try measureWritten(candidate, file: file, training: training, validation: validation,
                                                                  cache: &prunedModels)
                    evaluationSeconds.append((clock.now - evaluationStart) / .seconds(1))
                    let measured = TuningEvaluation(candidate: candidate, measurement: measurement)
                    try journal?.append(measured, generation: generation)
                    if violations(measured, baseline: baseline).isEmpty,
                       bestWritten.map({ ranked([$0.evaluation, measured]).first! == measured }) ?? true {
                        bestWritten = (measured, bytes)
                    }
                    evaluation = measured
                }
                evaluations.append(evaluation!)
                progress(.evaluated(index: evaluations.count, of: maximumEvaluations, evaluation: evaluation!,
                                    meetsConstraints: violations(evaluation!, baseline: baseline).isEmpty, reused: reused))
            }
            if othersMissing { stop = .waitingForShards(generation: generation); break }
            generation += 1
            candidates = children(of: evaluations, seen: seen, generation: generation, baseline: baseline, sensitivity: sensitivity,
                                  narrowable: narrowable)
        }
        let feasible = evaluations.filter { violations($0, baseline: baseline).isEmpty }
        let chosen = best(of: feasible)
        return TuningResult(
            model: file.graph.name, baselineValidationAccuracy: baseline, baselineFileBytes: baselineBytes,
            constraints: constraints, objective: objective, evaluations: evaluations,
            front: TuningResult.front(of: evaluations), chosen: chosen,
            chosenFile: bestWritten.flatMap { $0.evaluation == chosen ? $0.bytes : nil },
            closest: feasible.isEmpty ? Array(closest(evaluations, baseline: baseline).prefix(3)) : [],
            sensitivity: sensitivity, stop: stop)
    }

    /// The next generation: up to `generationSize` children never seen before. Parents in order
    /// of preference: the best candidates that meet the constraints (to push further), then the
    /// closest ones that do not (to back off). Twenty children that were all seen before move on
    /// to the next parent; when every parent is used up, the generation is smaller (empty: the
    /// search ends). The generator is seeded by the search's seed and the generation alone.
    func children(of evaluations: [TuningEvaluation], seen: Set<String>, generation: Int, baseline: Double,
                  sensitivity: SensitivityReport, narrowable: Set<String>) -> [TuningCandidate] {
        var generator = SeededRandomNumberGenerator(seed: seed ^ (UInt64(generation) &* 0x9E37_79B9_7F4A_7C15))
        let feasible = ranked(evaluations.filter { violations($0, baseline: baseline).isEmpty })
        let infeasible = closest(evaluations, baseline: baseline).filter { !$0.violations.isEmpty }.map(\.evaluation)
        let parents = feasible.map { ($0, true) } + infeasible.map { ($0, false) }
        // The closest candidate past the best feasible one (smaller or faster, but breaking a
        // constraint): half the children of that parent lie between the two, layer by layer.
        let beyond = feasible.first.flatMap { best in
            closest(evaluations, baseline: baseline).first { !$0.violations.isEmpty && key($0.evaluation) < key(best) }?.evaluation
        }
        var drawn = seen
        var children = [TuningCandidate]()
        var parentIndex = 0, failures = 0
        while children.count < generationSize, parentIndex < parents.count {
            let (parent, aggressive) = parents[parentIndex]
            let child = if parentIndex == 0, aggressive, let beyond, generator.nextUniform() < 0.5 {
                between(parent.candidate, beyond.candidate, generator: &generator)
            } else {
                mutate(parent.candidate, aggressive: aggressive, sensitivity: sensitivity, narrowable: narrowable, generator: &generator)
            }
            guard drawn.insert(child.signature).inserted else {
                failures += 1
                if failures == 20 { parentIndex += 1; failures = 0 }
                continue
            }
            failures = 0
            children.append(child)
        }
        return children
    }

    func violations(_ evaluation: TuningEvaluation, baseline: Double) -> [TuningViolation] {
        constraints.violations(of: evaluation.measurement, baselineAccuracy: baseline)
    }

    /// The candidates ordered by total violation (smallest first), with their violations.
    func closest(_ evaluations: [TuningEvaluation], baseline: Double) -> [TuningResult.Miss] {
        evaluations.map { TuningResult.Miss(evaluation: $0, violations: violations($0, baseline: baseline)) }
            .enumerated()
            .sorted { ($0.element.totalExcess, $0.offset) < ($1.element.totalExcess, $1.offset) }
            .map(\.element)
    }

    /// The best by the objective, then by validation accuracy, then earliest.
    func best(of evaluations: [TuningEvaluation]) -> TuningEvaluation? {
        ranked(evaluations).first
    }

    /// What the objective minimizes.
    func key(_ evaluation: TuningEvaluation) -> Double {
        objective.value(of: evaluation.measurement)
    }

    /// Best first: by the objective, then by validation accuracy, then earliest.
    func ranked(_ evaluations: [TuningEvaluation]) -> [TuningEvaluation] {
        evaluations.enumerated().sorted {
            (key($0.element), -$0.element.measurement.validationAccuracy, $0.offset)
                < (key($1.element), -$1.element.measurement.validationAccuracy, $1.offset)
        }.map(\.element)
    }

    /// One candidate per accuracy budget: each layer at the most aggressive sparsity and the
    /// fewest bits it tolerated alone within the budget (conservative first), so the seeds
    /// bracket the constraint from both sides. The pruning budgets (0.5 to 16 points) are 20
    /// times the weight-sharing ones (0.025 to 0.8 points):
    /// sensitivity is measured without retraining, and a candidate retrains for several epochs
    /// after each pruning iteration but only fine-tunes centroids after clustering, so pruning
    /// losses are mostly recovered and clustering losses mostly are not (Han et al. report 9-13x
    /// more pruning with retraining). Small budgets for bits also because layers that each lose
    /// a little alone lose more together.
    static let pruningRecovery = 20.0

    /// Palette bits a seed adds to what the dense layer tolerated: the weights pruning leaves
    /// are the large tail of the distribution, spread over a wider range relative to their
    /// number, so the same centroids serve them worse (measured on LeNet-300-100: fc1 at 92 %
    /// lost 0.3 points with 4 bits where the dense layer lost nothing). One bit per halving of
    /// the density below 25 %, rounded.
    static func extraPaletteBits(sparsity: Double) -> Int {
        let density = 1 - sparsity
        return density >= 0.25 ? 0 : Int((log2(0.25 / density)).rounded())
    }

    /// How much of a structured pruning loss fine-tuning wins back, as `pruningRecovery` for
    /// magnitude pruning: a quarter as much (5), since whole units carry more than their
    /// smallest weights. A prior for the search's ordering of moves, not a measurement; every
    /// candidate is measured.
    static let structuredRecovery = 5.0

    /// The layers whose output units structured pruning may remove on their own: not the final
    /// classifier (its units reach the output) and not layers tied to others by a residual add
    /// (their units go together).
    func narrowableLayers(of file: ModelFile) throws -> Set<String> {
        guard space.unitFractions.contains(where: { $0 > 0 }) else { return [] }
        return Set(try SensitivityAnalysis.unitGroups(of: file).filter { $0.value == [$0.key] }.keys)
    }

    func seeds(from sensitivity: SensitivityReport, narrowable: Set<String>) -> [TuningCandidate] {
        let budgets = [0.00025, 0.0005, 0.001, 0.002, 0.004, 0.008]
        let palettes = budgets.map { budget in
            TuningCandidate(layers: sensitivity.layers.map { layer in
                let sparsity = sensitivity.tolerated(layer: layer.name, technique: .pruning, maximumDrop: Self.pruningRecovery * budget) ?? 0
                let bits = Int(sensitivity.tolerated(layer: layer.name, technique: .clustering, maximumDrop: budget) ?? Double(space.bits[0]))
                let pruned = space.sparsity(atMost: sparsity)
                return .init(layer: layer.name, sparsity: pruned,
                             coding: .palette(bits: TuningSpace.width(atLeast: bits + Self.extraPaletteBits(sparsity: pruned), in: space.bits)))
            })
        }
        guard considersIntegerCodes else { return palettes }
        // Integer codes: the runtime's fastest kernels, on layers narrowed by structured pruning
        // as far as they tolerated within the budget. No magnitude pruning: pruned integer layers
        // run the same kernels on their dense codes, so it saves bytes but not time (mutations
        // still add it).
        let integers = budgets.map { budget in
            TuningCandidate(layers: sensitivity.layers.map { layer in
                let bits = sensitivity.tolerated(layer: layer.name, technique: .quantization, maximumDrop: budget)
                let units = narrowable.contains(layer.name)
                    ? sensitivity.tolerated(layer: layer.name, technique: .structuredPruning, maximumDrop: Self.structuredRecovery * budget) ?? 0 : 0
                return .init(layer: layer.name, unitsRemoved: space.unitFraction(atMost: units), sparsity: 0,
                             coding: .integer(bits: TuningSpace.width(atLeast: Int(bits ?? Double(space.integerBits[0])), in: space.integerBits)))
            })
        }
        return palettes + integers
    }

    /// A candidate between `near` (meets the constraints) and `far` (goes further but breaks
    /// one): each layer's sparsity and fraction of units removed drawn uniformly among the grid
    /// values from one parent's to the other's, and likewise its coding along the ladder when both parents' codings are of
    /// one family (else one parent's, drawn).
    func between(_ near: TuningCandidate, _ far: TuningCandidate, generator: inout SeededRandomNumberGenerator) -> TuningCandidate {
        var child = near
        child.distills = near.distills || far.distills
        for index in child.layers.indices where index < far.layers.count {
            let a = near.layers[index], b = far.layers[index]
            func drawn<Value>(_ grid: [Value], _ x: Int?, _ y: Int?, otherwise: Value) -> Value {
                guard let x, let y else { return otherwise }
                return grid[min(x, y) + generator.nextIndex(below: abs(x - y) + 1)]
            }
            child.layers[index].sparsity = drawn(space.sparsities, space.sparsities.firstIndex(of: a.sparsity),
                                                 space.sparsities.firstIndex(of: b.sparsity), otherwise: a.sparsity)
            child.layers[index].unitsRemoved = drawn(space.unitFractions, space.unitFractions.firstIndex(of: a.unitsRemoved),
                                                     space.unitFractions.firstIndex(of: b.unitsRemoved), otherwise: a.unitsRemoved)
            let integer: Bool? = switch (a.coding, b.coding) {
            case (.integer, .integer), (.float16, .integer), (.integer, .float16): true
            case (.palette, .palette), (.float16, .palette), (.palette, .float16), (.float16, .float16): false
            default: nil
            }
            if let integer {
                let ladder = space.ladder(integer: integer)
                child.layers[index].coding = drawn(ladder, ladder.firstIndex(of: a.coding), ladder.firstIndex(of: b.coding), otherwise: a.coding)
            } else {
                child.layers[index].coding = generator.nextUniform() < 0.5 ? a.coding : b.coding
            }
        }
        return child
    }

    /// One grid step of one layer: more pruning or fewer bits when `aggressive`, else less
    /// pruning or more bits (25 % of children take two steps, some of them a trade). Which step is drawn at random in
    /// proportion to what the sensitivity analysis predicts it is worth: going further, the bits
    /// it saves (weights × density × bits removed) per point of accuracy the layer alone lost at
    /// the new setting; backing off, the accuracy the layer alone lost at its current setting.
    func mutate(_ candidate: TuningCandidate, aggressive: Bool, sensitivity: SensitivityReport, narrowable: Set<String> = [],
                generator: inout SeededRandomNumberGenerator) -> TuningCandidate {
        var child = candidate
        // A quarter of children take two steps; going further, a third of those trade: one step
        // back somewhere pays for one step further elsewhere (e.g. more bits, more pruning).
        let moves = generator.nextUniform() < 0.25 ? 2 : 1
        let trades = aggressive && moves == 2 && generator.nextUniform() < 0.34
        for move in 0..<moves {
            let options = steps(of: child, aggressive: trades && move == 0 ? false : aggressive, sensitivity: sensitivity,
                                narrowable: narrowable)
            let total = options.map(\.worth).reduce(0, +)
            guard total > 0 else { break }
            var draw = Double(generator.nextUniform()) * total
            var chosen = options[options.count - 1]
            for option in options {
                if draw < option.worth { chosen = option; break }
                draw -= option.worth
            }
            child = chosen.applied(to: child)
        }
        return child
    }

    /// One step `mutate` may take, with its worth (the weight of its draw).
    struct Move {
        enum Change {
            /// One layer takes a new setting.
            case layer(index: Int, setting: TuningCandidate.LayerSetting)
            /// Every fine-tuning of the candidate distills from the original model.
            case distillation
        }

        var change: Change
        var worth: Double

        /// The layer it changes and that layer's new setting (nil for distillation).
        var layerChange: (index: Int, setting: TuningCandidate.LayerSetting)? {
            if case let .layer(index, setting) = change { (index, setting) } else { nil }
        }

        /// `candidate` with this step taken.
        func applied(to candidate: TuningCandidate) -> TuningCandidate {
            var child = candidate
            switch change {
            case let .layer(index, setting): child.layers[index] = setting
            case .distillation: child.distills = true
            }
            return child
        }
    }

    /// Every one-step move of one layer (and, backing off, distillation), with its worth (see `mutate`). Codings move along their
    /// family's ladder (binary16, then palettes or integer codes of fewer and fewer bits); a
    /// binary16 layer may start either family when latency is measured, else only palettes.
    /// Layers in `narrowable` also move along the fractions of units removed; the weights such a
    /// step removes (the layer's rows and its readers' columns) come from the sizes of the
    /// sensitivity analysis' written files.
    func steps(of candidate: TuningCandidate, aggressive: Bool, sensitivity: SensitivityReport,
               narrowable: Set<String> = []) -> [Move] {
        func loss(_ layer: String, _ technique: SensitivityTechnique, _ setting: Double) -> Double {
            // Points lost by the layer alone; settings between swept ones take the next harsher.
            // Pruning losses count a twentieth, structured ones a fifth: the candidate retrains
            // after pruning (see `seeds`, `structuredRecovery`).
            let points = sensitivity.points(layer: layer, technique: technique)
            let prunes = technique == .pruning || technique == .structuredPruning
            let harsher = prunes ? points.filter { $0.setting >= setting - 1e-9 } : points.filter { $0.setting <= setting + 1e-9 }
            let point = prunes ? harsher.min { $0.setting < $1.setting } : harsher.max { $0.setting < $1.setting }
            let lost = max(0, (sensitivity.baselineTop1 - (point?.top1 ?? sensitivity.baselineTop1)) * 100)
            switch technique {
            case .pruning: return lost / Self.pruningRecovery
            case .structuredPruning: return lost / Self.structuredRecovery
            case .quantization, .clustering: return lost
            }
        }
        func weightsRemoved(_ layer: String, unitsRemoved fraction: Double) -> Double {
            // The float32 file shrinks by 4 bytes per weight (and bias) the units take with them.
            guard fraction > 0, let point = sensitivity.points(layer: layer, technique: .structuredPruning)
                .filter({ $0.setting >= fraction - 1e-9 }).min(by: { $0.setting < $1.setting }) else { return 0 }
            return Double(max(0, sensitivity.baselineFileBytes - point.fileBytes)) / 4 * fraction / point.setting
        }
        func codingLoss(_ layer: String, _ coding: TuningCandidate.Coding) -> Double {
            switch coding {
            case .float16: 0
            case let .palette(bits): loss(layer, .clustering, Double(bits))
            case let .integer(bits): loss(layer, .quantization, Double(bits))
            }
        }
        var options = [Move]()
        if !aggressive, !candidate.distills, space.distillation {
            // Backing off may instead distill from the original model (the whole candidate).
            options.append(Move(change: .distillation, worth: 0.05 + candidate.layers.map { codingLoss($0.layer, $0.coding) }.max()!))
        }
        for (index, current) in candidate.layers.enumerated() {
            let weights = Double(sensitivity.layers.first { $0.name == current.layer }?.weightCount ?? 1)
            let sparsityIndex = space.sparsities.firstIndex(of: current.sparsity) ?? 0
            let bits = Double(current.coding.bits)
            let step = aggressive ? 1 : -1
            if space.sparsities.indices.contains(sparsityIndex + step) {
                var setting = current
                setting.sparsity = space.sparsities[sparsityIndex + step]
                let worth = aggressive
                    ? weights * (setting.sparsity - current.sparsity) * bits / (0.05 + loss(current.layer, .pruning, setting.sparsity))
                    : 0.05 + (current.sparsity > 0 ? loss(current.layer, .pruning, current.sparsity) : 0)
                options.append(Move(change: .layer(index: index, setting: setting), worth: worth))
            }
            if narrowable.contains(current.layer), let unitIndex = space.unitFractions.firstIndex(of: current.unitsRemoved),
               space.unitFractions.indices.contains(unitIndex + step) {
                var setting = current
                setting.unitsRemoved = space.unitFractions[unitIndex + step]
                let removed = weightsRemoved(current.layer, unitsRemoved: setting.unitsRemoved)
                    - weightsRemoved(current.layer, unitsRemoved: current.unitsRemoved)
                let worth = aggressive
                    ? removed * (1 - current.sparsity) * bits / (0.05 + loss(current.layer, .structuredPruning, setting.unitsRemoved))
                    : 0.05 + (current.unitsRemoved > 0 ? loss(current.layer, .structuredPruning, current.unitsRemoved) : 0)
                options.append(Move(change: .layer(index: index, setting: setting), worth: worth))
            }
            let ladders: [[TuningCandidate.Coding]] = switch current.coding {
            case .palette: [space.ladder(integer: false)]
            case .integer: [space.ladder(integer: true)]
            case .float16: considersIntegerCodes
                ? [space.ladder(integer: false), space.ladder(integer: true)] : [space.ladder(integer: false)]
            }
            for ladder in ladders {
                guard let position = ladder.firstIndex(of: current.coding), ladder.indices.contains(position + step) else { continue }
                var setting = current
                setting.coding = ladder[position + step]
                let worth = aggressive
                    ? weights * (1 - current.sparsity) * (bits - Double(setting.coding.bits)) / (0.05 + codingLoss(current.layer, setting.coding))
                    : 0.05 + codingLoss(current.layer, current.coding)
                options.append(Move(change: .layer(index: index, setting: setting), worth: worth))
            }
        }
        return options
    }

    /// Runs the candidate's recipe from the original weights, writes the file, reads it back and
    /// measures it. Candidates with the same sparsities start their coding steps from the same
    /// pruned and fine-tuned weights, so those are kept (`cache`) and reused: the file is the
    /// same as running the whole recipe (tests check it), and its compression time counts the
    /// pruning's.
    func measure(_ candidate: TuningCandidate, file: ModelFile, training: LabeledDataset,
                 validation: LabeledDataset, cache: inout PrunedModelCache) throws -> TuningMeasurement {
        try measureWritten(candidate, file: file, training: training, validation: validation, cache: &cache).measurement
    }

    /// `measure`, with the bytes of the written file.
    func measureWritten(_ candidate: TuningCandidate, file: ModelFile, training: LabeledDataset, validation: LabeledDataset,
                        cache: inout PrunedModelCache) throws -> (measurement: TuningMeasurement, bytes: [UInt8]) {
        let clock = ContinuousClock()
        let recipe = candidate.recipe(fineTuneEpochs: fineTuneEpochs, learningRate: fineTuneLearningRate, seed: seed)
        func run(_ steps: [RecipeStep], on model: CompressedModel) throws {
            guard !steps.isEmpty else { return }
            // No validation inside the recipe: the written file is measured below.
            _ = try RecipeRunner(recipe: Recipe(name: recipe.name, description: recipe.description, fineTuning: recipe.fineTuning, steps: steps))
                .run(on: model, training: training, validation: validation.prefix(0))
        }
        let model: CompressedModel
        let pruningSeconds: Double
        if let pruned = cache.models[candidate.pruningSignature] {
            model = try pruned.restore()
            pruningSeconds = pruned.seconds
        } else {
            let start = clock.now
            model = CompressedModel(network: try GraphNetwork(file: file))
            try run(candidate.pruningSteps(fineTuneEpochs: fineTuneEpochs, learningRate: fineTuneLearningRate), on: model)
            pruningSeconds = (clock.now - start) / .seconds(1)
            cache.insert(PrunedModel(model, seconds: pruningSeconds), for: candidate.pruningSignature)
        }
        let start = clock.now
        try run(candidate.codingSteps, on: model)
        let seconds = pruningSeconds + (clock.now - start) / .seconds(1)
        let bytes = try model.modelFile().encoded()
        let written = try ModelFile.decode(bytes)
        let plan = try ExecutionPlan(file: written, threads: threads, kernelSelection: .standard)
        let accuracy = try PlanEvaluation.evaluate(plan: plan, testSet: validation, batchSize: 1000)!.accuracy.top1
        let measurement = TuningMeasurement(
            fileBytes: bytes.count, validationAccuracy: accuracy,
            latencySeconds: measuresLatency ? try Self.medianLatency(plan: plan, batch: constraints.batchSize, samples: validation) : nil,
            compressionSeconds: seconds, modelledJoules: ModelBenchmark.modelledJoulesPerSample(plan: plan))
        return (measurement, bytes)
    }

    /// The median of at least 15 timed runs of one batch (and at least 50 ms of them), after 3
    /// untimed ones.
    static func medianLatency(plan: ExecutionPlan, batch: Int, samples: LabeledDataset) throws -> Double {
        let sampleSize = plan.inputShape.reduce(1, *)
        let input = (0..<batch).flatMap { index -> ArraySlice<Float> in
            let start = (index % samples.count) * sampleSize
            return samples.inputs.scalars[start..<(start + sampleSize)]
        }
        var output = [Float](repeating: 0, count: batch * plan.outputShape.reduce(1, *))
        let clock = ContinuousClock()
        var times = [Double]()
        try input.withUnsafeBufferPointer { source in
            try output.withUnsafeMutableBufferPointer { target in
                for _ in 0..<3 { try plan.run(input: source, batch: batch, output: target) }
                var total = 0.0
                while times.count < 15 || total < 0.05 {
                    let start = clock.now
                    try plan.run(input: source, batch: batch, output: target)
                    let seconds = (clock.now - start) / .seconds(1)
                    times.append(seconds)
                    total += seconds
                    if times.count >= 2000 { break }
                }
            }
        }
        times.sort()
        return times[times.count / 2]
    }
}
