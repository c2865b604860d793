import Foundation
import ShrinkGraph
import ShrinkNN
import ShrinkTensor
import Testing
@testable import ShrinkFormats

/// The manifest's explicit graph schema (docs/FORMAT.md, "Graph"): round trips of graphs that are
/// not chains, every attribute kind, symbolic dimensions, activation quantization, and the
/// documented field names (which must not follow Swift type names).
@Suite struct ModelFileGraphSchemaTests {
    /// A DAG with fan-out, fan-in and four outputs: `relu1` feeds a residual convolution whose
    /// sum with `relu1` (`residual`, Add) fans out to a max-pool branch (`fc_max`, output 1) and an
    /// average-pool branch (`fc_average`, output 2), whose flattened values are also concatenated
    /// (`joined`, Concat) into `fc_joined`; a second input with its own symbolic batch
    /// (`sequence`) feeds `fc_side` (output 4); `fc_joined` is output 3.
    static let branchingGraph: Graph = {
        var builder = GraphBuilder(name: "branching", inputShape: [1, 6, 6], inputName: "image")
        var value = builder.add(
            "conv1", Convolution2DOperator(inputChannels: 1, outputChannels: 2, window: WindowGeometry(square: 3, padding: 1), hasBias: false),
            builder.input)
        value = builder.add("bn1", BatchNormalizationOperator(channels: 2, epsilon: 0.001, momentum: 0.25), value)
        let activated = builder.add("relu1", ReLUOperator(), value)
        let convolved = builder.add(
            "conv2", Convolution2DOperator(inputChannels: 2, outputChannels: 2, window: WindowGeometry(square: 3, padding: 1)), activated)
        let shared = builder.add("residual", AdditionOperator(), activated, convolved)
        var maximum = builder.add("pool_max", MaxPool2DOperator(window: WindowGeometry(square: 2, stride: 2)), shared)
        maximum = builder.add("flatten_max", FlattenOperator(), maximum)
        let dropped = builder.add("dropout", DropoutOperator(rate: 0.125), maximum)
        maximum = builder.add("fc_max", LinearOperator(inputFeatures: 18, outputFeatures: 4), dropped)
        var average = builder.add("pool_average", AveragePool2DOperator(window: WindowGeometry(square: 3, stride: 3)), shared)
        let flatAverage = builder.add("flatten_average", FlattenOperator(), average)
        average = builder.add("fc_average", LinearOperator(inputFeatures: 8, outputFeatures: 2, hasBias: false), flatAverage)
        let joined = builder.add("joined", ConcatenationOperator(axis: 1), dropped, flatAverage)
        let joinedOutput = builder.add("fc_joined", LinearOperator(inputFeatures: 26, outputFeatures: 1), joined)
        var graph = builder.graph
        graph.inputs.append(ValueInfo(name: "side", shape: [.symbol("sequence"), .fixed(5)]))
        graph.nodes.append(Node(name: "fc_side", operatorType: LinearOperator.typeName, inputs: ["side"], outputs: ["fc_side"],
                                attributes: LinearOperator(inputFeatures: 5, outputFeatures: 3).attributes))
        graph.outputs = [maximum, average, joinedOutput, "fc_side"]
        return graph
    }()

    /// Activation quantization of values of `branchingGraph`: a graph input, a fanned-out value,
    /// both ends of a branch, signed and unsigned, 8 and 16 bits.
    static let branchingQuantization: [String: ActivationQuantization] = [
        "image": ActivationQuantization(scale: 0.0078125, zeroPoint: 0, bits: 8, isSigned: true),
        "relu1": ActivationQuantization(scale: 0.03125, zeroPoint: 0),
        "fc_max": ActivationQuantization(scale: 0.1, zeroPoint: 128),
        "flatten_average": ActivationQuantization(scale: 1e-4, zeroPoint: -32768, bits: 16, isSigned: true),
    ]

    @Test func branchingGraphWithQuantizationRoundTrips() throws {
        let graph = Self.branchingGraph
        let resolved = try ResolvedGraph(graph, registry: .standard)
        #expect(resolved.shapes["fc_max"] == ValueShape([.batch, .fixed(4)]))
        #expect(resolved.shapes["fc_side"] == ValueShape([.symbol("sequence"), .fixed(3)]))
        #expect(graph.consumers["relu1"] == [3, 4])  // fan-out
        #expect(graph.consumers["residual"] == [5, 9])
        #expect(graph.consumers["flatten_average"] == [11, 12])
        #expect(resolved.shapes["joined"] == ValueShape([.batch, .fixed(26)]))
        let model = ModelFile(graph: graph, tensors: Fixtures.randomTensors(for: graph, seed: 21),
                              activationQuantization: Self.branchingQuantization, metadata: Fixtures.metadata)
        let bytes = try model.encoded()
        let decoded = try ModelFile.decode(bytes)
        #expect(decoded.graph == graph)
        #expect(decoded.activationQuantization == Self.branchingQuantization)
        #expect(bitwiseEqual(decoded, model))
        #expect(try decoded.encoded() == bytes)

        // The decoded graph runs: every output matches the original network's.
        var generator = SeededRandomNumberGenerator(seed: 4)
        let network = try GraphNetwork(graph: graph, generator: &generator)
        let reloaded = try GraphNetwork(file: ModelFile(graph: decoded.graph, parameters: network.parameters))
        let inputs = ["image": Tensor.randomNormal(shape: [2, 1, 6, 6], using: &generator),
                      "side": Tensor.randomNormal(shape: [7, 5], using: &generator)]
        let before = network.forward(inputs: inputs, mode: .inference)
        let after = reloaded.forward(inputs: inputs, mode: .inference)
        #expect(Set(after.keys) == ["fc_max", "fc_average", "fc_joined", "fc_side"])
        #expect(after["fc_side"]?.shape == [7, 3])
        for (name, value) in before { #expect(bitwiseEqual(value, after[name]!), "\(name)") }
    }

    @Test func manifestUsesTheDocumentedFieldNames() throws {
        let model = ModelFile(graph: Self.branchingGraph, tensors: Fixtures.randomTensors(for: Self.branchingGraph, seed: 21),
                              activationQuantization: Self.branchingQuantization)
        let json = RawContainer(try model.encoded()).manifest
        let expected = [
            "{\"activation_quantization\":[{\"bits\":8,\"scale\":0.1,\"signed\":false,\"value\":\"fc_max\",\"zero_point\":128},",
            "\"graph\":{\"inputs\":[{\"element_type\":\"float32\",\"name\":\"image\",\"shape\":[\"batch\",1,6,6]},"
                + "{\"element_type\":\"float32\",\"name\":\"side\",\"shape\":[\"sequence\",5]}],\"name\":\"branching\",\"nodes\":[",
            "{\"attributes\":{\"bias\":{\"int\":0},\"input_channels\":{\"int\":1},"
                + "\"kernel_shape\":{\"ints\":[3,3]},\"output_channels\":{\"int\":2},\"pads\":{\"ints\":[1,1,1,1]}},"
                + "\"inputs\":[\"image\"],\"name\":\"conv1\",\"op\":\"Conv2D\",\"outputs\":[\"conv1\"]}",
            "{\"attributes\":{\"channels\":{\"int\":2},\"epsilon\":{\"float\":0.001},\"momentum\":{\"float\":0.25}},"
                + "\"inputs\":[\"conv1\"],\"name\":\"bn1\",\"op\":\"BatchNormalization\",\"outputs\":[\"bn1\"]}",
            // No attributes: the member is omitted.
            "{\"inputs\":[\"bn1\"],\"name\":\"relu1\",\"op\":\"ReLU\",\"outputs\":[\"relu1\"]}",
            "\"op\":\"MaxPool2D\"", "\"op\":\"AveragePool2D\"", "\"op\":\"Flatten\"",
            "{\"attributes\":{\"rate\":{\"float\":0.125}},\"inputs\":[\"flatten_max\"],\"name\":\"dropout\",\"op\":\"Dropout\"",
            "\"op\":\"Linear\"", "\"input_features\":{\"int\":18}",
            "\"outputs\":[\"fc_max\",\"fc_average\",\"fc_joined\",\"fc_side\"]},\"metadata\":{",
            "{\"inputs\":[\"relu1\",\"conv2\"],\"name\":\"residual\",\"op\":\"Add\",\"outputs\":[\"residual\"]}",
            "{\"inputs\":[\"dropout\",\"flatten_average\"],\"name\":\"joined\",\"op\":\"Concat\"",
            "{\"encoding\":{\"tag\":\"dense-f32\"},\"kind\":\"trainable\",\"name\":\"conv1.weight\",\"ranges\":[",
            "\"kind\":\"buffer\",\"name\":\"bn1.running_mean\"",
        ]
        for fragment in expected { #expect(json.contains(fragment), "manifest lacks \(fragment)") }
        // Attributes equal to their op's declared default are left out (and read back filled in).
        for defaulted in ["\"groups\":{\"int\":1}", "\"dilations\":{\"ints\":[1,1]}", "\"axis\":{\"int\":1}"] {
            #expect(!json.contains(defaulted), "manifest stores the default \(defaulted)")
        }
        // Nothing in the schema comes from Swift type or case names.
        for swiftName in ["operatorType", "elementType", "zeroPoint", "isSigned", "fixed", "symbol", "AttributeValue", "Convolution2DOperator"] {
            #expect(!json.contains(swiftName), "manifest contains the Swift name \(swiftName)")
        }
    }

    @Test func schemaRoundTripsEveryAttributeKindAndDimension() throws {
        // The record layer alone: kinds no registered op declares yet (floats, string) and symbols
        // anywhere in a shape must survive too, for the ops being added.
        let attributes: Attributes = [
            "count": .int(-16_777_216), "sizes": .ints([1, 0, -3, 16_777_216]), "empty_ints": .ints([]),
            "scale": .float(-0.1), "tiny": .float(Float.leastNonzeroMagnitude), "largest": .float(Float.greatestFiniteMagnitude),
            "values": .floats([0.5, -2, 1e-30, 3.4e38]), "empty_floats": .floats([]),
            "mode": .string("same_upper"), "text": .string("ünïcode \"quoted\" \\ / tab\t"), "empty_text": .string(""),
        ]
        let graph = Graph(
            name: "schema",
            inputs: [ValueInfo(name: "tokens", elementType: .int64, shape: [.batch, .symbol("time")]),
                     ValueInfo(name: "features", shape: [.symbol("n"), .fixed(3), .symbol("time"), .fixed(1)])],
            outputs: ["mixed", "tokens"],
            nodes: [
                Node(name: "mix", operatorType: "FutureOp", inputs: ["tokens", "features", "tokens"], outputs: ["mixed", "spare"],
                     attributes: attributes),
                Node(name: "noop", operatorType: "Identity", inputs: ["spare"], outputs: ["unused"]),
            ])
        let record = GraphRecord(graph)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let json = try encoder.encode(record)
        let decoded = try JSONDecoder().decode(GraphRecord.self, from: json)
        #expect(decoded == record)
        #expect(try decoded.graph() == graph)
        let text = String(decoding: json, as: UTF8.self)
        for fragment in ["{\"int\":-16777216}", "{\"ints\":[1,0,-3,16777216]}", "{\"ints\":[]}", "{\"float\":-0.1}",
                         "{\"floats\":[", "{\"string\":\"same_upper\"}", "\"element_type\":\"int64\"",
                         "\"shape\":[\"n\",3,\"time\",1]", "\"shape\":[\"batch\",\"time\"]", "\"op\":\"FutureOp\""] {
            #expect(text.contains(fragment), "\(text) lacks \(fragment)")
        }
        try StrictJSONValidator.validate(Array(text.utf8))
    }

    @Test func activationQuantizationRowsRoundTrip() throws {
        let row = ActivationQuantizationRecord(
            value: "relu1", parameters: ActivationQuantization(scale: 0.25, zeroPoint: -3, bits: 4, isSigned: true))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = String(decoding: try encoder.encode(row), as: UTF8.self)
        #expect(json == "{\"bits\":4,\"scale\":0.25,\"signed\":true,\"value\":\"relu1\",\"zero_point\":-3}")
        #expect(try JSONDecoder().decode(ActivationQuantizationRecord.self, from: Data(json.utf8)) == row)
        // No activation quantization: the member is omitted, and a manifest without it reads as empty.
        let plain = RawContainer(Fixtures.bytes(of: Fixtures.graph)).manifest
        #expect(plain.hasPrefix("{\"graph\":"))
        #expect(try ModelFile.decode(Fixtures.bytes(of: Fixtures.graph)).activationQuantization.isEmpty)
    }

    @Test func intWhereAFloatIsDeclaredIsAccepted() throws {
        // JSON writers may print 1.0 as 1: an int attribute is read as the declared float (the
        // reader returns every attribute in its declared kind).
        let bytes = withManifest { replaceFirst("\"rate\":{\"float\":0.25}", with: "\"rate\":{\"int\":0}", in: &$0) }
        let decoded = try ModelFile.decode(bytes)
        let dropout = try #require(decoded.graph.node(named: "dropout"))
        #expect(dropout.attributes["rate"] == .float(0))
        let network = try GraphNetwork(file: decoded)
        #expect(network.graph.node(named: "dropout") != nil)
    }

    @Test func writerValidatesTheGraph() throws {
        var model = Fixtures.model()
        model.graph.nodes[0].operatorType = "Convolution"
        #expect(throws: ModelFileError.self) { try model.encoded() }
        model = Fixtures.model()
        model.graph.nodes[7].attributes["output_features"] = .int(4)
        #expect(throws: ModelFileError.invalidGraph("tensor \"fc1.weight\" has shape [3, 8], but its node declares [4, 8]")) {
            try model.encoded()
        }
        model = Fixtures.model()
        model.activationQuantization["nowhere"] = ActivationQuantization(scale: 1, zeroPoint: 0)
        #expect(throws: ModelFileError.invalidActivationQuantization(value: "nowhere", reason: "no value of the graph has this name")) {
            try model.encoded()
        }
        model = Fixtures.model()
        model.activationQuantization["relu1"]?.scale = -1
        #expect(throws: ModelFileError.self) { try model.encoded() }
    }
}
