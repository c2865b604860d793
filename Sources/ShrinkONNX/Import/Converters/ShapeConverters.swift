import ShrinkGraph

/// Constants, shape arithmetic (folded), and the ops that reshape activations: `Flatten`,
/// `Reshape`, `Squeeze`, `Unsqueeze` (all per-sample `Reshape`s that keep the batch axis),
/// `Transpose` and `Concat`.
enum ShapeConverters {
    static let all: [String: ONNXImporter.Converter] = [
        "Constant": constant,
        "Shape": shape,
        "Gather": gather,
        "Slice": slice,
        "Cast": cast,
        "Flatten": flatten,
        "Reshape": reshape,
        "Squeeze": { context, node throws(ONNXError) in try squeezeOrUnsqueeze(context, node, squeeze: true) },
        "Unsqueeze": { context, node throws(ONNXError) in try squeezeOrUnsqueeze(context, node, squeeze: false) },
        "Transpose": transpose,
        "Concat": concat,
    ]

    private static func constant(_ context: ImportContext, _ node: ONNXNode) throws(ONNXError) {
        let value: ONNXConstant
        if let tensor = node.tensor("value") {
            value = try ONNXConstant(tensor)
        } else if node.hasAttribute("value_float") {
            value = ONNXConstant(shape: [], floats: [try node.float("value_float", default: 0)])
        } else if let floats = try node.floats("value_floats") {
            value = ONNXConstant(shape: [floats.count], floats: floats)
        } else if node.hasAttribute("value_int") {
            value = ONNXConstant(shape: [], integers: [.fixed(try node.int("value_int", default: 0))])
        } else if let ints = try node.ints("value_ints") {
            value = ONNXConstant(shape: [ints.count], integers: ints.map { .fixed($0) })
        } else {
            throw node.unsupported("only numeric tensor, float(s) and int(s) values are imported (not sparse or string values)")
        }
        context.define(node.outputs[0], as: .constant(value))
    }

    /// `Shape` of an activation: its dimensions, the batch symbolic.
    private static func shape(_ context: ImportContext, _ node: ONNXNode) throws(ONNXError) {
        guard let input = node.input(0) else { throw node.unsupported("needs an input") }
        let dimensions: [Dimension]
        switch try context.value(input, for: node) {
        case let .activation(_, shape): dimensions = shape.dimensions
        case let .constant(constant): dimensions = constant.shape.map { .fixed($0) }
        }
        let rank = dimensions.count
        func clamp(_ value: Int) -> Int { min(max(value < 0 ? value + rank : value, 0), rank) }
        let start = clamp(try node.int("start", default: 0)), end = clamp(try node.int("end", default: rank))
        let selected = start < end ? Array(dimensions[start..<end]) : []
        context.define(node.outputs[0], as: .constant(ONNXConstant(shape: [selected.count], integers: selected)))
    }

    private static func gather(_ context: ImportContext, _ node: ONNXNode) throws(ONNXError) {
        guard context.allInputsConstant(node) else { throw node.unsupported("Gather is imported only on constants (shape arithmetic)") }
        let data = try context.constant(node, 0, "data"), indices = try context.constant(node, 1, "indices")
        guard !data.shape.isEmpty else { throw node.unsupported("gathers from a scalar") }
        let axis = try ShapeArithmetic.normalizedAxis(try node.int("axis", default: 0), rank: data.shape.count, node: node)
        guard let values = indices.integers else { throw node.unsupported("symbolic indices") }
        context.define(node.outputs[0], as: .constant(
            try ConstantFolding.gather(data, indices: values, indicesShape: indices.shape, axis: axis, node: node)))
    }

    private static func slice(_ context: ImportContext, _ node: ONNXNode) throws(ONNXError) {
        guard context.allInputsConstant(node) else { throw node.unsupported("Slice is imported only on constants (shape arithmetic)") }
        let data = try context.constant(node, 0, "data")
        func list(_ index: Int, _ role: String) throws(ONNXError) -> [Int]? {
            if context.opset < 10 { return try node.ints(role) }  // Slice-1 takes them as attributes
            guard let constant = try context.optionalConstant(node, index, role) else { return nil }
            guard let values = constant.integers else { throw node.unsupported("symbolic \(role)") }
            return values
        }
        guard let starts = try list(1, "starts"), let ends = try list(2, "ends"), starts.count == ends.count else {
            throw node.unsupported("needs starts and ends of equal length")
        }
        let axes = try list(3, "axes") ?? Array(0..<starts.count)
        let steps = try list(4, "steps") ?? [Int](repeating: 1, count: starts.count)
        guard axes.count == starts.count, steps.count == starts.count else { throw node.unsupported("starts, ends, axes and steps differ in length") }
        context.define(node.outputs[0], as: .constant(
            try ConstantFolding.sliced(data, starts: starts, ends: ends, axes: axes, steps: steps, node: node)))
    }

    /// `Cast` of a constant; a cast of an activation to a floating-point type is the identity.
    private static func cast(_ context: ImportContext, _ node: ONNXNode) throws(ONNXError) {
        let target = try node.int("to", default: 1)
        guard let input = node.input(0) else { throw node.unsupported("needs an input") }
        switch try context.value(input, for: node) {
        case let .constant(constant):
            context.define(node.outputs[0], as: .constant(try ConstantFolding.cast(constant, to: target, node: node)))
        case let .activation(name, shape):
            guard let type = ONNXElementType(rawValue: target), type.isFloatingPoint else {
                throw node.unsupported("casting an activation to \(ONNXElementType.describe(Int32(target))) (Shrink's activations are float)")
            }
            context.define(node.outputs[0], as: .activation(name: name, shape: shape))
        }
    }

    private static func flatten(_ context: ImportContext, _ node: ONNXNode) throws(ONNXError) {
        guard let input = node.input(0) else { throw node.unsupported("needs an input") }
        let value = try context.value(input, for: node)
        if case let .constant(constant) = value {
            let rank = constant.shape.count
            let axis = try node.int("axis", default: 1)
            let split = axis < 0 ? axis + rank : axis
            guard (0...rank).contains(split) else { throw node.unsupported("axis \(axis) outside rank \(rank)") }
            let shape = [constant.shape[..<split].reduce(1, *), constant.shape[split...].reduce(1, *)]
            context.define(node.outputs[0], as: .constant(ConstantFolding.reshaped(constant, to: shape)))
            return
        }
        let activation = try context.activation(node)
        let rank = activation.shape.rank
        let axis = try node.int("axis", default: 1)
        let split = axis < 0 ? axis + rank : axis
        guard split == 1 else {
            throw node.unsupported("axis \(axis) merges or splits the batch axis; Shrink keeps the batch axis first (axis 1 only)")
        }
        try context.emit(node, type: "Flatten", attributes: ["axis": .int(1)], inputs: [activation.name], weights: [])
    }

    private static func reshape(_ context: ImportContext, _ node: ONNXNode) throws(ONNXError) {
        let target = try context.constant(node, 1, "shape")
        let allowZero = try node.int("allowzero", default: 0) != 0
        guard let input = node.input(0) else { throw node.unsupported("needs an input") }
        switch try context.value(input, for: node) {
        case let .constant(constant):
            guard let sizes = target.integers else { throw node.unsupported("a symbolic shape for a constant") }
            let shape = try resolved(sizes, from: constant.shape, allowZero: allowZero, node: node)
            context.define(node.outputs[0], as: .constant(ConstantFolding.reshaped(constant, to: shape)))
        case let .activation(name, shape):
            let sample = try sampleTarget(target.dimensions, input: shape, allowZero: allowZero, node: node)
            try context.emit(node, type: "Reshape", attributes: ["shape": .ints(sample)], inputs: [name], weights: [])
        }
    }

    /// A full target shape resolved against a constant's shape (`0` copies, one `-1` inferred).
    private static func resolved(_ sizes: [Int], from input: [Int], allowZero: Bool, node: ONNXNode) throws(ONNXError) -> [Int] {
        var result = sizes
        for (axis, size) in sizes.enumerated() where size == 0 && !allowZero {
            guard axis < input.count else { throw node.unsupported("shape \(sizes) copies axis \(axis) of a rank-\(input.count) input") }
            result[axis] = input[axis]
        }
        let count = input.reduce(1, *)
        if let unknown = result.firstIndex(of: -1) {
            guard let known = ShapeArithmetic.product(result.enumerated().filter { $0.offset != unknown }.map(\.element)),
                  known > 0, count % known == 0 else { throw node.unsupported("shape \(sizes) does not fit \(count) elements") }
            result[unknown] = count / known
        }
        guard ShapeArithmetic.product(result) == count else {
            throw node.unsupported("shape \(sizes) does not fit \(count) elements")
        }
        return result
    }

    /// The per-sample target of a reshape that keeps the batch axis first, or an error saying
    /// why the reshape crosses it.
    static func sampleTarget(_ target: [Dimension], input: ValueShape, allowZero: Bool, node: ONNXNode) throws(ONNXError) -> [Int] {
        guard let first = target.first else { throw node.unsupported("reshapes to a scalar, removing the batch axis") }
        let rest = target.dropFirst().map(\.fixedValue)
        guard rest.allSatisfy({ $0 != nil }) else { throw node.unsupported("the target shape has a symbolic size after the batch axis") }
        let sample = rest.map { $0! }
        if allowZero && sample.contains(0) { throw node.unsupported("allowzero = 1 with a zero size") }
        let keepsBatch: Bool
        switch first {
        case input[0]: keepsBatch = true
        case .fixed(0): keepsBatch = !allowZero
        case .fixed(-1):
            // `x.view(-1, 320)`: -1 is the batch when the rest holds exactly one sample.
            if let inputSample = input.sampleShape, !sample.contains(-1), !sample.contains(0) {
                keepsBatch = ShapeArithmetic.product(sample) == inputSample.reduce(1, *)
            } else {
                keepsBatch = false
            }
        default: keepsBatch = false
        }
        guard keepsBatch else {
            throw node.unsupported("reshape of \(input) to \(target) does not keep the batch axis first")
        }
        return sample
    }

    private static func squeezeOrUnsqueeze(_ context: ImportContext, _ node: ONNXNode, squeeze: Bool) throws(ONNXError) {
        var axes: [Int]?
        if context.opset >= 13 {
            if let constant = try context.optionalConstant(node, 1, "axes") {
                guard let values = constant.integers else { throw node.unsupported("symbolic axes") }
                axes = values
            }
        } else {
            axes = try node.ints("axes")
        }
        guard let input = node.input(0) else { throw node.unsupported("needs an input") }
        let value = try context.value(input, for: node)
        let inputShape: [Dimension]
        switch value {
        case let .constant(constant): inputShape = constant.shape.map { .fixed($0) }
        case let .activation(_, shape): inputShape = shape.dimensions
        }
        var output = inputShape
        if squeeze {
            let rank = inputShape.count
            let removed = try (axes ?? inputShape.indices.filter { inputShape[$0] == .fixed(1) }).map { axis throws(ONNXError) in
                try ShapeArithmetic.normalizedAxis(axis, rank: rank, node: node)
            }
            for axis in removed where inputShape[axis] != .fixed(1) { throw node.unsupported("axis \(axis) has size \(inputShape[axis]), not 1") }
            output = inputShape.indices.filter { !removed.contains($0) }.map { inputShape[$0] }
        } else {
            guard let axes else { throw node.unsupported("needs axes") }
            let rank = inputShape.count + axes.count
            let inserted = try axes.map { axis throws(ONNXError) in try ShapeArithmetic.normalizedAxis(axis, rank: rank, node: node) }.sorted()
            for axis in inserted { output.insert(.fixed(1), at: axis) }
        }
        switch value {
        case let .constant(constant):
            context.define(node.outputs[0], as: .constant(ConstantFolding.reshaped(constant, to: output.map { $0.fixedValue ?? 1 })))
        case let .activation(name, shape):
            guard output.first == shape[0] else {
                throw node.unsupported("\(squeeze ? "squeezing" : "unsqueezing") axis 0 of \(shape) moves the batch axis")
            }
            guard let sample = ValueShape(output).sampleShape else { throw node.unsupported("symbolic sizes after the batch axis") }
            try context.emit(node, type: "Reshape", attributes: ["shape": .ints(sample)], inputs: [name], weights: [])
        }
    }

    private static func transpose(_ context: ImportContext, _ node: ONNXNode) throws(ONNXError) {
        guard let input = node.input(0) else { throw node.unsupported("needs an input") }
        let value = try context.value(input, for: node)
        let rank: Int
        switch value {
        case let .constant(constant): rank = constant.shape.count
        case let .activation(_, shape): rank = shape.rank
        }
        let permutation = try node.ints("perm") ?? Array((0..<rank).reversed())
        switch value {
        case let .constant(constant):
            context.define(node.outputs[0], as: .constant(try ConstantFolding.transposed(constant, permutation: permutation, node: node)))
        case let .activation(name, _):
            guard permutation.first == 0 else { throw node.unsupported("permutation \(permutation) moves the batch axis 0") }
            try context.emit(node, type: "Transpose", attributes: ["permutation": .ints(permutation)], inputs: [name], weights: [])
        }
    }

    private static func concat(_ context: ImportContext, _ node: ONNXNode) throws(ONNXError) {
        let present = node.inputs.filter { !$0.isEmpty }
        guard !present.isEmpty else { throw node.unsupported("needs inputs") }
        let axisAttribute = try node.int("axis", default: 1)
        if context.allInputsConstant(node) {
            var parts = [ONNXConstant]()
            for name in present {
                guard case let .constant(constant) = try context.value(name, for: node) else { continue }
                parts.append(constant)
            }
            let axis = try ShapeArithmetic.normalizedAxis(axisAttribute, rank: max(1, parts[0].shape.count), node: node)
            context.define(node.outputs[0], as: .constant(try ConstantFolding.concatenated(parts, axis: axis, node: node)))
            return
        }
        var names = [String]()
        var rank = 0
        for name in present {
            guard case let .activation(value, shape) = try context.value(name, for: node) else {
                throw node.unsupported("joins constants with activations")
            }
            names.append(value)
            rank = shape.rank
        }
        let axis = try ShapeArithmetic.normalizedAxis(axisAttribute, rank: rank, node: node)
        guard axis >= 1 else { throw node.unsupported("joining along the batch axis 0 mixes samples") }
        try context.emit(node, type: "Concat", attributes: ["axis": .int(axis)], inputs: names, weights: [])
    }
}
