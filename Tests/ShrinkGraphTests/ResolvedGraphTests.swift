import ShrinkGraph
import Testing

@Suite struct ResolvedGraphTests {
    /// x → a → b, x → c; d = b + c (a diamond with fan-out of x).
    static func diamond(order: [Int] = [0, 1, 2, 3]) -> Graph {
        let nodes = [
            Node(name: "a", operatorType: "TestPass", inputs: ["x"], outputs: ["va"]),
            Node(name: "b", operatorType: "TestPass", inputs: ["va"], outputs: ["vb"], attributes: ["scale": .float(2)]),
            Node(name: "c", operatorType: "TestPass", inputs: ["x"], outputs: ["vc"]),
            Node(name: "d", operatorType: "TestSum", inputs: ["vb", "vc"], outputs: ["y"]),
        ]
        return Graph(name: "diamond", inputs: [ValueInfo(name: "x", shape: .batched([3, 4]))], outputs: ["y"],
                     nodes: order.map { nodes[$0] })
    }

    @Test func infersShapesWithTheSymbolicBatch() throws {
        let resolved = try ResolvedGraph(Self.diamond(), registry: testRegistry)
        #expect(resolved.shapes["y"] == ValueShape([.batch, .fixed(3), .fixed(4)]))
        #expect(resolved.sampleOutputShape == [3, 4])
        #expect(resolved.shapes["y"]?.concrete(["batch": 5]) == [5, 3, 4])
        #expect(resolved.operationCountPerSample.map(\.multiplies) == [12, 12, 12, 0])
    }

    @Test func sortsNodesStoredOutOfOrder() throws {
        let resolved = try ResolvedGraph(Self.diamond(order: [3, 2, 1, 0]), registry: testRegistry)
        #expect(resolved.graph.nodes.map(\.name) == ["c", "a", "b", "d"])
        let inOrder = try ResolvedGraph(Self.diamond(), registry: testRegistry)
        #expect(inOrder.graph.nodes.map(\.name) == ["a", "b", "c", "d"])
    }

    @Test func reportsCyclesAndUndefinedValues() {
        var cyclic = Self.diamond()
        cyclic.nodes[0].inputs = ["vb"]
        #expect(throws: GraphError.cycle(nodes: ["a", "b", "d"])) { try ResolvedGraph(cyclic, registry: testRegistry) }
        var dangling = Self.diamond()
        dangling.nodes[2].inputs = ["nowhere"]
        #expect(throws: GraphError.undefinedValue(node: "c", value: "nowhere")) {
            try ResolvedGraph(dangling, registry: testRegistry)
        }
        var badOutput = Self.diamond()
        badOutput.outputs = ["missing"]
        #expect(throws: GraphError.undefinedOutput("missing")) { try ResolvedGraph(badOutput, registry: testRegistry) }
    }

    @Test func rejectsBadNamesAndDuplicates() {
        var dotted = Self.diamond()
        dotted.nodes[0].name = "a.b"
        #expect(throws: GraphError.self) { try ResolvedGraph(dotted, registry: testRegistry) }
        var twice = Self.diamond()
        twice.nodes[1].outputs = ["va"]
        #expect(throws: GraphError.invalidName("va", reason: "produced twice (node 'b')")) {
            try ResolvedGraph(twice, registry: testRegistry)
        }
        var sameNode = Self.diamond()
        sameNode.nodes[1].name = "a"
        #expect(throws: GraphError.invalidName("a", reason: "two nodes have this name")) {
            try ResolvedGraph(sameNode, registry: testRegistry)
        }
    }

    @Test func checksOpsAttributesAndArity() {
        var unknown = Self.diamond()
        unknown.nodes[0].operatorType = "Nope"
        #expect(throws: GraphError.unknownOperator(node: "a", type: "Nope", known: ["TestPass", "TestSum"])) {
            try ResolvedGraph(unknown, registry: testRegistry)
        }
        var badAttribute = Self.diamond()
        badAttribute.nodes[0].attributes = ["scael": .float(1)]
        #expect(throws: GraphError.invalidNode(node: "a", type: "TestPass", reason: "unknown attribute 'scael' (declared: scale)")) {
            try ResolvedGraph(badAttribute, registry: testRegistry)
        }
        var zero = Self.diamond()
        zero.nodes[0].attributes = ["scale": .int(0)]
        #expect(throws: GraphError.invalidNode(node: "a", type: "TestPass", reason: "scale must not be 0")) {
            try ResolvedGraph(zero, registry: testRegistry)
        }
        var wrongKind = Self.diamond()
        wrongKind.nodes[0].attributes = ["scale": .string("big")]
        #expect(throws: GraphError.invalidNode(node: "a", type: "TestPass", reason: "attribute 'scale' must be float, got string")) {
            try ResolvedGraph(wrongKind, registry: testRegistry)
        }
        var arity = Self.diamond()
        arity.nodes[3].inputs = ["vb"]
        #expect(throws: GraphError.invalidNode(node: "d", type: "TestSum", reason: "takes 2 or more input(s), got 1")) {
            try ResolvedGraph(arity, registry: testRegistry)
        }
        var shapes = Self.diamond()
        shapes.inputs.append(ValueInfo(name: "z", shape: .batched([2])))
        shapes.nodes[2].inputs = ["z"]
        #expect(throws: GraphError.self) { try ResolvedGraph(shapes, registry: testRegistry) }
    }

    @Test func lastUsesCoverFanOutAndOutputs() throws {
        let graph = try Self.diamond().topologicallySorted()
        let last = graph.lastUses
        #expect(last["x"] == 2)
        #expect(last["va"] == 1)
        #expect(last["y"] == 4)
        #expect(graph.consumers["x"] == [0, 2])
    }
}
