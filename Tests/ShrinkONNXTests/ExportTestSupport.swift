import ShrinkCompression
import ShrinkData
import ShrinkFormats
import ShrinkNN
@testable import ShrinkONNX
import ShrinkRuntime
import ShrinkTensor
import ShrinkTraining

/// Models, inputs and comparisons shared by the export tests.
enum ExportTestSupport {
    /// A model file of `graph` with seeded initial weights; BatchNorm scales, shifts and running
    /// statistics are drawn at random too (fresh ones are the identity, which would hide them).
    static func modelFile(_ graph: Graph, seed: UInt64 = 1) throws -> ModelFile {
        ModelFile(graph: graph, parameters: try network(graph, seed: seed).parameters)
    }

    /// The network `modelFile` stores.
    static func network(_ graph: Graph, seed: UInt64) throws -> GraphNetwork {
        var generator = SeededRandomNumberGenerator(seed: seed)
        let network = try GraphNetwork(graph: graph, generator: &generator)
        for parameter in network.parameters {
            let suffix = parameter.name.split(separator: ".").last.map(String.init) ?? ""
            let isNormalization = graph.node(named: String(parameter.name.prefix { $0 != "." }))?.operatorType == "BatchNormalization"
            guard isNormalization else { continue }
            let range: ClosedRange<Float> = switch suffix {
            case "running_var": 0.5...2
            case "weight": 0.5...1.5
            default: -0.5...0.5
            }
            parameter.value = Tensor(shape: parameter.value.shape, scalars: parameter.value.scalars.map { _ in
                range.lowerBound + generator.nextUniform() * (range.upperBound - range.lowerBound)
            })
        }
        return network
    }

    /// `batch` samples of `sampleShape` uniform in [0, 1), like Shrink's datasets.
    static func input(batch: Int, sampleShape: [Int], seed: UInt64) -> Tensor {
        var generator = SeededRandomNumberGenerator(seed: seed)
        let shape = [batch] + sampleShape
        return Tensor(shape: shape, scalars: (0..<Tensor.elementCount(of: shape)).map { _ in generator.nextUniform() })
    }

    /// max |a − b| over max |b|.
    static func relativeError(_ a: Tensor, _ b: Tensor) -> Float {
        guard a.shape == b.shape else { return .infinity }
        let scale = max(b.scalars.map(abs).max() ?? 0, 1e-12)
        return zip(a.scalars, b.scalars).map { abs($0 - $1) }.max()! / scale
    }

    /// The model serialized, parsed back and imported as a Shrink model file.
    static func reimported(_ model: ONNXModel, registry: OperatorRegistry = .standard) throws -> ModelFile {
        let parsed = try ONNXModel(bytes: try model.serializedBytes())
        return try ONNXImporter(registry: registry).importModel(parsed).modelFile()
    }

    /// The runtime's output for `input`.
    static func run(_ file: ModelFile, _ input: Tensor) throws -> Tensor {
        try ExecutionPlan(file: file).run(input)
    }

    /// `file` with every tensor stored as its decoded fp32 values.
    static func decoded(_ file: ModelFile) -> ModelFile {
        var copy = file
        copy.tensors = file.tensors.map { StoredTensor(name: $0.name, kind: $0.kind, value: $0.value) }
        return copy
    }

    /// The ONNX nodes of `model`, by op type in order.
    static func operatorTypes(_ model: ONNXModel) -> [String] { model.proto.graph.node.map(\.opType) }

    /// `graph` quantized by Shrink's int8 static step (s8 weights per channel, u8 activations
    /// calibrated with min/max on 64 synthetic samples), as its model file.
    static func int8StaticFile(_ graph: Graph, seed: UInt64 = 3) throws -> ModelFile {
        let model = CompressedModel(network: try network(graph, seed: seed))
        let sampleShape = model.network.sampleInputShape
        let samples = 64
        var generator = SeededRandomNumberGenerator(seed: seed + 100)
        let dataset = LabeledDataset(inputs: input(batch: samples, sampleShape: sampleShape, seed: seed + 200),
                                     labels: (0..<samples).map { _ in Int(generator.next() % 10) }, classCount: 10)
        let context = CompressionContext(
            training: dataset, validation: dataset,
            fineTuning: TrainingConfiguration(epochs: 0, batchSize: 32, optimizer: .sgd(momentum: 0, weightDecay: 0, nesterov: false),
                                              baseLearningRate: 0, seed: seed))
        _ = try Int8StaticQuantizationStep(configuration: .init(calibrationBatches: 2, calibrationBatchSize: 32)).apply(to: model, context: context)
        return try model.modelFile()
    }
}
