import ShrinkEncodings
import ShrinkFormats
import ShrinkKernels
import ShrinkNN
import ShrinkTensor

/// A graph compiled for inference (`ExecutionPlan+Compile.swift`): nodes in topological order,
/// one packed kernel per weight-matrix node chosen from its weight's stored encoding, every other
/// node on its op's own inference kernel, and every activation in one reused arena.
///
/// Kernel choice per `Linear` weight (`StoredTensor.encoding`; a `Conv2D` with a coded weight is
/// lowered with im2col onto the same matrix kernel, `.convolution`), before `KernelSelection.measured`
/// may pair an fp16, palette or sparse kernel with its exact fp32 form per batch range (`.chosen`):
/// - affine 8-bit signed, zero points 0, one scale per output channel (or per tensor) → `.int8`:
///   activations quantized to u8 per row at run time, or with the calibrated parameters of the
///   node's input value when `activationQuantization` has 8-bit ones (`.int8(static: true)`);
///   affine 5-7-bit codes (any signedness and zero points) run the same int8 kernel on
///   q − zeroPoint, which fits s8;
/// - affine 1-4-bit codes (any signedness and zero points, per channel or per tensor) →
///   `.integer(bits:)`: the codes packed two (3-4 bits) or four (1-2 bits) per byte and
///   multiplied with u8 activations quantized per row at run time (`SubByteLinearWeights`);
/// - fp16 → `.float16`; dense palette → `.palette(bits:)` (≤ 8-bit indices: look-ups from packed
///   nibbles or bytes, `PaletteLinearWeights`; 9-16 bits: fp32 centroids gathered by 16-bit
///   index, `WidePaletteLinearWeights`);
/// - sparse layout → `.sparse` (palettized values when the tensor is a palette of ≤ 256
///   centroids, else fp32 values from the decoded tensor); fp32-valued sparse Linear weights
///   denser than `denseFallbackDensity` run `.float32` instead (dense is faster there, see
///   below); a sparse convolution keeps its CSR kernel at any density (im2col transposed, one
///   contiguous multiply-add per non-zero: at 32×32 it beat dense from 80 % zeros at batch 1
///   and 64, `shrink-benchmarks sparse-break-even`), and `.measured` kernel selection times it
///   against the dense form;
/// - anything else (plain fp32, other affine codes: 8-bit unsigned or with zero points, 9-16
///   bits, channels not along the output axis) → `.float32` on the decoded values
///   (`Float32LinearWeights`: weights in 32-column panels, streamed up to 4 rows, blocked GEMM beyond). fp32
///   convolutions keep their op's own kernel (im2col + SGEMM).
///
/// The plan holds one copy of each weight in its runtime form (packed, or the op kernel's
/// parameters) and neither the decoded tensors nor the model file. Activation buffers grow to
/// the largest batch run, so repeated runs allocate only returned tensors (and what op kernels
/// allocate). Not thread-safe: one plan per thread.
public final class ExecutionPlan {
    /// Every graph node with its kernel, in execution (topological) order.
    public let layers: [PlannedLayer]
    /// The per-sample shape of the first graph input.
    public let inputShape: [Int]
    /// The per-sample shape of the first graph output.
    public let outputShape: [Int]
    /// The most threads a large layer may use.
    public let threads: Int
    /// The graph's input and output value names.
    public let inputNames: [String], outputNames: [String]
    /// The batch size every run must have when a value's axis 0 is a fixed size rather than
    /// the `batch` symbol (a graph whose inputs have fully fixed shapes, such as `[3, 4, 5]`);
    /// nil when any batch size runs.
    public let fixedBatchSize: Int?

    /// The density above which fp32-valued sparse weights run the dense fp32 kernel: a CSR
    /// non-zero costs about 0.3 ns at batch 1 on Zen 4 against about 0.045 ns per dense weight
    /// (LeNet-300-100: 25 % dense CSR 21.8 µs, dense 11.7 µs), while at batch 64 CSR still wins
    /// at 25 % (233 vs 391 µs) and ties at 50 %. Above 30 % CSR is never the faster one, so the
    /// pruned file keeps its smaller size on disk and runs as fast as the dense model.
    public static let denseFallbackDensity = 0.3

    /// Multiply-accumulates per call (batch · outputs · inputs, dense-equivalent) below which a
    /// layer runs on one thread even when the plan may use more.
    ///
    /// 2^17 = 131,072, measured on the 2-core Zen 4 VM with `shrink-benchmarks parallel-overhead`
    /// and `runtime --threads 1/2` (release, medians): the worker pool hands a chunk to a spinning
    /// worker in about 0.1 µs (empty 2-chunk call) to 0.4 µs (2 × 2.9 µs of work: 3.2 µs against
    /// 5.7 µs on one thread); Dispatch took 10–12 µs there. LeNet-300-100's fc1 (235,200 MACs)
    /// therefore splits: batch 1, threads 2 vs 1 (medians of 8 alternated runs, µs), fp32 8.0
    /// vs 12.7 (each core's L2 holds half of the 0.94 MB of weights), fp16 5.9 vs 7.4, 4-bit
    /// palette 6.9 vs 9.5, sparse 8 % palette 7.8 vs 8.6, sparse 8 % fp32 7.7 vs 8.0 (the sparse
    /// gains are within this VM's run-to-run noise). int8 layers count a quarter of their MACs
    /// (`LinearKernel.parallelWork`), so int8 fc1 stays on one thread: split, it was 3.9 vs 3.7.
    /// fc2 (30,000 MACs) does not split: with threshold 2^14 it did, and int8 and sparse got
    /// 0.5 µs slower. A worker idle for over 10 ms has blocked and costs 18–25 µs to wake
    /// (inside pthread_cond_broadcast on this VM), so the first call after a long idle loses.
    static let parallelWorkThreshold = 1 << 17

    /// The steps that run, in order (merged nodes have none).
    let steps: [Step]
    /// Where each value lives (by value id) and its floats per sample.
    let locations: [ValueLocation]
    let valueSizes: [Int]
    let sampleShapes: [[Int]]
    let valueIDs: [String: Int]
    let inputIDs: [Int], outputIDs: [Int]
    /// The arena's floats per sample (offsets scale with the batch).
    let arenaSampleElements: Int
    /// The floats per sample one buffer per non-aliased value would take (no reuse).
    let unsharedSampleElements: Int

    /// The arena, sized for `capacityBatch` samples.
    var arena: UnsafeMutablePointer<Float>? = nil
    var capacityBatch = 0
    /// The input pointer of single-input runs, kept to avoid allocating an array per run.
    private var singleInput = [UnsafePointer<Float>(bitPattern: 64)!]

    /// Compiles `graph` with its weights `tensors` (by full name, `fc1.weight`; a model file's
    /// tensor table) for inference.
    ///
    /// - Parameters:
    ///   - activationQuantization: calibrated parameters per graph value name; an int8 node whose
    ///     input value has 8-bit ones quantizes with exactly those (`LayerKernel.int8(static: true)`).
    ///   - threads: the most threads a large layer may use.
    ///   - kernelSelection: the encoding's kernel for every weight (`.encoding`, the default), or
    ///     per batch range the faster of it and its exact fp32 form, timed while compiling
    ///     (`.measured`, `KernelSelection.standard`: what the CLI runs).
    /// - Throws: `ExecutionPlanError` naming the node at fault.
    public convenience init(graph: Graph, tensors: [StoredTensor], activationQuantization: [String: ActivationQuantization] = [:],
                            threads: Int = 1, kernelSelection: KernelSelection = .encoding,
                            registry: OperatorRegistry = .standard) throws {
        try self.init(graph: graph, tensors: tensors, activationQuantization: activationQuantization, threads: threads,
                      kernelSelection: kernelSelection, registry: registry, kernelTimer: ExecutionPlan.timeCalls)
    }

    /// Compiles with `kernelTimer` timing the candidate kernels of `.measured` selection (the
    /// wall clock in every public initializer; tests pass fixed timings to pin the decisions).
    init(graph: Graph, tensors: [StoredTensor], activationQuantization: [String: ActivationQuantization], threads: Int,
         kernelSelection: KernelSelection, registry: OperatorRegistry, kernelTimer: @escaping KernelTimer) throws {
        let compiled = try Compiler(graph: graph, tensors: tensors, activationQuantization: activationQuantization,
                                    selection: kernelSelection, threads: max(1, threads), timer: kernelTimer,
                                    registry: registry).compile()
        self.threads = max(1, threads)
        layers = compiled.layers
        steps = compiled.steps
        locations = compiled.locations
        valueSizes = compiled.valueSizes
        sampleShapes = compiled.sampleShapes
        valueIDs = compiled.valueIDs
        inputIDs = compiled.inputIDs
        outputIDs = compiled.outputIDs
        inputNames = compiled.inputNames
        outputNames = compiled.outputNames
        inputShape = compiled.inputShape
        outputShape = compiled.outputShape
        fixedBatchSize = compiled.fixedBatchSize
        arenaSampleElements = compiled.arenaSampleElements
        unsharedSampleElements = compiled.unsharedSampleElements
    }

    /// Compiles a model file's graph and tensors (see `init(graph:tensors:...)`).
    public convenience init(file: ModelFile, threads: Int = 1, kernelSelection: KernelSelection = .encoding) throws {
        try self.init(graph: file.graph, tensors: file.tensors, activationQuantization: file.activationQuantization, threads: threads,
                      kernelSelection: kernelSelection)
    }

    deinit { arena.map { UnsafeMutableRawPointer($0).deallocate() } }

    /// Where graph value `name` lives while the plan runs (nil for an unknown name).
    public func storage(of name: String) -> ValueStorage? {
        guard let id = valueIDs[name] else { return nil }
        switch locations[id] {
        case let .input(index): return .graphInput(inputNames[index])
        case let .arena(offset): return .arena(offset: offset, elements: valueSizes[id])
        }
    }

    /// The logits for `input` ([batch] + inputShape) as [batch] + outputShape, e.g. [batch, classes]
    /// (a single-input graph; its first output). Allocates only the returned tensor once the
    /// arena is sized for this batch.
    public func run(_ input: Tensor) throws -> Tensor {
        guard input.rank == inputShape.count + 1,
              zip(input.shape.dropFirst(), inputShape).allSatisfy({ $0 == $1 }) else {
            throw ExecutionPlanError.inputShape(expectedSample: inputShape, got: input.shape)
        }
        let batch = input.shape[0]
        try checkBatchSize(batch)
        var scalars = [Float](repeating: 0, count: batch * outputShape.reduce(1, *))
        try input.withUnsafeBufferPointer { source in
            try scalars.withUnsafeMutableBufferPointer { target in
                try run(input: source, batch: batch, output: target)
            }
        }
        return Tensor(shape: [batch] + outputShape, scalars: scalars)
    }

    /// Runs a graph with any number of inputs and outputs: `inputs` by graph input name (each
    /// [batch] + its per-sample shape, one batch size), every graph output returned by name.
    public func run(inputs: [String: Tensor]) throws -> [String: Tensor] {
        var tensors = [Tensor]()
        var batch: Int?
        for (index, name) in inputNames.enumerated() {
            guard let tensor = inputs[name] else { throw ExecutionPlanError.inputs("missing graph input '\(name)'") }
            let sample = sampleShape(of: inputIDs[index])
            guard tensor.rank == sample.count + 1, Array(tensor.shape.dropFirst()) == sample,
                  batch == nil || batch == tensor.shape[0] else {
                throw ExecutionPlanError.inputShape(expectedSample: sample, got: tensor.shape)
            }
            batch = tensor.shape[0]
            tensors.append(tensor)
        }
        let rows = batch ?? 0
        try checkBatchSize(rows)
        var results = [String: Tensor]()
        try Self.withPointers(tensors) { pointers in
            var profile: OperatorProfile? = nil
            if rows > 0 { try execute(inputs: pointers, batch: rows, profile: &profile) }
            for (index, name) in outputNames.enumerated() {
                let id = outputIDs[index], count = rows * valueSizes[id]
                let scalars = rows == 0 ? [] : Array(UnsafeBufferPointer(start: pointer(of: id, batch: rows, inputs: pointers),
                                                                         count: count))
                results[name] = Tensor(shape: [rows] + sampleShape(of: id), scalars: scalars)
            }
        }
        return results
    }

    /// Runs `batch` samples from `input` ([batch] + inputShape, row-major) into `output`
    /// ([batch] + outputShape) for a single-input graph (its first output): no allocation once
    /// the arena is sized for this batch (apart from what op kernels and multi-threaded int8
    /// layers allocate).
    public func run(input: UnsafeBufferPointer<Float>, batch: Int, output: UnsafeMutableBufferPointer<Float>) throws {
        var profile: OperatorProfile? = nil
        try run(input: input, batch: batch, output: output, profile: &profile)
    }

    /// Like `run(input:batch:output:)`, adding each step's wall-clock time to `profile` under its
    /// kernel's `operatorKind` when `profile` is not nil (two clock reads per step; pass nil for
    /// unprofiled runs). Int8 layers then run in three timed stages: `quantize`, `linear-int8`
    /// (or `linear-int8-static`; the int32 products only) and `dequantize` (same results as the
    /// fused unprofiled kernel).
    public func run(input: UnsafeBufferPointer<Float>, batch: Int, output: UnsafeMutableBufferPointer<Float>,
                    profile: inout OperatorProfile?) throws {
        guard inputIDs.count == 1 else {
            throw ExecutionPlanError.inputs("the graph has \(inputIDs.count) inputs; use run(inputs:)")
        }
        let inputSize = valueSizes[inputIDs[0]], outputSize = valueSizes[outputIDs[0]]
        guard batch >= 0, input.count == batch * inputSize, output.count == batch * outputSize else {
            throw ExecutionPlanError.bufferSizes(batch: batch, input: input.count, output: output.count)
        }
        try checkBatchSize(batch)
        guard batch > 0 else { return }
        // The plan's own one-element pointer array: no allocation per run.
        singleInput[0] = input.baseAddress!
        try execute(inputs: singleInput, batch: batch, profile: &profile)
        output.baseAddress!.update(from: pointer(of: outputIDs[0], batch: batch, inputs: singleInput), count: batch * outputSize)
    }

    /// Throws unless `batch` is the graph's fixed batch size, when it has one.
    private func checkBatchSize(_ batch: Int) throws {
        if let fixedBatchSize, batch != fixedBatchSize {
            throw ExecutionPlanError.batchSize(expected: fixedBatchSize, got: batch)
        }
    }

    /// The per-sample shape of value `id`.
    func sampleShape(of id: Int) -> [Int] { sampleShapes[id] }

    private static func withPointers<Result>(_ tensors: [Tensor], _ collected: [UnsafePointer<Float>] = [],
                                             _ body: ([UnsafePointer<Float>]) throws -> Result) throws -> Result {
        guard collected.count < tensors.count else { return try body(collected) }
        return try tensors[collected.count].withUnsafeBufferPointer { buffer in
            // An empty batch has no storage; any non-nil pointer will do, nothing reads it.
            let pointer = buffer.baseAddress ?? UnsafePointer(bitPattern: 64)!
            return try withPointers(tensors, collected + [pointer], body)
        }
    }
}
