extension Graph {
    /// The graph with its nodes in a topological order: the stored order when it already is one,
    /// else a stable order (Kahn's algorithm, lowest original index first).
    /// - Throws: `GraphError.undefinedValue` for a value nothing produces, `.cycle` for a cycle.
    public func topologicallySorted() throws(GraphError) -> Graph {
        var producer = [String: Int]()
        let inputNames = Set(inputs.map(\.name))
        for (index, node) in nodes.enumerated() {
            for output in node.outputs { producer[output] = index }
        }
        var dependencies = [Set<Int>](repeating: [], count: nodes.count)
        for (index, node) in nodes.enumerated() {
            for input in node.inputs where !inputNames.contains(input) {
                guard let source = producer[input] else { throw .undefinedValue(node: node.name, value: input) }
                dependencies[index].insert(source)
            }
        }
        var dependents = [[Int]](repeating: [], count: nodes.count)
        var remaining = dependencies.map(\.count)
        for (index, sources) in dependencies.enumerated() {
            for source in sources { dependents[source].append(index) }
        }
        // A min-heap would be O(n log n); graphs are small, a sorted ready list is enough.
        var ready = (0..<nodes.count).filter { remaining[$0] == 0 }
        var order = [Int]()
        order.reserveCapacity(nodes.count)
        while !ready.isEmpty {
            let next = ready.removeFirst()
            order.append(next)
            for dependent in dependents[next] {
                remaining[dependent] -= 1
                if remaining[dependent] == 0 {
                    let position = ready.firstIndex { $0 > dependent } ?? ready.count
                    ready.insert(dependent, at: position)
                }
            }
        }
        guard order.count == nodes.count else {
            let stuck = (0..<nodes.count).filter { remaining[$0] > 0 }.map { nodes[$0].name }
            throw .cycle(nodes: stuck)
        }
        var sorted = self
        sorted.nodes = order.map { nodes[$0] }
        return sorted
    }

    /// For each node index, the index of the last node that reads each of its outputs (itself
    /// when nothing reads it); graph outputs live to the end (`nodes.count`). The runtime's
    /// buffer arena frees a value after its last reader.
    public var lastUses: [String: Int] {
        var last = [String: Int]()
        for input in inputs { last[input.name] = -1 }
        for (index, node) in nodes.enumerated() {
            for output in node.outputs { last[output] = index }
            for input in node.inputs { last[input] = index }
        }
        for output in outputs { last[output] = nodes.count }
        return last
    }
}
