import Foundation
import ShrinkGraph
import ShrinkNN
import ShrinkTensor
import Testing
@testable import ShrinkFormats

/// Hostile and invalid graphs, crafted by editing the manifest of valid files (checksums
/// resealed, compressed manifests re-compressed): each must be refused with a one-line
/// `ModelFileError` naming the node or value at fault, before anything is allocated from the
/// graph's numbers.
@Suite struct ModelFileGraphRejectionTests {
    /// Whether `error` is `invalidName`.
    func isInvalidName(_ error: ModelFileError) -> Bool {
        if case .invalidName = error { true } else { false }
    }

    /// Whether `error` is `invalidActivationQuantization` of `value`.
    func isInvalidQuantization(of value: String) -> (ModelFileError) -> Bool {
        { error in
            if case .invalidActivationQuantization(value: value, _) = error { true } else { false }
        }
    }

    @Test func unknownOpListsTheKnownOps() {
        let bytes = withManifestRecord { $0.graph.value.nodes[2].operatorType = "Swish" }
        // The list is the registry's, sorted: it grows as ops are added.
        let known = OperatorRegistry.standard.typeNames
        #expect(known.count >= 8 && known == known.sorted())
        expectRejection(bytes, containing: [
            "Node 'relu1' has unknown op type 'Swish'", "(known: \(known.joined(separator: ", ")))",
        ], isInvalidGraph)
        // Also in a compressed manifest.
        let coded = withManifestRecord(CodedFixtures.validBytes) { $0.graph.value.nodes[2].operatorType = "Swish" }
        expectRejection(coded, containing: ["'relu1'", "'Swish'"], isInvalidGraph)
    }

    @Test func attributesMustBeDeclaredAndOfTheirKind() {
        let undeclared = withManifestRecord { $0.graph.value.nodes[7].attributes["activation"] = .string("relu") }
        expectRejection(undeclared, containing: ["'fc1'", "unknown attribute 'activation'", "declared: bias, input_features, output_features"],
                        isInvalidGraph)
        let wrongKind = withManifestRecord { $0.graph.value.nodes[7].attributes["input_features"] = .float(8) }
        expectRejection(wrongKind, containing: ["'fc1'", "'input_features' must be int, got float"], isInvalidGraph)
        let listForScalar = withManifestRecord { $0.graph.value.nodes[0].attributes["groups"] = .ints([1]) }
        expectRejection(listForScalar, containing: ["'conv1'", "'groups' must be int, got ints"], isInvalidGraph)
        let stringForList = withManifestRecord { $0.graph.value.nodes[3].attributes["kernel_shape"] = .string("2x2") }
        expectRejection(stringForList, containing: ["'pool1'", "'kernel_shape' must be ints, got string"], isInvalidGraph)
        let missing = withManifestRecord { $0.graph.value.nodes[7].attributes["output_features"] = nil }
        expectRejection(missing, containing: ["'fc1'", "missing required attribute 'output_features'"], isInvalidGraph)
        let badBoolean = withManifestRecord { $0.graph.value.nodes[7].attributes["bias"] = .int(2) }
        expectRejection(badBoolean, containing: ["'fc1'", "'bias' must be 0 or 1, got 2"], isInvalidGraph)
    }

    @Test func attributeObjectsHaveExactlyOneKnownKind() {
        let cases: [(String, [String])] = [
            ("{\"int\":8,\"ints\":[8]}", ["graph.nodes[7].attributes.input_features", "exactly one of the keys int, ints, float, floats, string"]),
            ("{}", ["graph.nodes[7].attributes.input_features", "exactly one of the keys"]),
            ("{\"bool\":8}", ["graph.nodes[7].attributes.input_features", "unknown attribute kind \"bool\""]),
            ("{\"int\":\"8\"}", ["graph.nodes[7].attributes.input_features.int", "expected Int"]),
            ("{\"int\":8.5}", ["a number does not fit its field"]),
            ("8", ["graph.nodes[7].attributes.input_features", "expected an object"]),
        ]
        for (replacement, fragments) in cases {
            let bytes = withManifest { replaceFirst("\"input_features\":{\"int\":8}", with: "\"input_features\":\(replacement)", in: &$0) }
            expectRejection(bytes, containing: ["invalid manifest"] + fragments, isInvalidManifest)
        }
    }

    @Test func integerAttributesAreBoundedByTwoToThe24() {
        // Int.min is left out: it traps the reader (see integerAttributeOfIntMinIsRejected).
        for value in [16_777_217, -16_777_217, Int.max, Int.min + 1] {
            let bytes = withManifest { replaceFirst("\"input_features\":{\"int\":8}", with: "\"input_features\":{\"int\":\(value)}", in: &$0) }
            expectRejection(bytes, containing: ["node \"fc1\" attribute \"input_features\": \(value) is outside ±16777216"], isInvalidGraph)
        }
        let list = withManifest { replaceFirst("\"kernel_shape\":{\"ints\":[3,3]}", with: "\"kernel_shape\":{\"ints\":[3,16777217]}", in: &$0) }
        expectRejection(list, containing: ["node \"conv1\" attribute \"kernel_shape\": 16777217 is outside ±16777216"], isInvalidGraph)
        // Exactly 2^24 passes the bound; the op then refuses the shapes.
        let atLimit = withManifest { replaceFirst("\"input_features\":{\"int\":8}", with: "\"input_features\":{\"int\":16777216}", in: &$0) }
        expectRejection(atLimit, containing: ["'fc1'", "expects [batch, 16777216]"], isInvalidGraph)
        let longList = withManifestRecord { $0.graph.value.nodes[0].attributes["strides"] = .ints(Array(repeating: 1, count: 4_097)) }
        expectRejection(longList, containing: ["node \"conv1\" attribute \"strides\": list too long"], isInvalidGraph)
    }

    /// `Int.min` has no absolute value: the bound is checked without `abs`.
    @Test func integerAttributeOfIntMinIsRejected() {
        for target in ["\"input_features\":{\"int\":8}", "\"kernel_shape\":{\"ints\":[3,3]}"] {
            let value = target.contains("ints") ? "{\"ints\":[3,-9223372036854775808]}" : "{\"int\":-9223372036854775808}"
            let name = String(target.dropFirst().prefix { $0 != "\"" })
            let bytes = withManifest { replaceFirst(target, with: "\"\(name)\":\(value)", in: &$0) }
            expectRejection(bytes, containing: ["-9223372036854775808 is outside ±16777216"], isInvalidGraph)
        }
    }

    /// Reshape's `shape` entries (each within ±2^24, up to 4 096 of them) multiply with overflow
    /// checks: three entries of 2^24 are refused during shape inference.
    @Test func reshapeShapeOverflowIsRejected() {
        var builder = GraphBuilder(name: "reshape", inputShape: [8])
        builder.add("reshape", ReshapeOperator(shape: [2, 4]), builder.input)
        let bytes = withManifest(Fixtures.bytes(of: builder.finish())) {
            replaceFirst("{\"ints\":[2,4]}", with: "{\"ints\":[16777216,16777216,16777216]}", in: &$0)
        }
        expectRejection(bytes, containing: ["'reshape'", "more than 1073741824 elements per sample"], isInvalidGraph)
    }

    @Test func floatAttributesAreFiniteAndFitAFloat() {
        // JSON has no NaN or infinity; a literal beyond Float's range must not become one. The
        // decoder refuses it, but without naming where (Foundation reports no coding path).
        for literal in ["1e39", "-1e39", "3.5e38", "1e308"] {
            let bytes = withManifest { replaceFirst("\"rate\":{\"float\":0.25}", with: "\"rate\":{\"float\":\(literal)}", in: &$0) }
            expectRejection(bytes, containing: ["invalid manifest: a number does not fit its field"], isInvalidManifest)
        }
        for literal in ["NaN", "Infinity", "1e999999"] {
            let bytes = withManifest { replaceFirst("\"rate\":{\"float\":0.25}", with: "\"rate\":{\"float\":\(literal)}", in: &$0) }
            expectRejection(bytes, isInvalidManifest)
        }
        // The largest finite Float is a valid literal (and the op then refuses the rate).
        let largest = withManifest { replaceFirst("\"rate\":{\"float\":0.25}", with: "\"rate\":{\"float\":3.4028235e38}", in: &$0) }
        expectRejection(largest, containing: ["'dropout'", "dropout rate must be in [0, 1)"], isInvalidGraph)
        // Non-finite values in memory are refused by the writer, naming node and attribute.
        var model = Fixtures.model()
        model.graph.nodes[1].attributes["epsilon"] = .float(.nan)
        #expect(throws: ModelFileError.invalidGraph("node \"bn1\" attribute \"epsilon\": nan is not finite")) { try model.encoded() }
        model = Fixtures.model()
        model.graph.nodes[1].attributes["momentum"] = .floats([0.1, .infinity])
        #expect(throws: ModelFileError.invalidGraph("node \"bn1\" attribute \"momentum\": a value is not finite")) { try model.encoded() }
    }

    @Test func cyclesAndUndefinedValues() {
        // conv1 reads fc1's output: every node lies on the cycle.
        let cycle = withManifestRecord { $0.graph.value.nodes[0].inputs = ["fc1"] }
        expectRejection(cycle, containing: ["cycle through nodes conv1, bn1, relu1, pool1, pool2, flatten, dropout, fc1"], isInvalidGraph)
        let selfLoop = withManifestRecord { $0.graph.value.nodes[2].inputs = ["relu1"] }
        expectRejection(selfLoop, containing: ["cycle", "relu1"], isInvalidGraph)
        let undefined = withManifestRecord { $0.graph.value.nodes[3].inputs = ["relu9"] }
        expectRejection(undefined, containing: ["Node 'pool1' reads 'relu9', which nothing before it produces"], isInvalidGraph)
        let output = withManifestRecord { $0.graph.value.outputs = ["logits"] }
        expectRejection(output, containing: ["Graph output 'logits' is not produced"], isInvalidGraph)
        let noOutputs = withManifestRecord { $0.graph.value.outputs = [] }
        expectRejection(noOutputs, containing: ["no outputs"], isInvalidGraph)
        let noNodes = withManifestRecord { $0.graph.value.nodes = []; $0.tensors = [] }
        expectRejection(noNodes, containing: ["no nodes"], isInvalidGraph)
        let tooManyInputs = withManifestRecord { $0.graph.value.nodes[2].inputs = ["bn1", "conv1"] }
        expectRejection(tooManyInputs, containing: ["'relu1'", "takes 1 input(s), got 2"], isInvalidGraph)
    }

    @Test func nodesStoredOutOfOrder() throws {
        // relu1 stored before bn1, the node producing the value it reads. The graph is a DAG; the
        // nodes are not in a topological order as docs/FORMAT.md requires.
        let bytes = withManifestRecord { $0.graph.value.nodes.swapAt(1, 2) }
        expectRejection(bytes, containing: ["node \"relu1\" reads \"bn1\"", "topological order"], isInvalidGraph)
    }

    @Test func namesAreUnique() {
        let node = withManifestRecord { $0.graph.value.nodes[3].name = "relu1" }
        expectRejection(node, containing: ["Invalid name 'relu1': two nodes have this name"], isInvalidGraph)
        let value = withManifestRecord { manifest in
            manifest.graph.value.nodes[3].outputs = ["relu1"]
            manifest.graph.value.nodes[4].inputs = ["relu1"]
        }
        expectRejection(value, containing: ["Invalid name 'relu1': produced twice (node 'pool1')"], isInvalidGraph)
        let inputShadowed = withManifestRecord { manifest in
            manifest.graph.value.nodes[0].outputs = ["input"]
            manifest.graph.value.nodes[1].inputs = ["input"]
        }
        expectRejection(inputShadowed, containing: ["Invalid name 'input': produced twice (node 'conv1')"], isInvalidGraph)
        let dotted = withManifestRecord { manifest in
            manifest.graph.value.nodes[2].outputs = ["relu.1"]
            manifest.graph.value.nodes[3].inputs = ["relu.1"]
        }
        expectRejection(dotted, containing: ["'relu.1'", "contains a dot"], isInvalidGraph)
        let control = withManifestRecord { $0.graph.value.nodes[2].name = "relu\u{1}" }
        expectRejection(control, containing: ["invalid node name \"relu\\u{01}\": contains a control character"], isInvalidName)
        let empty = withManifestRecord { $0.graph.value.nodes[2].outputs = [""] }
        expectRejection(empty, containing: ["invalid value name \"\": empty"], isInvalidName)
        let longOp = withManifestRecord { $0.graph.value.nodes[2].operatorType = String(repeating: "R", count: 300) }
        expectRejection(longOp, containing: ["invalid op type name", "300 bytes long"], isInvalidName)
    }

    @Test func inputDimensionsAreBounded() {
        for (dimension, reason) in [("0", "dimension 0 outside 1...16777216"), ("-6", "dimension -6 outside"),
                                    ("1073741824", "dimension 1073741824 outside 1...16777216"),
                                    ("16777217", "dimension 16777217 outside")] {
            let bytes = withManifest { replaceFirst("[\"batch\",1,6,6]", with: "[\"batch\",1,\(dimension),6]", in: &$0) }
            expectRejection(bytes, containing: ["input \"input\" has \(reason)"], isInvalidGraph)
        }
        let symbol = withManifest { replaceFirst("[\"batch\",1,6,6]", with: "[\"batch\\u0007\",1,6,6]", in: &$0) }
        expectRejection(symbol, containing: ["invalid dimension symbol name \"batch\\u{07}\": contains a control character"], isInvalidName)
        let emptySymbol = withManifest { replaceFirst("[\"batch\",1,6,6]", with: "[\"\",1,6,6]", in: &$0) }
        expectRejection(emptySymbol, containing: ["invalid dimension symbol name \"\": empty"], isInvalidName)
        let fraction = withManifest { replaceFirst("[\"batch\",1,6,6]", with: "[\"batch\",1.5,6,6]", in: &$0) }
        expectRejection(fraction, containing: ["graph.inputs[0].shape[1]"], isInvalidManifest)
        let deep = withManifest { replaceFirst("[\"batch\",1,6,6]", with: "[\"batch\",1,1,1,1,1,1,1,6,6]", in: &$0) }
        expectRejection(deep, containing: ["input \"input\" has rank 10; the limit is 8"], isInvalidGraph)
        let elementType = withManifest { replaceFirst("\"element_type\":\"float32\"", with: "\"element_type\":\"bfloat16\"", in: &$0) }
        expectRejection(elementType, containing: ["graph.inputs[0].element_type: unknown element type \"bfloat16\" (known: float32, int64)"],
                        isInvalidManifest)
    }

    @Test func perSampleElementsAreBoundedByTwoToThe30() {
        // Each dimension is within 2^24, their product (2^32 per sample) is not: refused from the
        // shape alone, before any op or tensor is built.
        var builder = GraphBuilder(name: "wide", inputShape: [8])
        builder.add("relu", ReLUOperator(), builder.input)
        let bytes = withManifest(Fixtures.bytes(of: builder.finish())) {
            replaceFirst("[\"batch\",8]", with: "[\"batch\",65536,65536]", in: &$0)
        }
        expectRejection(bytes, containing: ["Graph input 'input': more than 1073741824 elements per sample"], isInvalidGraph)
        // An op's output may not exceed it either: a convolution from 4 to 2^24 channels of 16 × 16.
        var convolution = GraphBuilder(name: "wide-output", inputShape: [4, 16, 16])
        convolution.add("conv", Convolution2DOperator(inputChannels: 4, outputChannels: 2, window: WindowGeometry(square: 1)),
                        convolution.input)
        let output = withManifest(Fixtures.bytes(of: convolution.finish())) {
            replaceFirst("\"output_channels\":{\"int\":2}", with: "\"output_channels\":{\"int\":16777216}", in: &$0)
        }
        expectRejection(output, containing: ["'conv'", "output shape [batch, 16777216, 16, 16] has more than 1073741824 elements per sample"],
                        isInvalidGraph)
    }

    @Test func hugeDeclaredWeightsAreRefusedFromShapesAlone() throws {
        // A Linear of 2^24 × 2^24 declares a 2^48-element weight; no tensor table can match it, and
        // nothing may be allocated from the declaration.
        var builder = GraphBuilder(name: "huge", inputShape: [8])
        builder.add("fc", LinearOperator(inputFeatures: 8, outputFeatures: 3), builder.input)
        let small = Fixtures.bytes(of: builder.finish())
        let bytes = withManifestRecord(small) { manifest in
            manifest.graph.value.inputs[0].shape[1] = .fixed(1 << 24)
            manifest.graph.value.nodes[0].attributes["input_features"] = .int(1 << 24)
            manifest.graph.value.nodes[0].attributes["output_features"] = .int(1 << 24)
        }
        expectRejection(bytes, containing: ["tensor \"fc.weight\" has shape [3, 8], but its node declares [16777216, 16777216]"],
                        isInvalidGraph)
        // Claiming the declared shape in the tensor table breaks the element cap first.
        let claimed = withManifestRecord(bytes) { $0.tensors[0].shape = [1 << 24, 1 << 24] }
        expectRejection(claimed, containing: ["tensor \"fc.weight\" has invalid shape", "more than 4294967296 elements"]) {
            if case .invalidShape = $0 { true } else { false }
        }
        // The writer refuses such a graph the same way, without allocating.
        var huge = GraphBuilder(name: "huge", inputShape: [1 << 24])
        huge.add("fc", LinearOperator(inputFeatures: 1 << 24, outputFeatures: 1 << 24), huge.input)
        #expect(throws: ModelFileError.invalidGraph("no tensor for the weights \"fc.bias\", \"fc.weight\"")) {
            try ModelFile(graph: huge.finish(), tensors: []).encoded()
        }
    }

    @Test func tensorTableEqualsTheDeclaredWeights() {
        let missing = withManifestRecord { $0.tensors.removeAll { $0.name == "fc1.bias" } }
        expectRejection(missing, containing: ["no tensor for the weights \"fc1.bias\""], isInvalidGraph)
        let missingBuffers = withManifestRecord { $0.tensors.removeAll { $0.kind == .buffer } }
        expectRejection(missingBuffers, containing: ["no tensor for the weights \"bn1.running_mean\", \"bn1.running_var\""], isInvalidGraph)
        let extra = withManifestRecord { manifest in
            var copy = manifest.tensors[1]
            copy.name = "fc1.scale"
            manifest.tensors.append(copy)
        }
        expectRejection(extra, containing: ["tensor \"fc1.scale\" is not a weight of any node"], isInvalidGraph)
        let orphan = withManifestRecord { $0.tensors[1].name = "relu1.bias" }
        expectRejection(orphan, containing: ["tensor \"relu1.bias\" is not a weight of any node"], isInvalidGraph)
        // Same byte count, other shape.
        let misShaped = withManifestRecord { $0.tensors[index(ofTensor: "fc1.weight", in: $0)].shape = [8, 3] }
        expectRejection(misShaped, containing: ["tensor \"fc1.weight\" has shape [8, 3], but its node declares [3, 8]"], isInvalidGraph)
        let flattened = withManifestRecord { $0.tensors[0].shape = [18] }
        expectRejection(flattened, containing: ["tensor \"conv1.weight\" has shape [18], but its node declares [2, 1, 3, 3]"], isInvalidGraph)
        let bufferAsTrainable = withManifestRecord { $0.tensors[index(ofTensor: "bn1.running_var", in: $0)].kind = .trainable }
        expectRejection(bufferAsTrainable, containing: ["tensor \"bn1.running_var\" is stored as trainable, but its node declares buffer"],
                        isInvalidGraph)
        let trainableAsBuffer = withManifestRecord { $0.tensors[0].kind = .buffer }
        expectRejection(trainableAsBuffer, containing: ["tensor \"conv1.weight\" is stored as buffer, but its node declares trainable"],
                        isInvalidGraph)
        // The bias a node no longer declares is an extra tensor.
        let noBias = withManifestRecord { $0.graph.value.nodes[7].attributes["bias"] = .int(0) }
        expectRejection(noBias, containing: ["tensor \"fc1.bias\" is not a weight of any node"], isInvalidGraph)
        // The same in a coded file.
        let coded = withManifestRecord(CodedFixtures.validBytes) { $0.tensors.removeAll { $0.name == "fc2.weight" } }
        expectRejection(coded, containing: ["no tensor for the weights \"fc2.weight\""], isInvalidGraph)
    }

    /// The index of the tensor record named `name`.
    func index(ofTensor name: String, in manifest: Manifest) -> Int {
        manifest.tensors.firstIndex { $0.name == name }!
    }

    @Test func activationQuantizationIsValidated() {
        /// A quantization row of `value` with these parameters.
        func row(_ value: String, scale: Float = 0.5, zeroPoint: Int32 = 0, bits: Int = 8, signed: Bool = false) -> ActivationQuantizationRecord {
            ActivationQuantizationRecord(value: value, parameters: ActivationQuantization(scale: scale, zeroPoint: zeroPoint, bits: bits, isSigned: signed))
        }
        let cases: [(ActivationQuantizationRecord, String)] = [
            (row("relu9"), "no value of the graph has this name"),
            (row("fc1.weight"), "no value of the graph has this name"),
            (row("pool1", scale: 0), "scale 0.0 is not positive and finite"),
            (row("pool1", scale: -0.5), "scale -0.5 is not positive and finite"),
            (row("pool1", zeroPoint: 256), "zero point 256 outside 0...255"),
            (row("pool1", zeroPoint: -1), "zero point -1 outside 0...255"),
            (row("pool1", zeroPoint: 128, signed: true), "zero point 128 outside -128...127"),
            (row("pool1", zeroPoint: 16, bits: 4), "zero point 16 outside 0...15"),
            (row("pool1", bits: 0), "bits 0 outside 1...16"),
            (row("pool1", bits: 17), "bits 17 outside 1...16"),
        ]
        for (record, reason) in cases {
            let bytes = withManifestRecord { $0.activationQuantization.append(record) }
            expectRejection(bytes, containing: ["invalid activation quantization of value \"\(record.value)\": \(reason)"],
                            isInvalidQuantization(of: record.value))
        }
        let duplicate = withManifestRecord { manifest in
            manifest.activationQuantization.append(row("relu1", scale: 0.25))
        }
        expectRejection(duplicate, containing: ["\"relu1\"", "listed twice"], isInvalidQuantization(of: "relu1"))
        // Bits beyond any integer type, and JSON-level type errors.
        let hugeBits = withManifest { replaceFirst("\"bits\":4,", with: "\"bits\":4611686018427387904,", in: &$0) }
        expectRejection(hugeBits, containing: ["bits 4611686018427387904 outside 1...16"], isInvalidQuantization(of: "flatten"))
        let missingScale = withManifest { replaceFirst("\"scale\":0.0625,", with: "", in: &$0) }
        expectRejection(missingScale, containing: ["activation_quantization[0].scale: missing required field"], isInvalidManifest)
        let hugeScale = withManifest { replaceFirst("\"scale\":0.0625,", with: "\"scale\":1e39,", in: &$0) }
        expectRejection(hugeScale, containing: ["a number does not fit its field"], isInvalidManifest)
        // Quantization of a graph input and of a node output are both valid.
        #expect(throws: Never.self) { try ModelFile.decode(withManifestRecord { $0.activationQuantization.append(row("pool2")) }) }
    }

    @Test func tooManyNodesOrAttributes() throws {
        // 4 097 ReLU nodes in a chain: refused by count before the graph is resolved.
        var builder = GraphBuilder(name: "deep", inputShape: [4])
        var value = builder.input
        for index in 0..<ModelFileLimits.maximumNodeCount { value = builder.add("relu\(index)", ReLUOperator(), value) }
        let atLimit = builder.finish()
        let bytes = Fixtures.bytes(of: atLimit)
        #expect(try ModelFile.decode(bytes).graph == atLimit)
        let tooMany = withManifestRecord(bytes) { manifest in
            manifest.graph.value.nodes.append(Node(name: "relu_extra", operatorType: "ReLU", inputs: [value], outputs: ["extra"]))
            manifest.graph.value.outputs = ["extra"]
        }
        expectRejection(tooMany, containing: ["4097 nodes; the limit is 4096"], isInvalidGraph)
        builder.add("relu_extra", ReLUOperator(), value)
        #expect(throws: ModelFileError.invalidGraph("4097 nodes; the limit is 4096")) {
            try ModelFile(graph: builder.finish(), tensors: []).encoded()
        }
        // 65 attributes on one node.
        let attributes = withManifestRecord { manifest in
            for index in 0..<65 { manifest.graph.value.nodes[2].attributes["extra_\(index)"] = .int(index) }
        }
        expectRejection(attributes, containing: ["node \"relu1\" has more than 64 attributes"], isInvalidGraph)
        // A node with 1 025 inputs.
        let wide = withManifestRecord { $0.graph.value.nodes[2].inputs = Array(repeating: "bn1", count: 1_025) }
        expectRejection(wide, containing: ["node \"relu1\" has more than 1024 inputs or outputs"], isInvalidGraph)
    }
}
