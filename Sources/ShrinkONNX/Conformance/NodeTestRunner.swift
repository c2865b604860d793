import Foundation
import ShrinkFormats
import ShrinkGraph
import ShrinkNN
import ShrinkRuntime
import ShrinkTensor

/// Runs ONNX's backend node tests (`onnx/backend/test/data/node/<test>/model.onnx` with
/// `test_data_set_*/input_*.pb` and `output_*.pb`) through Shrink: import, compile with the
/// runtime, run, compare.
///
/// Shrink treats weights as constants, so the runner feeds a test's first input as the graph
/// input and every further input as an initializer (as compilers that freeze parameters do);
/// inputs keep their declared shapes, the first axis playing the batch. Outputs are compared
/// with `|actual − expected| ≤ absoluteTolerance + relativeTolerance·|expected|` (integer
/// outputs exactly); shapes must match.
public struct NodeTestRunner {
    public var relativeTolerance: Float
    public var absoluteTolerance: Float
    /// Tests expected to fail, with their reasons.
    public var exceptions: [String: String]

    public init(relativeTolerance: Float = 1e-3, absoluteTolerance: Float = 1e-6,
                exceptions: [String: String] = NodeTestExceptions.reasons) {
        self.relativeTolerance = relativeTolerance
        self.absoluteTolerance = absoluteTolerance
        self.exceptions = exceptions
    }

    /// The test folders under `directory` (those holding a `model.onnx`), sorted by name.
    public static func testDirectories(in directory: String) throws -> [String] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        return names.map { "\(directory)/\($0)" }.filter { FileManager.default.fileExists(atPath: "\($0)/model.onnx") }
    }

    /// Runs one test folder.
    public func run(testDirectory: String) -> NodeTestResult {
        let name = URL(fileURLWithPath: testDirectory).lastPathComponent
        var result = NodeTestResult(name: name, operatorTypes: [], outcome: .failed, detail: "")
        let model: ONNXModel
        do {
            model = try ONNXModel.read(path: "\(testDirectory)/model.onnx")
        } catch {
            result.detail = error.description
            return result
        }
        result.operatorTypes = Array(Set(model.proto.graph.node.map(\.opType))).sorted()
        do {
            try ONNXImporter.checkSupported(model.proto.graph)
        } catch {
            result.outcome = .refused
            result.detail = error.description
            return result
        }
        do {
            try runDataSets(model: model, directory: testDirectory)
            result.outcome = .passed
        } catch {
            result.detail = "\(error)"
            result.outcome = exceptions[name] == nil ? .failed : .expectedFailure
            if let reason = exceptions[name] { result.detail = reason + " (" + result.detail + ")" }
        }
        return result
    }

    /// Runs every folder under `directory`, calling `progress` after each.
    public func run(directory: String, filter: String? = nil,
                    progress: (Int, Int, NodeTestResult) -> Void = { _, _, _ in }) throws -> NodeTestReport {
        let directories = try Self.testDirectories(in: directory).filter { filter == nil || $0.contains(filter!) }
        var results = [NodeTestResult]()
        for (index, path) in directories.enumerated() {
            let result = run(testDirectory: path)
            results.append(result)
            progress(index + 1, directories.count, result)
        }
        return NodeTestReport(results: results)
    }

    private func runDataSets(model: ONNXModel, directory: String) throws {
        let dataSets = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasPrefix("test_data_set_") }.sorted()
        guard !dataSets.isEmpty else { throw ConformanceError("no test_data_set_* folder") }
        let graph = model.proto.graph
        let initializers = Set(graph.initializer.map(\.name))
        let inputNames = graph.input.map(\.name).filter { !initializers.contains($0) }
        for dataSet in dataSets {
            let folder = "\(directory)/\(dataSet)"
            let declaredTypes = graph.input.filter { !initializers.contains($0.name) }.map(\.type.tensorType.elemType)
            let inputs = try inputNames.indices.map { index in
                try Self.readTensor("\(folder)/input_\(index).pb", declaredType: declaredTypes[index])
            }
            let expected = try graph.output.indices.map { try Self.readTensor("\(folder)/output_\($0).pb") }
            guard !inputs.isEmpty else { throw ConformanceError("the model has no inputs") }
            // Weights as constants first; if the op takes them as activations (Concat, MatMul of
            // two activations), every input at run time.
            var frozen = [String: ONNXConstant]()
            for (index, name) in inputNames.enumerated().dropFirst() { frozen[name] = inputs[index] }
            let importer = ONNXImporter(options: ONNXImportOptions(batchAxis: .asDeclared))
            let imported: ImportedModel
            var runtimeInputs = [0]
            do {
                imported = try importer.importModel(model, frozenInputs: frozen)
            } catch {
                guard inputNames.count > 1, let all = try? importer.importModel(model, frozenInputs: [:]) else { throw error }
                imported = all
                runtimeInputs = Array(inputNames.indices)
            }
            let plan = try ExecutionPlan(graph: imported.graph, tensors: try imported.storedTensors())
            var feed = [String: Tensor]()
            for index in runtimeInputs {
                guard let tensor = inputs[index].tensor() else { throw ConformanceError("input \(index) is symbolic") }
                feed[imported.graph.inputs[index].name] = tensor.shape.isEmpty ? Tensor(shape: [1], scalars: tensor.scalars) : tensor
            }
            let outputs = try plan.run(inputs: feed)
            for (index, expectation) in expected.enumerated() {
                guard let actual = outputs[imported.graph.outputs[index]] else { throw ConformanceError("output \(index) missing") }
                try compare(actual, expectation, output: index)
            }
        }
    }

    private func compare(_ actual: Tensor, _ expected: ONNXConstant, output: Int) throws {
        let expectedShape = expected.shape.isEmpty ? [1] : expected.shape
        guard actual.shape == expectedShape else {
            throw ConformanceError("output \(output) has shape \(actual.shape), expected \(expected.shape)")
        }
        guard let values = expected.floats else { throw ConformanceError("output \(output) is symbolic") }
        let exact = !expected.elementType.isFloatingPoint
        var worst = (index: -1, excess: Float(0))
        for (index, (got, want)) in zip(actual.scalars, values).enumerated() {
            if got.isNaN && want.isNaN { continue }
            if got == want { continue }
            let allowed = exact ? 0 : absoluteTolerance + relativeTolerance * abs(want)
            let excess = abs(got - want) - allowed
            if !(excess <= 0) && (worst.index < 0 || excess > worst.excess || excess.isNaN) { worst = (index, excess) }
        }
        if worst.index >= 0 {
            let mismatches = zip(actual.scalars, values).count { got, want in
                !(got == want || (got.isNaN && want.isNaN))
                    && !(abs(got - want) <= (exact ? 0 : absoluteTolerance + relativeTolerance * abs(want)))
            }
            throw ConformanceError("output \(output): \(mismatches) of \(values.count) elements differ; element \(worst.index) is "
                                   + "\(actual.scalars[worst.index]), expected \(values[worst.index])")
        }
    }

    /// Reads a serialized `TensorProto` file.
    static func readTensor(_ path: String, declaredType: Int32? = nil) throws -> ONNXConstant {
        guard let data = FileManager.default.contents(atPath: path) else { throw ConformanceError("cannot read \(path)") }
        var proto: Onnx_TensorProto
        do { proto = try Onnx_TensorProto(serializedBytes: [UInt8](data)) } catch {
            throw ConformanceError("\(URL(fileURLWithPath: path).lastPathComponent) is not a TensorProto")
        }
        // NumPy has no bfloat16: the tests store bfloat16 inputs as their uint16 bit patterns.
        if declaredType == 16 && proto.dataType == 4 { proto.dataType = 16 }
        return try ONNXConstant(proto)
    }
}

/// A failure inside the conformance runner, as one line.
struct ConformanceError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
