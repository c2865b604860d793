/// A graph checked against a registry: names valid and unique, nodes in topological order,
/// every op configured from its attributes, and every value's shape inferred.
///
/// Training (`GraphNetwork`), the runtime's compiler and structured pruning start from this.
public struct ResolvedGraph: Sendable {
    /// The graph, nodes in topological order.
    public let graph: Graph
    /// The op of each node, by node index.
    public let operators: [any Operator]
    /// The shape of every value (graph inputs and node outputs).
    public let shapes: [String: ValueShape]

    /// Validates `graph` and infers every shape.
    /// - Throws: `GraphError` naming the node or value at fault.
    public init(_ graph: Graph, registry: OperatorRegistry) throws(GraphError) {
        guard !graph.inputs.isEmpty else { throw .empty("inputs") }
        guard !graph.nodes.isEmpty else { throw .empty("nodes") }
        guard !graph.outputs.isEmpty else { throw .empty("outputs") }
        var nodeNames = Set<String>()
        var valueNames = Set<String>()
        for input in graph.inputs {
            try Self.checkName(input.name)
            guard valueNames.insert(input.name).inserted else { throw .invalidName(input.name, reason: "defined twice") }
            guard input.shape.rank >= 1 else { throw .invalidInput(name: input.name, reason: "needs at least a batch dimension") }
            guard let count = Self.sampleElementCount(input.shape), count <= Self.maximumSampleElementCount else {
                throw .invalidInput(name: input.name, reason: "more than \(Self.maximumSampleElementCount) elements per sample")
            }
            for dimension in input.shape.dimensions {
                if case let .fixed(size) = dimension, size <= 0 {
                    throw .invalidInput(name: input.name, reason: "dimension \(size) in \(input.shape) is not positive")
                }
            }
        }
        for node in graph.nodes {
            try Self.checkName(node.name)
            guard nodeNames.insert(node.name).inserted else { throw .invalidName(node.name, reason: "two nodes have this name") }
            for output in node.outputs {
                try Self.checkName(output)
                guard valueNames.insert(output).inserted else {
                    throw .invalidName(output, reason: "produced twice (node '\(node.name)')")
                }
            }
        }
        for output in graph.outputs where !valueNames.contains(output) { throw .undefinedOutput(output) }
        let sorted = try graph.topologicallySorted()

        var operators = [any Operator]()
        var shapes = [String: ValueShape]()
        for input in sorted.inputs { shapes[input.name] = input.shape }
        for node in sorted.nodes {
            let op = try registry.makeOperator(for: node)
            func invalid(_ reason: String) -> GraphError {
                .invalidNode(node: node.name, type: node.operatorType, reason: reason)
            }
            guard op.inputCount.contains(node.inputs.count) else {
                throw invalid("takes \(Self.describe(op.inputCount)) input(s), got \(node.inputs.count)")
            }
            guard node.outputs.count == op.outputCount else {
                throw invalid("produces \(op.outputCount) output(s), got \(node.outputs.count)")
            }
            let inputShapes = node.inputs.map { shapes[$0]! }
            let outputShapes: [ValueShape]
            do {
                outputShapes = try op.outputShapes(for: inputShapes)
            } catch {
                throw invalid("\(error.message) (input shapes \(inputShapes.map(\.description).joined(separator: ", ")))")
            }
            precondition(outputShapes.count == op.outputCount, "\(node.operatorType) inferred the wrong number of shapes")
            for shape in outputShapes {
                guard let count = Self.sampleElementCount(shape), count <= Self.maximumSampleElementCount else {
                    throw invalid("output shape \(shape) has more than \(Self.maximumSampleElementCount) elements per sample")
                }
            }
            for (name, shape) in zip(node.outputs, outputShapes) { shapes[name] = shape }
            operators.append(op)
        }
        self.graph = sorted
        self.operators = operators
        self.shapes = shapes
    }

    /// The most elements one value may have per sample (2^30). Shape inference stays far from
    /// integer overflow below it, and so do operation counts (elements × weights per output).
    public static let maximumSampleElementCount = 1 << 30

    /// The product of the fixed dimensions after the first (symbols count 1), or nil on overflow.
    static func sampleElementCount(_ shape: ValueShape) -> Int? {
        var count = 1
        for dimension in shape.dimensions.dropFirst() {
            guard case let .fixed(size) = dimension else { continue }
            let (product, overflow) = count.multipliedReportingOverflow(by: max(size, 0))
            guard !overflow else { return nil }
            count = product
        }
        return count
    }

    /// Every weight of every node: full name (`conv1.weight`), node index and declaration.
    public var weights: [(name: String, node: Int, declaration: WeightDeclaration)] {
        graph.nodes.indices.flatMap { index in
            operators[index].weights.map { (graph.nodes[index].weightName($0.name), index, $0) }
        }
    }

    /// The per-sample shape of the first graph input (`[1, 28, 28]`), when fixed.
    public var sampleInputShape: [Int]? { graph.inputs.first?.shape.sampleShape }

    /// The per-sample shape of the first graph output, when fixed.
    public var sampleOutputShape: [Int]? { graph.outputs.first.flatMap { shapes[$0]?.sampleShape } }

    /// The arithmetic of one sample through the whole graph (the batch symbol bound to 1).
    public var operationCountPerSample: [OperationCount] {
        graph.nodes.indices.map { index in
            let node = graph.nodes[index]
            let inputs = node.inputs.map { shapes[$0]!.concrete(["batch": 1]) ?? [] }
            let outputs = node.outputs.map { shapes[$0]!.concrete(["batch": 1]) ?? [] }
            return operators[index].operationCount(inputShapes: inputs, outputShapes: outputs)
        }
    }

    private static func checkName(_ name: String) throws(GraphError) {
        guard !name.isEmpty else { throw .invalidName(name, reason: "empty") }
        guard !name.contains(".") else { throw .invalidName(name, reason: "contains a dot (weights are named node.weight)") }
        guard name.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F }) else {
            throw .invalidName(name, reason: "contains control characters")
        }
    }

    private static func describe(_ range: ClosedRange<Int>) -> String {
        range.lowerBound == range.upperBound ? "\(range.lowerBound)"
            : range.upperBound == Int.max ? "\(range.lowerBound) or more" : "\(range.lowerBound)–\(range.upperBound)"
    }
}
