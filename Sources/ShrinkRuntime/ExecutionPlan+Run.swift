import ShrinkKernels
import ShrinkTensor

extension ExecutionPlan {
    /// Where a value lives: a graph input's caller buffer, or the arena at a per-sample offset.
    enum ValueLocation: Equatable {
        case input(Int)
        case arena(Int)
    }

    /// The start of value `id` for a run of `batch` samples.
    func pointer(of id: Int, batch: Int, inputs: [UnsafePointer<Float>]) -> UnsafePointer<Float> {
        switch locations[id] {
        case let .input(index): inputs[index]
        case let .arena(offset): UnsafePointer(arena! + offset * batch)
        }
    }

    /// Runs every step for `batch` samples read from `inputs` (one per graph input). Allocates
    /// nothing once the arena is sized (op kernels allocate their tensors).
    func execute(inputs: [UnsafePointer<Float>], batch: Int, profile: inout OperatorProfile?) throws {
        prepareArena(batch: batch)
        let arena = self.arena!
        func address(_ id: Int) -> UnsafeMutablePointer<Float> {
            switch locations[id] {
            case let .input(index): UnsafeMutablePointer(mutating: inputs[index])
            case let .arena(offset): arena + offset * batch
            }
        }
        guard profile != nil else {
            for step in steps {
                if step.isReference {
                    try step.execute(inputs: step.inputs.map { UnsafePointer(address($0)) }, outputs: step.outputs.map(address),
                                     batch: batch, threads: threads)
                } else {
                    try step.execute(input: address(step.inputs[0]),
                                     second: step.inputs.count > 1 ? address(step.inputs[1]) : nil,
                                     output: address(step.outputs[0]), batch: batch, threads: threads)
                }
            }
            return
        }
        var stepIndex = 0
        for (index, layer) in layers.enumerated() {
            if layer.kernel == .identity { profile?.add(kind: layer.kernel.operatorKind, seconds: 0) }
            guard stepIndex < steps.count, steps[stepIndex].node == index else { continue }
            let step = steps[stepIndex]
            stepIndex += 1
            if step.runsInStages {
                try step.executeInStages(input: address(step.inputs[0]), output: address(step.outputs[0]), batch: batch,
                                         threads: threads, kind: layer.kernel.kernel(forBatch: batch).operatorKind, profile: &profile)
                continue
            }
            let start = ContinuousClock.now
            if step.isReference {
                try step.execute(inputs: step.inputs.map { UnsafePointer(address($0)) }, outputs: step.outputs.map(address),
                                 batch: batch, threads: threads)
            } else {
                try step.execute(input: address(step.inputs[0]), second: step.inputs.count > 1 ? address(step.inputs[1]) : nil,
                                 output: address(step.outputs[0]), batch: batch, threads: threads)
            }
            let (seconds, attoseconds) = (ContinuousClock.now - start).components
            profile?.add(kind: layer.kernel.kernel(forBatch: batch).operatorKind, seconds: Double(seconds) + Double(attoseconds) * 1e-18)
        }
    }

    /// Sizes the arena for `batch`: it only grows (to the largest batch run so far) and smaller
    /// batches use its start with offsets scaled to their size, so alternating batch sizes (as the
    /// interleaved bench does) neither allocates nor moves it.
    private func prepareArena(batch: Int) {
        guard batch > capacityBatch || arena == nil else { return }
        arena.map { UnsafeMutableRawPointer($0).deallocate() }
        let count = max(1, arenaSampleElements * batch)
        // 64-byte aligned (offsets are multiples of 16 floats): kernels read activations with
        // full-width vector loads.
        let raw = UnsafeMutableRawPointer.allocate(byteCount: 4 * count, alignment: 64)
        let floats = raw.bindMemory(to: Float.self, capacity: count)
        floats.initialize(repeating: 0, count: count)
        arena = floats
        capacityBatch = max(batch, 1)
    }
}
