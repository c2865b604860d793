import ShrinkFormats
import ShrinkKernels

/// How an `ExecutionPlan` picks the kernel of each weight matrix.
///
/// A compressed encoding's own kernel reads the small form directly, but on a given machine,
/// shape and batch size it can lose to plain fp32 (a CSR layer at 25 % density at batch 1, a
/// 5-bit palette at batch 64). "Compressed is never slower": with `.measured`, the plan keeps an
/// exact second form of such a weight (its decoded fp32 values, packed for the fp32 kernel),
/// times both kernels on the layer's real shape at batch 1, 8 and 64 while it loads, and runs
/// each batch size on the faster one. A form that wins at no batch size is dropped again.
public enum KernelSelection: Sendable, Equatable {
    /// The stored encoding's kernel at every batch size (no timing, results independent of the
    /// machine's load; what the kernel tests pin).
    case encoding
    /// The fastest of the encoding's kernel and its exact fp32 alternative per batch range, timed
    /// at load; alternative forms take at most `memoryLimitBytes` together (beyond that a layer
    /// keeps its encoding's kernel).
    case measured(memoryLimitBytes: Int)

    /// `.measured` with up to 1 GiB of alternative forms: what `shrink bench`, `shrink eval` and
    /// `shrink compress` (accuracy of the written file) run.
    public static let standard = KernelSelection.measured(memoryLimitBytes: 1 << 30)
}

/// The kernel a `.chosen` layer runs for a range of batch sizes.
public struct BatchKernel: Equatable, Sendable {
    /// The smallest batch size of the range.
    public let firstBatch: Int
    /// The largest batch size of the range; nil for no upper bound.
    public let lastBatch: Int?
    /// The kernel that runs these batch sizes.
    public let kernel: LayerKernel

    /// Whether `batch` falls in the range.
    public func contains(_ batch: Int) -> Bool { batch >= firstBatch && (lastBatch.map { batch <= $0 } ?? true) }

    /// `b1–2`, `b3–22`, `b≥23`.
    var rangeLabel: String {
        guard let lastBatch else { return "b≥\(firstBatch)" }
        return lastBatch == firstBatch ? "b\(firstBatch)" : "b\(firstBatch)–\(lastBatch)"
    }
}

extension ExecutionPlan {
    /// The batch sizes timed at load, and the batch ranges their winners run: each timed size
    /// rules up to the geometric middle between it and the next (√8 ≈ 2.8, √512 ≈ 22.6).
    static let timedBatches: [(batch: Int, lastBatch: Int?)] = [(1, 2), (8, 22), (64, nil)]

    /// Timing at one batch size runs every candidate at least this many times, round-robin...
    static let minimumTimingRounds = 3
    /// ... and stops after this many rounds or once this much time has passed (seconds).
    static let maximumTimingRounds = 15, timingBudgetSeconds = 0.02
    /// A batch size is timed only when a call does at most this many multiply-accumulates
    /// (about 20 ms of fp32 work on one Zen 4 core, so a large model's load stays within seconds:
    /// VGG-16's fc6 is timed at batch 1 and 8, a ResNet-50 convolution at 1 and 8); larger batch
    /// sizes run the winner of the largest one timed.
    static let maximumTimedMultiplyAccumulates = 1 << 30
    /// An alternative must be this much faster than the encoding's kernel to replace it (below,
    /// the difference is within timing noise and the smaller form is kept).
    static let requiredSpeedup = 1.05

    /// Median seconds per call of each candidate: `calls[i]` runs candidate i once on `rows`
    /// rows (`timeCalls`, the wall clock, outside tests).
    typealias KernelTimer = (_ calls: [() -> Void], _ rows: Int) -> [Double]

    /// Forms of one node kept by kernel selection and the batch ranges each runs: packed weights
    /// of a Linear (`LinearKernel.chosen`, `Form` = `LinearKernel`) or whole steps of a coded
    /// convolution (`Operation.chosen`, `Form` = `Step`).
    final class BatchChoice<Form> {
        /// The forms kept (each wins at least one range).
        let forms: [Form]
        /// Batch ranges in increasing order, with the index into `forms` each runs.
        let ranges: [(range: BatchKernel, form: Int)]
        /// Weight bytes of the stored encoding's form (kept or not).
        let encodingByteCount: Int

        init(forms: [Form], ranges: [(range: BatchKernel, form: Int)], encodingByteCount: Int) {
            self.forms = forms
            self.ranges = ranges
            self.encodingByteCount = encodingByteCount
        }

        /// The form that runs `batch` samples.
        func form(forBatch batch: Int) -> Form {
            for entry in ranges where entry.range.contains(batch) { return forms[entry.form] }
            return forms[ranges.last!.form]
        }
    }

    /// Times candidate 0 (the encoding's) against candidate 1 (the exact fp32 form) at each of
    /// `timedBatches` and returns the winner per timed batch size (1 only when at least
    /// `requiredSpeedup` faster). `makeCalls(rows)` gives the two calls on `rows` rows and a
    /// cleanup; batch sizes whose call would exceed `maximumTimedMultiplyAccumulates` take the
    /// previous winner.
    static func winners(rowsPerSample: Int, multiplyAccumulatesPerRow: Int, timer: KernelTimer,
                        makeCalls: (_ rows: Int) -> (calls: [() -> Void], cleanup: () -> Void)) -> [Int] {
        var winners = [Int]()
        for (batch, _) in timedBatches {
            let rows = batch * max(1, rowsPerSample)
            guard winners.isEmpty || rows * multiplyAccumulatesPerRow <= maximumTimedMultiplyAccumulates else {
                winners.append(winners.last!)
                continue
            }
            let (calls, cleanup) = makeCalls(rows)
            let seconds = timer(calls, rows)
            cleanup()
            winners.append(seconds[1] * requiredSpeedup < seconds[0] ? 1 : 0)
        }
        return winners
    }

    /// The batch ranges of per-timed-batch `winners`, neighbours with the same winner merged, and
    /// the candidates kept (sorted indices of those that win somewhere): each range's index is
    /// into the kept list.
    static func ranges(winners: [Int], kinds: [LayerKernel]) -> (ranges: [(range: BatchKernel, index: Int)], kept: [Int]) {
        let kept = Array(Set(winners)).sorted()
        var ranges = [(range: BatchKernel, index: Int)]()
        for (position, winner) in winners.enumerated() {
            let index = kept.firstIndex(of: winner)!
            let firstBatch = position == 0 ? 1 : timedBatches[position - 1].lastBatch! + 1
            let lastBatch = timedBatches[position].lastBatch
            if let last = ranges.last, last.index == index {
                ranges[ranges.count - 1].range = BatchKernel(firstBatch: last.range.firstBatch, lastBatch: lastBatch,
                                                             kernel: kinds[winner])
            } else {
                ranges.append((BatchKernel(firstBatch: firstBatch, lastBatch: lastBatch, kernel: kinds[winner]), index))
            }
        }
        return (ranges, kept)
    }

    /// With `.measured` selection, times a Linear's encoding kernel `stored` (fp16, palette of any
    /// width or sparse) against the exact fp32 form of the same weights and returns the choice per batch
    /// range; returns `stored` unchanged when the encoding wins everywhere, when it is already
    /// fp32, int8 or sub-byte (their activation quantization is part of their results), or when
    /// the fp32 form does not fit the remaining `memoryLeft` (decreased by what the kept form
    /// takes).
    ///
    /// - Parameter makeAlternative: builds the fp32 form (the same decoded, folded values the
    ///   encoding holds).
    static func selectKernel(
        stored: (kernel: LinearKernel, kind: LayerKernel), selection: KernelSelection, memoryLeft: inout Int,
        outputs: Int, inputs: Int, threads: Int, timer: KernelTimer, makeAlternative: () throws -> Float32LinearWeights
    ) throws -> (kernel: LinearKernel, kind: LayerKernel) {
        guard case .measured = selection else { return stored }
        switch stored.kernel {
        case .float16, .palette, .widePalette, .sparse: break
        case .int8, .subByte, .float32, .chosen: return stored
        }
        let alternativeBytes = 4 * outputs * inputs + 4 * outputs
        guard alternativeBytes <= memoryLeft else { return stored }
        let alternative = try makeAlternative()
        let candidates: [(kernel: LinearKernel, kind: LayerKernel)] = [stored, (.float32(alternative), .float32)]
        let winners = Self.winners(rowsPerSample: 1, multiplyAccumulatesPerRow: outputs * inputs, timer: timer) { rows in
            let buffers = TimingBuffers(inputCount: rows * inputs, outputCount: rows * outputs)
            let calls = candidates.map { candidate in
                {
                    let work = candidate.kernel.parallelWork(rows: rows, outputCount: outputs, inputCount: inputs)
                    candidate.kernel.applyUnquantized(input: buffers.input, rows: rows, output: buffers.output,
                                                      threadCount: work >= parallelWorkThreshold ? threads : 1)
                }
            }
            return (calls, buffers.deallocate)
        }
        guard winners.contains(1) else { return stored }
        let (ranges, kept) = Self.ranges(winners: winners, kinds: candidates.map(\.kind))
        let choice = BatchChoice(forms: kept.map { candidates[$0].kernel }, ranges: ranges.map { ($0.range, $0.index) },
                                 encodingByteCount: stored.kernel.packedByteCount)
        memoryLeft -= alternativeBytes
        return (.chosen(choice), .chosen(stored: stored.kind, byBatch: ranges.map(\.range)))
    }

    /// With `.measured` selection, times a convolution's lowered step on its encoding's kernel
    /// (`stored`) against the op's own fp32 kernel on the decoded weights (`makeAlternative`,
    /// what an uncompressed model runs) on whole steps at each timed batch size, and returns a
    /// `.chosen` step when the fp32 one wins somewhere (else `stored`). int8 and sub-byte
    /// convolutions are never paired (their activation quantization is part of their results).
    static func selectStep(
        stored: (step: Step, kind: LayerKernel), selection: KernelSelection, memoryLeft: inout Int,
        inputElements: Int, outputElements: Int, pixels: Int, multiplyAccumulatesPerPixel: Int, threads: Int,
        timer: KernelTimer, makeAlternative: () throws -> Step
    ) throws -> (step: Step, kind: LayerKernel) {
        guard case .measured = selection else { return stored }
        switch stored.kind {
        case .convolution(.int8), .convolution(.integer): return stored
        default: break
        }
        let alternative = try makeAlternative()
        guard alternative.weightByteCount <= memoryLeft else { return stored }
        let kinds: [LayerKernel] = [stored.kind, .reference("Conv2D")]
        let steps = [stored.step, alternative]
        var failure: (any Error)?
        let winners = Self.winners(rowsPerSample: pixels, multiplyAccumulatesPerRow: multiplyAccumulatesPerPixel,
                                   timer: timer) { rows in
            let batch = rows / max(1, pixels)
            let buffers = TimingBuffers(inputCount: batch * inputElements, outputCount: batch * outputElements)
            let calls = steps.map { step in
                {
                    do { try step.execute(input: buffers.input, output: buffers.output, batch: batch, threads: threads) }
                    catch { failure = error }
                }
            }
            return (calls, buffers.deallocate)
        }
        if let failure { throw failure }
        guard winners.contains(1) else { return stored }
        let (ranges, kept) = Self.ranges(winners: winners, kinds: kinds)
        let choice = BatchChoice(forms: kept.map { steps[$0] }, ranges: ranges.map { ($0.range, $0.index) },
                                 encodingByteCount: stored.step.weightByteCount)
        memoryLeft -= alternative.weightByteCount
        let step = Step(node: stored.step.node, name: stored.step.name, operation: .chosen(choice),
                        inputs: stored.step.inputs, outputs: stored.step.outputs,
                        transform: .none(channels: stored.step.transform.channels))
        return (step, .chosen(stored: stored.kind, byBatch: ranges.map(\.range)))
    }

    /// Seeded inputs in [−1, 1) and an output buffer for timing calls, freed by `deallocate`.
    struct TimingBuffers {
        let input: UnsafeMutablePointer<Float>, output: UnsafeMutablePointer<Float>

        init(inputCount: Int, outputCount: Int) {
            input = .allocate(capacity: max(1, inputCount))
            output = .allocate(capacity: max(1, outputCount))
            var state: UInt64 = 0x9E37_79B9_7F4A_7C15
            for index in 0..<max(1, inputCount) {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                input[index] = Float(Int64(bitPattern: state) >> 40) / Float(1 << 23)
            }
            output.initialize(repeating: 0, count: max(1, outputCount))
        }

        func deallocate() {
            input.deallocate()
            output.deallocate()
        }
    }

    /// The median seconds of one call of each candidate, run round-robin so that a change of
    /// clock or load hits all of them alike: one warm-up call each (caches, packing scratch,
    /// worker pool), then at least `minimumTimingRounds` and at most `maximumTimingRounds`
    /// rounds, stopping once `timingBudgetSeconds` have passed.
    static func timeCalls(_ calls: [() -> Void], rows: Int) -> [Double] {
        var samples = [[Double]](repeating: [], count: calls.count)
        for call in calls { call() }
        let start = ContinuousClock.now
        for round in 0..<maximumTimingRounds {
            for (index, call) in calls.enumerated() {
                let begin = ContinuousClock.now
                call()
                samples[index].append(Self.seconds(ContinuousClock.now - begin))
            }
            if round + 1 >= minimumTimingRounds && Self.seconds(ContinuousClock.now - start) > timingBudgetSeconds { break }
        }
        return samples.map { $0.sorted()[$0.count / 2] }
    }

    private static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) * 1e-18
    }
}

extension LayerKernel {
    /// The kernel that runs `batch` samples: the range's kernel of a `.chosen` layer (inside a
    /// `.convolution` too), else this kernel.
    public func kernel(forBatch batch: Int) -> LayerKernel {
        switch self {
        case let .chosen(_, byBatch):
            byBatch.first { $0.contains(batch) }?.kernel ?? byBatch.last?.kernel ?? self
        case let .convolution(matrix): .convolution(matrix.kernel(forBatch: batch))
        default: self
        }
    }
}
