import ShrinkNN
import ShrinkTensor

/// Which slices of a parameter survive structured pruning: indices along axis 0 (output units
/// or channels) and along axis 1 (input features or channels); nil keeps the whole axis.
public struct TensorSelection: Equatable, Sendable {
    public var rows: [Int]?
    public var columns: [Int]?

    public init(rows: [Int]?, columns: [Int]?) {
        self.rows = rows
        self.columns = columns
    }

    /// The kept part of `tensor`, viewed as `[d0, d1, inner]` (`d1 = inner = 1` for rank 1).
    public func apply(to tensor: Tensor) -> Tensor {
        let shape = tensor.shape
        precondition(!shape.isEmpty, "cannot slice a scalar")
        let extent0 = shape[0]
        let extent1 = shape.count > 1 ? shape[1] : 1
        let inner = shape.count > 2 ? shape.dropFirst(2).reduce(1, *) : 1
        precondition(columns == nil || shape.count > 1, "column selection on a rank-1 tensor")
        let keptRows = rows ?? Array(0..<extent0)
        let keptColumns = columns ?? Array(0..<extent1)
        var newShape = shape
        newShape[0] = keptRows.count
        if shape.count > 1 { newShape[1] = keptColumns.count }
        var scalars = [Float]()
        scalars.reserveCapacity(keptRows.count * keptColumns.count * inner)
        tensor.withUnsafeBufferPointer { values in
            for row in keptRows {
                precondition(row >= 0 && row < extent0, "row \(row) out of range 0..<\(extent0)")
                for column in keptColumns {
                    precondition(column >= 0 && column < extent1, "column \(column) out of range 0..<\(extent1)")
                    let start = (row * extent1 + column) * inner
                    scalars.append(contentsOf: values[start..<start + inner])
                }
            }
        }
        return Tensor(shape: newShape, scalars: scalars)
    }
}

/// Rebuilds a `Sequential` without some output units of its weight layers, shrinking what follows.
public enum NetworkSurgery {
    /// The architecture without the removed units and, per affected parameter, what survives.
    ///
    /// `keptOutputs[layer]` lists (ascending) the output units (Linear) or filters (Conv2D) that
    /// stay. The removal propagates to the next weight layer's inputs through ReLU, dropout and
    /// pooling (channels unchanged), BatchNorm2D (its channels follow) and Flatten (a removed
    /// channel of a `[C, H, W]` activation removes its `H·W` flattened features).
    /// - Throws: `PruningError.unsupportedArchitecture` for nested `Sequential`s or when the
    ///   model's last layers would lose outputs.
    public static func plan(
        architecture: ModelArchitecture, keptOutputs: [String: [Int]]
    ) throws(PruningError) -> (architecture: ModelArchitecture, selections: [String: TensorSelection]) {
        var shape = architecture.inputShape
        // Kept indices of the current activation's first per-sample axis; nil: all of it.
        var kept: [Int]? = nil
        var layers: [NamedLayerSpecification] = []
        var selections: [String: TensorSelection] = [:]
        for named in architecture.layers {
            let name = named.name
            let outputShape: [Int]
            do {
                outputShape = try named.layer.outputShape(forInputShape: shape, layerName: name)
            } catch {
                throw .rebuildFailed(reason: "\(error)")
            }
            var specification = named.layer
            switch named.layer {
            case let .linear(inputFeatures, outputFeatures, hasBias):
                let rows = keptOutputs[name]
                specification = .linear(
                    inputFeatures: kept?.count ?? inputFeatures, outputFeatures: rows?.count ?? outputFeatures,
                    hasBias: hasBias)
                record(layer: name, rows: rows, columns: kept, hasBias: hasBias, into: &selections)
                kept = rows
            case let .convolution2D(inputChannels, outputChannels, kernelSize, stride, padding, hasBias):
                let rows = keptOutputs[name]
                specification = .convolution2D(
                    inputChannels: kept?.count ?? inputChannels, outputChannels: rows?.count ?? outputChannels,
                    kernelSize: kernelSize, stride: stride, padding: padding, hasBias: hasBias)
                record(layer: name, rows: rows, columns: kept, hasBias: hasBias, into: &selections)
                kept = rows
            case let .batchNormalization2D(channels, epsilon, momentum):
                if let kept {
                    specification = .batchNormalization2D(channels: kept.count, epsilon: epsilon, momentum: momentum)
                    for tensor in ["weight", "bias", "running_mean", "running_var"] {
                        selections["\(name).\(tensor)"] = TensorSelection(rows: kept, columns: nil)
                    }
                } else {
                    specification = .batchNormalization2D(channels: channels, epsilon: epsilon, momentum: momentum)
                }
            case .flatten:
                if let channels = kept {
                    let plane = shape.dropFirst().reduce(1, *)
                    kept = channels.flatMap { channel in (channel * plane)..<(channel * plane + plane) }
                }
            case .relu, .dropout, .maxPool2D, .averagePool2D:
                break
            case .sequential:
                throw .unsupportedArchitecture(reason: "layer \(name) is a nested Sequential")
            }
            layers.append(NamedLayerSpecification(name: name, layer: specification))
            shape = outputShape
        }
        if kept != nil {
            throw .unsupportedArchitecture(reason: "the model's outputs would change (its last weight layer lost units)")
        }
        return (ModelArchitecture(name: architecture.name, inputShape: architecture.inputShape, layers: layers), selections)
    }

    private static func record(
        layer: String, rows: [Int]?, columns: [Int]?, hasBias: Bool, into selections: inout [String: TensorSelection]
    ) {
        guard rows != nil || columns != nil else { return }
        selections["\(layer).weight"] = TensorSelection(rows: rows, columns: columns)
        if hasBias, rows != nil { selections["\(layer).bias"] = TensorSelection(rows: rows, columns: nil) }
    }

    /// Builds the smaller network and copies the surviving values into it; the model's
    /// `parameterStates` follow: masks are sliced like their tensors, quantization and palettes of
    /// sliced tensors are dropped (they no longer describe the tensor).
    /// - Returns: the selections applied, by parameter name.
    @discardableResult
    public static func removeOutputs(
        keptOutputs: [String: [Int]], from model: CompressedModel
    ) throws(PruningError) -> [String: TensorSelection] {
        let old = model.network
        let (architecture, selections) = try plan(architecture: old.architecture, keptOutputs: keptOutputs)
        var generator = SeededRandomNumberGenerator(seed: 0) // initial values are all overwritten
        let network: Sequential
        do {
            network = try Sequential(architecture: architecture, generator: &generator)
        } catch {
            throw .rebuildFailed(reason: "\(error)")
        }
        var tensors = [String: Tensor]()
        for parameter in old.parameters {
            tensors[parameter.name] = selections[parameter.name]?.apply(to: parameter.value) ?? parameter.value
        }
        do {
            try network.loadParameters(tensors)
        } catch {
            throw .rebuildFailed(reason: "\(error)")
        }
        for (name, selection) in selections {
            guard var state = model.parameterStates[name] else { continue }
            state.mask = state.mask.map { selection.apply(to: $0) }
            state.quantization = nil
            state.palette = nil
            model.parameterStates[name] = state
        }
        model.network = network
        return selections
    }
}
