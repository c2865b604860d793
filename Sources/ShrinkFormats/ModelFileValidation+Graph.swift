import ShrinkGraph
import ShrinkNN

extension ModelFileValidation {
    /// Checks a graph before anything is built from it: names and counts within the limits,
    /// integer attributes and fixed dimensions within ±`maximumHyperParameter`, finite floats,
    /// every op known and satisfied with its attributes and input shapes (`ResolvedGraph` with the
    /// standard registry), and the tensor table equal to the weights the ops declare (names,
    /// shapes, kinds). Only shapes are compared: nothing is allocated from the file's numbers.
    /// - Returns: the resolved graph.
    static func validate(_ graph: Graph, tensors: [(name: String, shape: [Int], kind: Parameter.Kind)]) throws -> ResolvedGraph {
        try validateName(graph.name, what: "graph")
        guard graph.nodes.count <= ModelFileLimits.maximumNodeCount else {
            throw ModelFileError.invalidGraph("\(graph.nodes.count) nodes; the limit is \(ModelFileLimits.maximumNodeCount)")
        }
        let arity = ModelFileLimits.maximumNodeArity
        guard graph.inputs.count <= arity, graph.outputs.count <= arity else {
            throw ModelFileError.invalidGraph("more than \(arity) graph inputs or outputs")
        }
        for input in graph.inputs {
            try validateName(input.name, what: "graph input")
            guard input.shape.rank <= ModelFileLimits.maximumRank else {
                throw ModelFileError.invalidGraph("input \(quoted(input.name)) has rank \(input.shape.rank); the limit is \(ModelFileLimits.maximumRank)")
            }
            for dimension in input.shape.dimensions {
                switch dimension {
                case let .fixed(size):
                    guard size >= 1, size <= ModelFileLimits.maximumHyperParameter else {
                        throw ModelFileError.invalidGraph("input \(quoted(input.name)) has dimension \(size) outside 1...\(ModelFileLimits.maximumHyperParameter)")
                    }
                case let .symbol(name):
                    try validateName(name, what: "dimension symbol")
                }
            }
        }
        for output in graph.outputs { try validateName(output, what: "graph output") }
        for node in graph.nodes {
            try validateName(node.name, what: "node")
            try validateName(node.operatorType, what: "op type")
            guard node.inputs.count <= arity, node.outputs.count <= arity else {
                throw ModelFileError.invalidGraph("node \(quoted(node.name)) has more than \(arity) inputs or outputs")
            }
            for value in node.inputs + node.outputs { try validateName(value, what: "value") }
            try validate(node.attributes, node: node.name)
        }
        let resolved: ResolvedGraph
        do {
            resolved = try ResolvedGraph(graph, registry: .standard)
        } catch {
            throw ModelFileError.invalidGraph(error.description)
        }
        // Nodes are stored in a topological order (every reader sees its inputs defined above it).
        var defined = Set(graph.inputs.map(\.name))
        for node in graph.nodes {
            if let early = node.inputs.first(where: { !defined.contains($0) }) {
                let producer = graph.nodes.first { $0.outputs.contains(early) }?.name ?? "?"
                throw ModelFileError.invalidGraph(
                    "node \(quoted(node.name)) reads \(quoted(early)), which node \(quoted(producer)) stored after it produces; nodes must be stored in a topological order")
            }
            defined.formUnion(node.outputs)
        }
        var declared = [String: WeightDeclaration]()
        for weight in resolved.weights { declared[weight.name] = weight.declaration }
        var seen = Set<String>()
        for tensor in tensors {
            guard let declaration = declared[tensor.name] else {
                throw ModelFileError.invalidGraph("tensor \(quoted(tensor.name)) is not a weight of any node")
            }
            guard declaration.shape == tensor.shape else {
                throw ModelFileError.invalidGraph(
                    "tensor \(quoted(tensor.name)) has shape \(tensor.shape), but its node declares \(declaration.shape)")
            }
            guard declaration.kind == tensor.kind else {
                throw ModelFileError.invalidGraph(
                    "tensor \(quoted(tensor.name)) is stored as \(tensor.kind.rawValue), but its node declares \(declaration.kind.rawValue)")
            }
            seen.insert(tensor.name)
        }
        let missing = declared.keys.filter { !seen.contains($0) }.sorted()
        guard missing.isEmpty else {
            throw ModelFileError.invalidGraph("no tensor for the weights \(missing.map(quoted).joined(separator: ", "))")
        }
        return resolved
    }

    private static func validate(_ attributes: Attributes, node: String) throws {
        guard attributes.values.count <= ModelFileLimits.maximumAttributeCount else {
            throw ModelFileError.invalidGraph("node \(quoted(node)) has more than \(ModelFileLimits.maximumAttributeCount) attributes")
        }
        let limit = ModelFileLimits.maximumHyperParameter
        for name in attributes.names {
            try validateName(name, what: "attribute")
            func invalid(_ reason: String) -> ModelFileError {
                .invalidGraph("node \(quoted(node)) attribute \(quoted(name)): \(reason)")
            }
            switch attributes[name]! {
            case let .int(value):
                guard value >= -limit, value <= limit else { throw invalid("\(value) is outside ±\(limit)") }
            case let .ints(values):
                guard values.count <= ModelFileLimits.maximumAttributeListLength else { throw invalid("list too long") }
                if let bad = values.first(where: { $0 < -limit || $0 > limit }) { throw invalid("\(bad) is outside ±\(limit)") }
            case let .float(value):
                guard value.isFinite else { throw invalid("\(value) is not finite") }
            case let .floats(values):
                guard values.count <= ModelFileLimits.maximumAttributeListLength else { throw invalid("list too long") }
                guard values.allSatisfy(\.isFinite) else { throw invalid("a value is not finite") }
            case let .string(value):
                guard value.utf8.count <= ModelFileLimits.maximumShortTextLength, !containsControlCharacter(value) else {
                    throw invalid("string too long or with control characters")
                }
            }
        }
    }

    /// Every entry names a value of the graph and has a positive finite scale, 1…16 bits and a
    /// zero point in the integer range.
    static func validate(_ activationQuantization: [String: ActivationQuantization], graph: Graph) throws {
        let values = Set(graph.inputs.map(\.name) + graph.nodes.flatMap(\.outputs))
        for name in activationQuantization.keys.sorted() {
            let parameters = activationQuantization[name]!
            func invalid(_ reason: String) -> ModelFileError { .invalidActivationQuantization(value: name, reason: reason) }
            guard values.contains(name) else { throw invalid("no value of the graph has this name") }
            guard parameters.scale.isFinite, parameters.scale > 0 else { throw invalid("scale \(parameters.scale) is not positive and finite") }
            guard (1...16).contains(parameters.bits) else { throw invalid("bits \(parameters.bits) outside 1...16") }
            let minimum: Int32 = parameters.isSigned ? -(1 << (parameters.bits - 1)) : 0
            let maximum: Int32 = parameters.isSigned ? (1 << (parameters.bits - 1)) - 1 : (1 << parameters.bits) - 1
            guard (minimum...maximum).contains(parameters.zeroPoint) else {
                throw invalid("zero point \(parameters.zeroPoint) outside \(minimum)...\(maximum)")
            }
        }
    }
}
