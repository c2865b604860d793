import Foundation
import ShrinkData
import ShrinkEncodings
import ShrinkFormats
import ShrinkNN
import ShrinkTensor

/// A hand-made 4-3-2 perceptron written to a temporary file, and a few synthetic samples.
enum TinyModel {
    static var graph: Graph {
        var builder = GraphBuilder(name: "tiny-4-3-2", inputShape: [1, 2, 2])
        var x = builder.add("flatten", FlattenOperator(), builder.input)
        x = builder.add("fc1", LinearOperator(inputFeatures: 4, outputFeatures: 3), x)
        x = builder.add("relu1", ReLUOperator(), x)
        builder.add("fc2", LinearOperator(inputFeatures: 3, outputFeatures: 2), x)
        return builder.finish()
    }

    static let compression = CompressionSummary(recipe: "hand-made", steps: [
        CompressionStepSummary(kind: "magnitudePruning", summary: "pruned one weight", seconds: 1.25),
        CompressionStepSummary(kind: "quantization", summary: "int8 fc1", seconds: 0.5),
    ])

    /// Writes the model (fc1 stored as int8 per-channel codes when `int8`, else fp32; one fc2
    /// weight is zero) into `directory` and returns the path.
    static func write(into directory: String, int8: Bool) throws -> String {
        var generator = SeededRandomNumberGenerator(seed: 11)
        let model = try GraphNetwork(graph: graph, generator: &generator)
        var tensors = [StoredTensor]()
        for parameter in model.parameters {
            var values = parameter.value.scalars
            if parameter.name == "fc2.weight" { values[0] = 0 }
            let value = Tensor(shape: parameter.value.shape, scalars: values)
            if int8, parameter.name == "fc1.weight" {
                let scales = (0..<3).map { row in max(values[(row * 4)..<(row * 4 + 4)].map(abs).max()!, 1e-6) / 127 }
                let coded = try CodedTensor.affine(quantizing: values, bits: 8, isSigned: true, scales: scales,
                                                   zeroPoints: [0, 0, 0])
                tensors.append(try StoredTensor(name: parameter.name, kind: parameter.kind, shape: [3, 4],
                                                encoding: StoredEncoding(coded: coded)))
            } else {
                tensors.append(StoredTensor(name: parameter.name, kind: parameter.kind, value: value))
            }
        }
        let file = ModelFile(graph: graph, tensors: tensors,
                             metadata: ModelMetadata(compression: compression))
        let path = directory + (int8 ? "/tiny-int8.shrink" : "/tiny.shrink")
        try file.write(to: path)
        return path
    }

    /// `count` seeded samples of shape [1, 2, 2] with labels 0 or 1.
    static func samples(_ count: Int) -> LabeledDataset {
        var generator = SeededRandomNumberGenerator(seed: 5)
        let inputs = (0..<(count * 4)).map { _ in generator.nextUniform() }
        return LabeledDataset(inputs: Tensor(shape: [count, 1, 2, 2], scalars: inputs),
                              labels: (0..<count).map { $0 % 2 }, classCount: 2)
    }
}

/// A fresh directory under /tmp made with mkdtemp.
func makeTemporaryDirectory(prefix: String) -> String {
    var template = Array("/tmp/\(prefix)-XXXXXX".utf8CString)
    let created = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
    precondition(created != nil, "mkdtemp failed")
    return String(cString: created!)
}
