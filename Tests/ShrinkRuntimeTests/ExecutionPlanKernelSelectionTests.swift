import ShrinkFormats
import ShrinkNN
@testable import ShrinkRuntime
import ShrinkTensor
import Testing

/// `KernelSelection.measured`: the decisions are pinned with fixed timings (a timer that says
/// which form is faster at which row count), the real wall-clock timing only has to keep results
/// equal to the encoding's kernel.
@Suite("ExecutionPlan kernel selection")
struct ExecutionPlanKernelSelectionTests {
    /// Records the row counts it was asked about; the fp32 form (candidate 1) takes
    /// `float32Seconds(rows)`, the encoding's kernel 1 s.
    final class FixedTimer: @unchecked Sendable {
        var calls = [(kernels: Int, rows: Int)]()
        let float32Seconds: (Int) -> Double
        init(float32Seconds: @escaping (Int) -> Double) { self.float32Seconds = float32Seconds }
        func time(_ candidates: [() -> Void], rows: Int) -> [Double] {
            calls.append((candidates.count, rows))
            return [1, float32Seconds(rows)]
        }
    }

    static func plan(_ file: ModelFile, limit: Int = 1 << 30, timer: FixedTimer) throws -> ExecutionPlan {
        try ExecutionPlan(graph: file.graph, tensors: file.tensors, activationQuantization: file.activationQuantization,
                          threads: 1, kernelSelection: .measured(memoryLimitBytes: limit), registry: .standard,
                          kernelTimer: timer.time)
    }

    /// The same file with every tensor stored as its decoded fp32 values.
    static func decoded(_ file: ModelFile) throws -> ModelFile {
        var copy = file
        copy.tensors = file.tensors.map { StoredTensor(name: $0.name, kind: $0.kind, value: $0.value) }
        return copy
    }

    static func run(_ plan: ExecutionPlan, batch: Int) throws -> [Float] {
        try plan.run(ExecutionPlanTests.input(batch: batch, shape: [1, 28, 28], seed: UInt64(batch) + 11)).scalars
    }

    @Test("fp32 faster at batch 1 only: b1–2 run the fp32 form, exactly; larger batches the encoding's kernel, exactly")
    func batchOneOnly() throws {
        let file = try HandCompression.file(ExecutionPlanTests.mlp, encoding: .sparseFloat(keep: 0.2), seed: 3)
        let timer = FixedTimer { rows in rows <= 2 ? 0.5 : 2 }
        let plan = try Self.plan(file, timer: timer)
        let encoding = try ExecutionPlan(file: file)
        let float32 = try ExecutionPlan(file: try Self.decoded(file))
        #expect(timer.calls.map(\.rows) == [1, 8, 64, 1, 8, 64]) // fc1, fc2 at batch 1, 8, 64
        for index in [1, 3] {
            guard case let .chosen(stored, byBatch) = plan.layers[index].kernel else {
                Issue.record("\(plan.layers[index].name): \(plan.layers[index].kernel)")
                continue
            }
            #expect(stored == encoding.layers[index].kernel)
            #expect(byBatch == [BatchKernel(firstBatch: 1, lastBatch: 2, kernel: .float32),
                                BatchKernel(firstBatch: 3, lastBatch: nil, kernel: stored)])
            #expect(plan.layers[index].kernel.kernel(forBatch: 2) == .float32)
            #expect(plan.layers[index].kernel.kernel(forBatch: 3) == stored)
            #expect(plan.layers[index].kernel.description.hasSuffix("→ float32 at b1–2"))
        }
        for batch in [1, 2] { #expect(try Self.run(plan, batch: batch) == Self.run(float32, batch: batch)) }
        for batch in [3, 8, 64] { #expect(try Self.run(plan, batch: batch) == Self.run(encoding, batch: batch)) }
        // Both forms are kept: the fp32 one is extra.
        #expect(plan.alternateFormBytes == float32.layerWeightBytes.reduce(0, +))
    }

    @Test("fp32 faster everywhere: the encoding's form is dropped; the memory change is fp32 less the encoding")
    func float32Everywhere() throws {
        let file = try HandCompression.file(ExecutionPlanTests.mlp, encoding: .palette(bits: 4), seed: 5)
        let plan = try Self.plan(file, timer: FixedTimer { _ in 0.5 })
        let encoding = try ExecutionPlan(file: file)
        let float32 = try ExecutionPlan(file: try Self.decoded(file))
        #expect(plan.layers[1].kernel == .chosen(stored: .palette(bits: 4),
                                                 byBatch: [BatchKernel(firstBatch: 1, lastBatch: nil, kernel: .float32)]))
        for batch in [1, 8, 64] { #expect(try Self.run(plan, batch: batch) == Self.run(float32, batch: batch)) }
        let fp32Bytes = float32.layerWeightBytes.reduce(0, +), encodingBytes = encoding.layerWeightBytes.reduce(0, +)
        #expect(plan.alternateFormBytes == fp32Bytes - encodingBytes)
        #expect(plan.layerWeightBytes == float32.layerWeightBytes)
    }

    @Test("no faster form, a gain under 5 %, or no memory left: the encoding's kernel alone")
    func keepsEncoding() throws {
        let file = try HandCompression.file(ExecutionPlanTests.mlp, encoding: .float16, seed: 9)
        let encoding = try ExecutionPlan(file: file), float32 = try ExecutionPlan(file: try Self.decoded(file))
        for timer in [FixedTimer { _ in 2 }, FixedTimer { _ in 0.97 }] {
            let plan = try Self.plan(file, timer: timer)
            #expect(plan.layers.map(\.kernel) == encoding.layers.map(\.kernel))
            #expect(plan.alternateFormBytes == 0)
        }
        // Room for fc2's fp32 form (2,600 bytes) but not fc1's (200,960): fc1 keeps fp16.
        let plan = try Self.plan(file, limit: 4 * (784 * 64 + 64) - 1, timer: FixedTimer { _ in 0.1 })
        #expect(plan.layers[1].kernel == .float16)
        #expect(plan.layers[3].kernel.kernel(forBatch: 1) == .float32)
        #expect(plan.alternateFormBytes == float32.layerWeightBytes[3] - encoding.layerWeightBytes[3])
    }

    @Test("fp32, int8 and sub-byte weights are never timed (their activation quantization is part of their results)")
    func noAlternatives() throws {
        for handEncoding in [HandEncoding.float32, .int8, .affine(bits: 4, isSigned: true, perTensor: false)] {
            let file = try HandCompression.file(ExecutionPlanTests.mlp, encoding: handEncoding, seed: 4)
            let timer = FixedTimer { _ in 0.01 }
            let plan = try Self.plan(file, timer: timer)
            #expect(timer.calls.isEmpty)
            #expect(plan.layers.map(\.kernel) == (try ExecutionPlan(file: file)).layers.map(\.kernel))
            #expect(plan.alternateFormBytes == 0)
        }
    }

    @Test("a coded convolution is timed as whole steps against the op's fp32 kernel, per batch · pixels rows")
    func convolutionRows() throws {
        let file = try HandCompression.file(ExecutionPlanTests.convolutionNet, encoding: .palette(bits: 4), seed: 2,
                                            convolutions: true)
        let timer = FixedTimer { rows in rows < 100 ? 0.5 : 2 }
        let plan = try Self.plan(file, timer: timer)
        // conv1: 8×8 output pixels per sample; fc1: one row per sample.
        #expect(timer.calls.map(\.rows) == [64, 512, 4096, 1, 8, 64])
        #expect(plan.layers[0].kernel.kernel(forBatch: 1) == .reference("Conv2D"))
        #expect(plan.layers[0].kernel.kernel(forBatch: 3) == .convolution(.palette(bits: 4)))
        #expect(plan.layers[0].kernel.description == "conv(palette(4)) → reference(Conv2D) at b1–2")
        // fc1's rows (1, 8, 64) are all under 100: fp32 at every batch.
        #expect(plan.layers[5].kernel.kernel(forBatch: 64) == .float32)
        let encoding = try ExecutionPlan(file: file)
        for batch in [1, 3, 8] {
            let input = ExecutionPlanTests.input(batch: batch, shape: [1, 8, 8], seed: 5)
            #expect(ExecutionPlanTests.relativeError(try plan.run(input), try encoding.run(input)) <= 1e-5)
        }
    }

    @Test("timed on the wall clock, every form gives the encoding's results", arguments: [
        HandEncoding.float16, .palette(bits: 4), .palette(bits: 10), .sparseFloat(keep: 0.25), .sparsePalette(keep: 0.1, bits: 5),
    ])
    func wallClock(encoding handEncoding: HandEncoding) throws {
        let file = try HandCompression.file(ExecutionPlanTests.mlp, encoding: handEncoding, seed: 8)
        let measured = try ExecutionPlan(file: file, kernelSelection: .standard)
        let encoding = try ExecutionPlan(file: file)
        for (layer, stored) in zip(measured.layers, encoding.layers) {
            for batch in [1, 8, 64] {
                let runs = layer.kernel.kernel(forBatch: batch)
                #expect(runs == stored.kernel || runs == .float32, "\(layer.name) at \(batch): \(layer.kernel)")
            }
        }
        for batch in [1, 5, 64] {
            let input = ExecutionPlanTests.input(batch: batch, shape: [1, 28, 28], seed: 21)
            #expect(ExecutionPlanTests.relativeError(try measured.run(input), try encoding.run(input)) <= 1e-5)
        }
    }

    @Test("timed on the wall clock, coded convolutions give the encoding's results", arguments: [
        HandEncoding.float16, .palette(bits: 4), .sparseFloat(keep: 0.25),
    ])
    func wallClockConvolutions(encoding handEncoding: HandEncoding) throws {
        let file = try HandCompression.file(ExecutionPlanTests.convolutionNet, encoding: handEncoding, seed: 6, convolutions: true)
        let measured = try ExecutionPlan(file: file, kernelSelection: .standard)
        let encoding = try ExecutionPlan(file: file)
        for batch in [1, 5, 64] {
            let runs = measured.layers[0].kernel.kernel(forBatch: batch)
            #expect(runs == encoding.layers[0].kernel || runs == .reference("Conv2D"), "\(measured.layers[0].kernel)")
            let input = ExecutionPlanTests.input(batch: batch, shape: [1, 8, 8], seed: 13)
            #expect(ExecutionPlanTests.relativeError(try measured.run(input), try encoding.run(input)) <= 1e-5)
        }
    }
}

/// The wide-palette kernel (10-bit indices) in a plan and in kernel selection.
@Suite("ExecutionPlan wide palettes")
struct ExecutionPlanWidePaletteTests {
    @Test("a 10-bit palette runs its own kernel (16-bit indices, fp32 centroids) and matches the decoded weights")
    func runsWidePaletteKernel() throws {
        let file = try HandCompression.file(ExecutionPlanTests.mlp, encoding: .palette(bits: 10), seed: 12)
        let plan = try ExecutionPlan(file: file)
        #expect(plan.layers.map(\.kernel) == [.identity, .palette(bits: 10), .fused(into: "fc1"), .palette(bits: 10)])
        // fc1: 64 × 784 two-byte indices, 1,024 centroids and 64 biases as fp32; fc2 one 64-column panel.
        #expect(plan.layerWeightBytes[1] == 2 * 64 * 784 + 4 * 1024 + 4 * 64)
        #expect(plan.layerWeightBytes[3] == 2 * 64 * 64 + 4 * 1024 + 4 * 10)
        let decoded = try ExecutionPlan(file: try ExecutionPlanKernelSelectionTests.decoded(file))
        for batch in [1, 2, 7, 64] {
            let input = ExecutionPlanTests.input(batch: batch, shape: [1, 28, 28], seed: UInt64(batch) + 40)
            #expect(ExecutionPlanTests.relativeError(try plan.run(input), try decoded.run(input)) <= 1e-5)
        }
    }

    @Test("timed against its fp32 form: fp32 faster from batch 23 on runs there, the palette kernel below, exactly")
    func selection() throws {
        let file = try HandCompression.file(ExecutionPlanTests.mlp, encoding: .palette(bits: 10), seed: 13)
        let timer = ExecutionPlanKernelSelectionTests.FixedTimer { rows in rows >= 64 ? 0.5 : 2 }
        let plan = try ExecutionPlanKernelSelectionTests.plan(file, timer: timer)
        let encoding = try ExecutionPlan(file: file)
        let float32 = try ExecutionPlan(file: try ExecutionPlanKernelSelectionTests.decoded(file))
        #expect(timer.calls.map(\.rows) == [1, 8, 64, 1, 8, 64]) // fc1, fc2 at batch 1, 8, 64
        for index in [1, 3] {
            #expect(plan.layers[index].kernel == .chosen(
                stored: .palette(bits: 10), byBatch: [BatchKernel(firstBatch: 1, lastBatch: 22, kernel: .palette(bits: 10)),
                                                      BatchKernel(firstBatch: 23, lastBatch: nil, kernel: .float32)]))
        }
        for batch in [1, 8, 22] {
            #expect(try ExecutionPlanKernelSelectionTests.run(plan, batch: batch)
                        == ExecutionPlanKernelSelectionTests.run(encoding, batch: batch))
        }
        for batch in [23, 64] {
            #expect(try ExecutionPlanKernelSelectionTests.run(plan, batch: batch)
                        == ExecutionPlanKernelSelectionTests.run(float32, batch: batch))
        }
        #expect(plan.alternateFormBytes == float32.layerWeightBytes.reduce(0, +))
    }
}
