extension ExecutionPlan {
    /// Bytes of weights each node's kernel reads per inference, in `layers` order: the packed
    /// sizes of matrix kernels (with any per-channel scale and shift they apply), 4 bytes per
    /// fp32 weight of nodes on their op's own kernel, 0 for nodes without weights and for nodes
    /// folded or fused into another node's step (their parameters count there).
    public var layerWeightBytes: [Int] {
        var bytes = [Int](repeating: 0, count: layers.count)
        for step in steps { bytes[step.node] = step.weightByteCount }
        return bytes
    }

    /// Bytes of the weights' second forms the plan keeps because they ran faster than the
    /// stored encoding's kernel at some batch size (`KernelSelection.measured`): each `.chosen`
    /// layer's forms together, less the packed encoding it would hold anyway (negative when a
    /// form replaced the encoding everywhere and is smaller, 0 when no layer is `.chosen`).
    public var alternateFormBytes: Int {
        steps.reduce(0) { total, step in
            switch step.operation {
            case let .linear(kernel, _, _, _), let .convolution(kernel, _, _):
                guard case let .chosen(choice) = kernel else { return total }
                return total + kernel.residentByteCount - choice.encodingByteCount
            case let .chosen(choice):
                return total + choice.forms.reduce(0) { $0 + $1.weightByteCount } - choice.encodingByteCount
            default:
                return total
            }
        }
    }

    /// Bytes of the activation arena the plan holds now (sized for the largest batch run so far;
    /// 0 before the first run). Convolution im2col scratch is not included.
    public var activationBufferBytes: Int { arena == nil ? 0 : 4 * max(1, arenaSampleElements * capacityBatch) }

    /// Arena bytes per sample: what the buffer-reusing layout needs for one sample.
    public var arenaBytesPerSample: Int { 4 * arenaSampleElements }

    /// Bytes per sample that one buffer per (non-aliased) value would take, without reuse.
    public var unsharedActivationBytesPerSample: Int { 4 * unsharedSampleElements }

    /// Weight bytes plus activation-buffer bytes: what the plan itself keeps allocated.
    public var runtimeBytes: Int { layerWeightBytes.reduce(0, +) + activationBufferBytes }
}
