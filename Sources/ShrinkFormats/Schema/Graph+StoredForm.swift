import ShrinkGraph
import ShrinkNN

extension Graph {
    /// The graph as the file stores it: every attribute equal to its op's declared default is
    /// left out (readers fill it back in, `withDefaultAttributes`), which keeps manifests small.
    /// Nodes of ops the registry does not know are kept as they are (validation refuses them).
    func withoutDefaultAttributes(registry: OperatorRegistry = .standard) -> Graph {
        var stored = self
        for index in stored.nodes.indices {
            guard let type = registry.types[stored.nodes[index].operatorType] else { continue }
            var attributes = Attributes()
            for name in stored.nodes[index].attributes.names {
                let value = stored.nodes[index].attributes[name]!
                let declaration = type.attributeDeclarations.first { $0.name == name }
                if declaration?.defaultValue != value { attributes[name] = value }
            }
            stored.nodes[index].attributes = attributes
        }
        return stored
    }

    /// The graph with every declared attribute present, defaults filled in: what a reader
    /// returns, so a graph written and read back is equal to the one written.
    /// - Throws: `ModelFileError.invalidGraph` when a node's attributes do not fit its op.
    func withDefaultAttributes(registry: OperatorRegistry = .standard) throws -> Graph {
        var expanded = self
        for index in expanded.nodes.indices {
            let node = expanded.nodes[index]
            guard let type = registry.types[node.operatorType] else { continue }
            do {
                expanded.nodes[index].attributes = try node.attributes.checked(against: type.attributeDeclarations)
            } catch {
                throw ModelFileError.invalidGraph("node \(quoted(node.name)) (\(node.operatorType)): \(error.message)")
            }
        }
        return expanded
    }
}
