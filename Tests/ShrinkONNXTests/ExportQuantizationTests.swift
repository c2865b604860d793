import ShrinkFormats
import ShrinkNN
@testable import ShrinkONNX
import ShrinkTensor
import Testing

/// QDQ int8 export of models quantized by Shrink's own int8 static step.
@Suite("ONNX QDQ export")
struct ExportQuantizationTests {

    @Test("int8 weights become INT8 initializers dequantized per output channel")
    func weightStructure() throws {
        let file = try ExportTestSupport.int8StaticFile(try ModelZoo.graph(named: "lenet-5"))
        let model = try ONNXExporter().export(file, quantization: .qdq)
        let graph = model.proto.graph
        for layer in ["conv1", "conv2", "fc1", "fc2"] {
            let stored = try #require(file.tensor(named: "\(layer).weight"))
            let coded = try #require(stored.encoding?.coded)
            let dequantize = try #require(graph.node.first { $0.opType == "DequantizeLinear" && $0.output == ["\(layer).weight"] })
            #expect(dequantize.attribute.count == 1 && dequantize.attribute[0].name == "axis" && dequantize.attribute[0].i == 0)
            let inputs = try dequantize.input.map { name in try #require(graph.initializer.first { $0.name == name }) }
            #expect(inputs.map(\.dataType) == [3, 1, 3]) // int8 codes, fp32 scales, int8 zero points
            #expect(inputs[0].dims == stored.value.shape.map(Int64.init))
            #expect(try ONNXConstant(inputs[0]).integers == coded.affineCodes()?.map(Int.init))
            #expect(try ONNXConstant(inputs[1]).floats == coded.scales)
            #expect(try ONNXConstant(inputs[2]).integers == [Int](repeating: 0, count: coded.scales.count))
            // The weight's reader reads the dequantized value under the weight's name.
            #expect(graph.node.first { $0.name == layer }?.input[1] == "\(layer).weight")
            #expect(!graph.initializer.contains { $0.name == "\(layer).weight" })
        }
        // Biases stay fp32.
        #expect(graph.initializer.first { $0.name == "fc1.bias" }?.dataType == 1)
    }

    @Test("inputs with calibrated parameters pass through QuantizeLinear → DequantizeLinear before their int8 readers")
    func activationStructure() throws {
        let file = try ExportTestSupport.int8StaticFile(try ModelZoo.graph(named: "lenet-5"))
        #expect(Set(file.activationQuantization.keys) == ["input", "pool1", "flatten", "relu1"])
        let model = try ONNXExporter().export(file, quantization: .qdq)
        let graph = model.proto.graph
        for (value, reader) in [("input", "conv1"), ("pool1", "conv2"), ("flatten", "fc1"), ("relu1", "fc2")] {
            let parameters = try #require(file.activationQuantization[value])
            let quantize = try #require(graph.node.first { $0.opType == "QuantizeLinear" && $0.input.first == value })
            let dequantize = try #require(graph.node.first { $0.opType == "DequantizeLinear" && $0.input.first == quantize.output[0] })
            let readerNode = try #require(graph.node.first { $0.name == reader })
            #expect(readerNode.input[0] == dequantize.output[0])
            let scale = try #require(graph.initializer.first { $0.name == quantize.input[1] })
            let zeroPoint = try #require(graph.initializer.first { $0.name == quantize.input[2] })
            #expect(try ONNXConstant(scale).floats == [parameters.scale] && scale.dims.isEmpty)
            #expect(zeroPoint.dataType == (parameters.isSigned ? 3 : 2))
            #expect(try ONNXConstant(zeroPoint).integers == [Int(parameters.zeroPoint)])
            #expect(dequantize.input[1...] == quantize.input[1...])
            // Nodes precede their readers (ONNX graphs are topologically sorted).
            let position = { (name: String) in graph.node.firstIndex { $0.name == name }! }
            #expect(position(quantize.name) < position(dequantize.name) && position(dequantize.name) < position(reader))
        }
        // The pools and the ReLU read the float values; fp32 export writes no quantization node.
        #expect(graph.node.first { $0.name == "pool1" }?.input == ["conv1"])
        #expect(!ExportTestSupport.operatorTypes(try ONNXExporter().export(file)).contains { $0.hasSuffix("QuantizeLinear") })
    }

    @Test("a BatchNormalization after an int8 convolution is folded into its scales and bias")
    func normalizationFolding() throws {
        var file = try ExportTestSupport.int8StaticFile(try ModelZoo.graph(named: "resnet-mini"))
        let model = try ONNXExporter().export(file, quantization: .qdq)
        let graph = model.proto.graph
        #expect(!graph.node.contains { $0.opType == "BatchNormalization" })
        let stem = try #require(graph.node.first { $0.name == "stem" })
        #expect(stem.output == ["stem_bn"] && stem.input.count == 3)
        let dequantize = try #require(graph.node.first { $0.output == ["stem.weight"] })
        let scaleTensor = try #require(graph.initializer.first { $0.name == dequantize.input[1] })
        let scales = try #require(try ONNXConstant(scaleTensor).floats)
        let coded = try #require(file.tensor(named: "stem.weight")?.encoding?.coded)
        let gamma = try #require(file.tensor(named: "stem_bn.weight")).value.scalars
        let variance = try #require(file.tensor(named: "stem_bn.running_var")).value.scalars
        #expect(scales == coded.scales.indices.map { coded.scales[$0] * (gamma[$0] / (variance[$0] + 1e-5).squareRoot()) })
        // Re-imported, the folded weights compute what the stored codes and normalizations do.
        file.activationQuantization = [:]
        let reimported = try ExportTestSupport.reimported(try ONNXExporter().export(file, quantization: .qdq))
        let input = ExportTestSupport.input(batch: 3, sampleShape: [1, 28, 28], seed: 12)
        #expect(ExportTestSupport.relativeError(try ExportTestSupport.run(reimported, input),
                                                try ExportTestSupport.run(ExportTestSupport.decoded(file), input)) <= 1e-5)
    }

    @Test("weight-only QDQ re-imports to the decoded weights exactly, and to the runtime's int8 output closely")
    func weightOnlyRoundTrip() throws {
        var file = try ExportTestSupport.int8StaticFile(try ModelZoo.graph(named: "lenet-5"))
        file.activationQuantization = [:] // the runtime then quantizes activations per row, at run time
        let model = try ONNXExporter().export(file, quantization: .qdq)
        #expect(!ExportTestSupport.operatorTypes(model).contains("QuantizeLinear"))
        let reimported = try ExportTestSupport.reimported(model) // the importer folds DequantizeLinear of constants
        let floats = ExportTestSupport.decoded(file)
        let input = ExportTestSupport.input(batch: 4, sampleShape: [1, 28, 28], seed: 9)
        let output = try ExportTestSupport.run(reimported, input)
        #expect(ExportTestSupport.relativeError(output, try ExportTestSupport.run(floats, input)) <= 1e-5)
        // The runtime's int8 kernels also quantize the activations (dynamically, per row): 2 %.
        #expect(ExportTestSupport.relativeError(output, try ExportTestSupport.run(file, input)) <= 2e-2)
    }

    /// Enable by merging the branch adding `QuantizeLinear`/`DequantizeLinear` to the standard
    /// registry: the importer turns the activation QDQ pairs into those ops.
    @Test("static QDQ re-imports and matches the runtime's static int8 output")
    func staticRoundTrip() throws {
        for name in ["lenet-5", "resnet-mini"] {
            let file = try ExportTestSupport.int8StaticFile(try ModelZoo.graph(named: name))
            let reimported = try ExportTestSupport.reimported(try ONNXExporter().export(file, quantization: .qdq))
            let input = ExportTestSupport.input(batch: 4, sampleShape: [1, 28, 28], seed: 10)
            // Same codes; the runtime multiplies by 1/scale where QuantizeLinear divides, and sums in another order.
            #expect(ExportTestSupport.relativeError(try ExportTestSupport.run(reimported, input),
                                                    try ExportTestSupport.run(file, input)) <= 1e-3, "\(name)")
        }
    }

    @Test("QDQ export of a model without int8 weights fails with one line saying to quantize first")
    func floatModelRefused() throws {
        let file = try ExportTestSupport.modelFile(try ModelZoo.graph(named: "lenet-5"))
        let error = #expect(throws: ONNXError.self) { try ONNXExporter().export(file, quantization: .qdq) }
        #expect(error?.description == "cannot export to ONNX: QDQ export needs int8-coded weights and 'lenet-5' has none; "
            + "compress it with int8 quantization first")
    }
}
