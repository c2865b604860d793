import ShrinkNN
import ShrinkTensor
import Testing
@testable import ShrinkFormats

/// One crafted manifest per manifest- and tensor-level rule of docs/FORMAT.md, "What a reader
/// must reject". Every file here has correct checksums, so only the rule under test can fire.
@Suite struct ModelFileManifestRejectionTests {
    @Test func strictJSONSyntax() {
        let cases: [(String, String)] = [
            ("\"graph\":{", "\"graph\"::{"),  // syntax error
            ("\"tiny-test\"", "\"tiny\ttest\""),  // raw control character in a string
            ("\"nodes\":", "\"nodes\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]],\"x\":"),
            ("\"kind\":\"trainable\"", "\"kind\":\"trainable\",\"kind\":\"buffer\""),  // duplicate member
            ("\"producer\":", "\"pro ducer\":\"x\",\"producer\":"),  // member name not an identifier
            ("\"epochs\":3", "\"epochs\":3.00000000000000000000000000000000000000000000001"),  // number too long
            ("\"epochs\":3", "\"epochs\":03"),  // leading zero
            ("\"epochs\":3", "\"epochs\":NaN"),
            ("\"tiny-test\"", "\"tiny\\qtest\""),  // invalid escape
        ]
        for (target, replacement) in cases {
            let bytes = withManifest { replaceFirst(target, with: replacement, in: &$0) }
            expectRejection(bytes, containing: ["invalid manifest: JSON error at byte"], isInvalidManifest)
        }
        expectRejection(withManifest { $0 += " {}" }, containing: ["after the JSON object"], isInvalidManifest)
        expectRejection(withManifest { $0 = "[" + $0 + "]" }, containing: ["must be a JSON object"], isInvalidManifest)
        var container = RawContainer(Fixtures.validBytes)
        container.sections[0].payload.insert(0xFF, at: 20)
        expectRejection(container.assembled(), containing: ["not valid UTF-8"], isInvalidManifest)
    }

    @Test func schemaViolationsNameTheField() {
        let cases: [(String, String, String)] = [
            ("\"shape\":[2,1,3,3]", "\"shape\":\"2x1x3x3\"", "tensors[0].shape"),
            ("\"kind\":\"trainable\",", "", "tensors[0].kind"),
            ("\"kind\":\"trainable\"", "\"kind\":\"frozen\"", "tensors[0].kind"),
            ("\"dataset\":\"mnist\"", "\"dataset\":7", "metadata.training.dataset"),
            ("\"op\":\"Conv2D\"", "\"op\":7", "graph.nodes[0].op"),
            ("\"op\":\"Conv2D\",", "", "graph.nodes[0].op"),
            ("\"outputs\":[\"fc1\"]},\"metadata\"", "\"outputs\":\"fc1\"},\"metadata\"", "graph.outputs"),
            ("\"scale\":0.05", "\"scale\":\"0.05\"", "activation_quantization[2].scale"),
        ]
        for (target, replacement, path) in cases {
            let bytes = withManifest { replaceFirst(target, with: replacement, in: &$0) }
            expectRejection(bytes, containing: ["invalid manifest: \(path)"], isInvalidManifest)
        }
    }

    @Test func numbersMustBeIntegersInRange() {
        let cases: [(String, String)] = [
            ("\"shape\":[2,1,3,3]", "\"shape\":[2,1.5,3,3]"),
            ("\"length\":72,", "\"length\":1e30,"),
            ("\"length\":72,", "\"length\":99999999999999999999,"),
            ("\"section\":1}", "\"section\":-9223372036854775809}"),
            ("\"seed\":18446744073709551615", "\"seed\":-1"),
            ("\"seed\":18446744073709551615", "\"seed\":18446744073709551616"),
            ("\"zero_point\":0", "\"zero_point\":2147483648"),  // Int32
            ("\"input_features\":{\"int\":8}", "\"input_features\":{\"int\":8.25}"),
        ]
        for (target, replacement) in cases {
            let bytes = withManifest { replaceFirst(target, with: replacement, in: &$0) }
            expectRejection(bytes, containing: ["invalid manifest: a number does not fit its field"], isInvalidManifest)
        }
    }

    @Test func duplicateTensorNames() {
        let bytes = withManifest { replaceFirst("\"name\":\"conv1.bias\"", with: "\"name\":\"conv1.weight\"", in: &$0) }
        expectRejection(bytes, containing: ["two tensors are named \"conv1.weight\""]) {
            if case .duplicateTensorName("conv1.weight") = $0 { true } else { false }
        }
    }

    @Test func invalidTensorNames() {
        let long = String(repeating: "a", count: 257)
        for (name, reason) in [("", "empty"), ("bad\\u0000name", "control character"), (long, "257 bytes long")] {
            let bytes = withManifest { replaceFirst("\"name\":\"conv1.bias\"", with: "\"name\":\"\(name)\"", in: &$0) }
            expectRejection(bytes, containing: ["invalid tensor name", reason]) {
                if case .invalidName = $0 { true } else { false }
            }
        }
    }

    @Test func absurdShapes() {
        let cases: [(String, String)] = [
            ("[1099511627776,1099511627776]", "more than 4294967296 elements"),  // product overflows Int64
            ("[65536,65537]", "more than 4294967296 elements"),  // above the element cap
            ("[0,9223372036854775807,9223372036854775807]", "more than 4294967296 elements"),  // zero does not excuse
            ("[1,1,1,1,1,1,1,1,1]", "rank 9 exceeds the limit 8"),
            ("[2,-1]", "negative dimension -1"),
        ]
        for (shape, reason) in cases {
            let bytes = withManifest { replaceFirst("\"shape\":[2,1,3,3]", with: "\"shape\":\(shape)", in: &$0) }
            expectRejection(bytes, containing: ["tensor \"conv1.weight\" has invalid shape", reason]) {
                if case .invalidShape = $0 { true } else { false }
            }
        }
    }

    @Test func unknownEncodingTag() {
        let bytes = withManifest { replaceFirst("\"tag\":\"dense-f32\"", with: "\"tag\":\"int8-per-channel\"", in: &$0) }
        expectRejection(bytes, containing: ["conv1.weight", "int8-per-channel", "upgrade shrink"]) {
            if case .unknownEncoding(tensor: "conv1.weight", tag: "int8-per-channel") = $0 { true } else { false }
        }
    }

    @Test func byteLengthDiffersFromShape() {
        // conv1.weight [2,1,3,3] needs 72 bytes; its range claims 68. (Changing the shape instead
        // no longer reaches this rule: the graph declares the shape, see ModelFileGraphRejectionTests.)
        let bytes = withManifest { replaceFirst("\"length\":72,", with: "\"length\":68,", in: &$0) }
        expectRejection(bytes, containing: ["needs 72 bytes but stores 68"]) {
            if case .byteLengthMismatch(tensor: "conv1.weight", shape: [2, 1, 3, 3], expected: 72, actual: 68) = $0 {
                true
            } else {
                false
            }
        }
    }

    @Test func byteRangesOutsideTheirSection() {
        let cases: [(String, String, String)] = [
            ("\"length\":96,\"offset\":448", "\"length\":96,\"offset\":576", "lies outside section 1 (DATA)"),
            ("\"length\":96,\"offset\":448", "\"length\":96,\"offset\":-64", "offset -64"),
            ("\"offset\":0,\"role\":\"values\",\"section\":1", "\"offset\":0,\"role\":\"values\",\"section\":7", "refers to section 7"),
            ("\"offset\":0,\"role\":\"values\",\"section\":1", "\"offset\":0,\"role\":\"values\",\"section\":0", "not a DATA section"),
            ("\"length\":8,\"offset\":128", "\"length\":8,\"offset\":132", "not a multiple of 64"),
            ("\"role\":\"values\",\"section\":1}]", "\"role\":\"values\",\"section\":1},{\"length\":8,\"offset\":0,\"role\":\"scales\",\"section\":1}]", "no byte range role \"scales\""),
            ("\"role\":\"values\",\"section\":1}]", "\"role\":\"values\",\"section\":1},{\"length\":72,\"offset\":0,\"role\":\"values\",\"section\":1}]", "appears twice"),
            ("\"ranges\":[{\"length\":72,\"offset\":0,\"role\":\"values\",\"section\":1}]", "\"ranges\":[]", "needs a byte range with role \"values\""),
        ]
        for (target, replacement, reason) in cases {
            let bytes = withManifest { replaceFirst(target, with: replacement, in: &$0) }
            expectRejection(bytes, containing: [reason]) {
                if case .invalidByteRange = $0 { true } else { false }
            }
        }
        // Every op declares non-empty weights, so only a coded tensor without entries (the coded
        // fixture's all-zero sparse tensors and empty side tables) has an empty range.
        let empty = withManifest(CodedFixtures.validBytes) {
            replaceFirst("\"length\":0,\"offset\":0", with: "\"length\":0,\"offset\":64", in: &$0)
        }
        expectRejection(empty, containing: ["must have offset 0"]) {
            if case .invalidByteRange = $0 { true } else { false }
        }
    }

    @Test func overlappingTensorRanges() {
        // conv1.bias (8 bytes at 128) also claimed by bn1.weight.
        let bytes = withManifest { replaceFirst("\"length\":8,\"offset\":192", with: "\"length\":8,\"offset\":128", in: &$0) }
        expectRejection(bytes, containing: ["conv1.bias", "bn1.weight", "overlapping"]) {
            if case .overlappingByteRanges = $0 { true } else { false }
        }
    }

    @Test func unreferencedDataBytesMustBeZero() {
        var container = RawContainer(Fixtures.validBytes)
        container.sections[1].payload[100] = 0x7F  // between conv1.weight (0..<72) and conv1.bias (128..<136)
        expectRejection(container.assembled(), containing: ["unreferenced bytes of section 1 (DATA)"]) {
            if case .nonZeroPadding = $0 { true } else { false }
        }
        container = RawContainer(Fixtures.validBytes)
        container.sections[1].payload += [0, 0, 9]  // after the last tensor
        expectRejection(container.assembled(), containing: ["unreferenced bytes of section 1 (DATA)"]) {
            if case .nonZeroPadding = $0 { true } else { false }
        }
    }

    @Test func invalidGraphAttributesAndShapes() {
        // Op rules on attributes and the graph's shapes (more in ModelFileGraphRejectionTests).
        let cases: [(String, String, [String])] = [
            ("\"rate\":{\"float\":0.25}", "\"rate\":{\"float\":1.5}", ["'dropout'", "rate must be in [0, 1), got 1.5"]),
            ("\"input_features\":{\"int\":8}", "\"input_features\":{\"int\":0}", ["'fc1'", "feature counts must be positive"]),
            ("\"pads\":{\"ints\":[1,1,1,1]}", "\"pads\":{\"ints\":[-1,-1,-1,-1]}", ["'conv1'", "pads must be four non-negative"]),
            ("\"channels\":{\"int\":2}", "\"channels\":{\"int\":2},\"epsilon\":{\"float\":0}", ["'bn1'", "epsilon must be positive"]),
            ("\"name\":\"bn1\"", "\"name\":\"conv1\"", ["'conv1'", "two nodes have this name"]),
            ("\"shape\":[\"batch\",1,6,6]", "\"shape\":[\"batch\",1,0,6]", ["\"input\"", "dimension 0 outside 1...16777216"]),
            ("\"shape\":[\"batch\",1,6,6]", "\"shape\":[\"batch\",1,4,4]", ["'fc1'", "expects [batch, 8]"]),
            ("\"op\":\"ReLU\"", "\"op\":\"GELU\"", ["'relu1'", "unknown op type 'GELU'"]),
        ]
        for (target, replacement, fragments) in cases {
            let bytes = withManifest { replaceFirst(target, with: replacement, in: &$0) }
            expectRejection(bytes, containing: ["invalid graph"] + fragments, isInvalidGraph)
        }
    }

    @Test func invalidMetadata() {
        let cases: [(String, String, String)] = [
            ("\"testAccuracy\":0.9871", "\"testAccuracy\":1.5", "testAccuracy 1.5"),
            ("\"epochs\":3", "\"epochs\":-3", "epochs -3"),
            ("\"producer\":\"shrink 0.1.0\"", "\"producer\":\"\"", "producer is empty"),
        ]
        for (target, replacement, reason) in cases {
            let bytes = withManifest { replaceFirst(target, with: replacement, in: &$0) }
            expectRejection(bytes, containing: ["invalid metadata", reason]) {
                if case .invalidMetadata = $0 { true } else { false }
            }
        }
    }

    @Test func tooManyTensors() {
        let table = Array(repeating: (name: "x", shape: [Int]()), count: ModelFileLimits.maximumTensorCount + 1)
        #expect(throws: ModelFileError.tooManyTensors(count: 65_537, limit: 65_536)) {
            try ModelFileValidation.validateTensorTable(table)
        }
    }

    @Test func writerRefusesWhatTheReaderRejects() throws {
        var model = Fixtures.model()
        model.tensors[1].name = model.tensors[0].name
        #expect(throws: ModelFileError.duplicateTensorName("conv1.weight")) { try model.encoded() }

        model = Fixtures.model()
        model.metadata.training?.finalTrainingLoss = .nan
        #expect(throws: ModelFileError.self) { try model.encoded() }

        model = Fixtures.model()
        model.metadata.compression = CompressionSummary(
            recipe: "prune-50", steps: [CompressionStepSummary(kind: "magnitudePruning", summary: "", seconds: -1)])
        #expect(throws: ModelFileError.invalidMetadata("compression.steps[0].seconds -1.0 is outside [0, ∞)")) {
            try model.encoded()
        }
        model.metadata.compression = CompressionSummary(recipe: "prune-50", steps: [], testAccuracyAfter: 2)
        #expect(throws: ModelFileError.invalidMetadata("compression.testAccuracyAfter 2.0 is outside [0, 1]")) {
            try model.encoded()
        }
        model.metadata.compression = CompressionSummary(recipe: "prune-50", steps: [], testAccuracyAfter: 0.98)
        #expect(try ModelFile.decode(model.encoded()).metadata == model.metadata)

        model = Fixtures.model()
        model.tensors[0].value = Tensor(zeros: [1, 1, 1, 1, 1, 1, 1, 1, 1])
        #expect(throws: ModelFileError.self) { try model.encoded() }

        model = Fixtures.model()
        let dropout = try #require(model.graph.nodes.firstIndex { $0.name == "dropout" })
        model.graph.nodes[dropout].attributes["rate"] = .float(.infinity)
        #expect(throws: ModelFileError.invalidGraph("node \"dropout\" attribute \"rate\": inf is not finite")) { try model.encoded() }
    }
}
