import Foundation
import ShrinkNN
import ShrinkTensor
import ShrinkTraining
import Testing
@testable import ShrinkCompression

@Suite struct DistillationTests {
    /// A linear teacher computing `rule · x` (perfect on the synthetic labels), or with its
    /// classes rotated by `shift` (so it disagrees with the labels everywhere).
    func teacher(shift: Int = 0) -> GraphNetwork {
        var builder = GraphBuilder(name: "teacher", inputShape: [4])
        builder.add("fc", LinearOperator(inputFeatures: 4, outputFeatures: 3), builder.input)
        var generator = SeededRandomNumberGenerator(seed: 0)
        let network = try! GraphNetwork(graph: builder.finish(), generator: &generator)
        let rows = (0..<3).map { ClusteringTestSupport.rule[($0 + shift) % 3] }
        network.parameter(named: "fc.weight")!.value = Tensor(shape: [3, 4], scalars: rows.flatMap { $0.map { $0 * 3 } })
        network.parameter(named: "fc.bias")!.value = Tensor(zeros: [3])
        return network
    }

    let studentArchitecture = ClusteringTestSupport.multilayerPerceptronGraph(hidden: 8, name: "student")

    func configuration(hardLabelWeight: Float) -> DistillationConfiguration {
        DistillationConfiguration(
            student: .graph(studentArchitecture), temperature: 4, hardLabelWeight: hardLabelWeight,
            epochs: 4, learningRate: 0.05, seed: 2)
    }

    @Test func studentLearnsFromTheTeacherAndReplacesTheNetwork() throws {
        let model = CompressedModel(network: teacher())
        model.parameterStates["fc.weight"] = ParameterCompressionState(mask: Tensor(repeating: 1, shape: [3, 4]))
        var epochs = 0
        let context = ClusteringTestSupport.context(progress: { if case .fineTuningEpoch = $0 { epochs += 1 } })
        #expect(Evaluator.evaluate(model: model.network, on: context.validation).top1Accuracy == 1)
        let report = try DistillationStep(configuration: configuration(hardLabelWeight: 0)).apply(to: model, context: context)
        #expect(model.network.name == "student")
        #expect(model.parameterStates.isEmpty)
        #expect(report.layers.map(\.parameter) == ["fc1.weight", "fc2.weight"])
        #expect(try #require(report.accuracyAfter) > 0.85)
        #expect(report.summary.contains("teacher accuracy 1.0000"))
        #expect(epochs == 4)
    }

    /// With α = 0 only the teacher teaches: a teacher that is wrong everywhere (classes rotated)
    /// makes the student wrong everywhere too, so the soft term really is the teacher's.
    @Test func softTermFollowsTheTeacherNotTheLabels() throws {
        let context = ClusteringTestSupport.context()
        let follower = CompressedModel(network: teacher(shift: 1))
        let report = try DistillationStep(configuration: configuration(hardLabelWeight: 0)).apply(to: follower, context: context)
        #expect(try #require(report.accuracyAfter) < 0.15)
        // With the hard labels only (α = 1), the same wrong teacher has no effect.
        let labelsOnly = CompressedModel(network: teacher(shift: 1))
        let hard = try DistillationStep(configuration: configuration(hardLabelWeight: 1)).apply(to: labelsOnly, context: context)
        #expect(try #require(hard.accuracyAfter) > 0.85)
    }

    @Test func incompatibleStudentIsRejected() throws {
        let model = CompressedModel(network: teacher())
        let wrongClasses = ClusteringTestSupport.multilayerPerceptronGraph(classes: 5, name: "wide")
        let distiller = try Distiller(configuration: DistillationConfiguration(
            student: .graph(wrongClasses), temperature: 4, hardLabelWeight: 0.5, epochs: 1, learningRate: 0.1))
        #expect(throws: DistillationError.incompatibleStudent(
            student: "wide", inputShape: [4], outputShape: [5], teacherInputShape: [4], teacherOutputShape: [3])) {
            try distiller.prepare(model: model)
        }
        // An MNIST student does not take 4 features.
        let mnistStudent = try Distiller(configuration: DistillationConfiguration(
            student: .named("mlp-784-100-10"), temperature: 4, hardLabelWeight: 0.5, epochs: 1, learningRate: 0.1))
        #expect(throws: DistillationError.self) { try mnistStudent.prepare(model: model) }
    }

    @Test func validationRejectsOutOfRangeSettings() {
        func error(_ configuration: DistillationConfiguration) -> DistillationError? {
            do { try configuration.validate(); return nil } catch { return error }
        }
        let good = DistillationConfiguration(student: .named("mlp-784-100-10"), temperature: 4, hardLabelWeight: 0.3, epochs: 2, learningRate: 0.05)
        #expect(error(good) == nil)
        var bad = good
        bad.temperature = 0
        #expect(error(bad) == .invalidSetting(name: "temperature", value: "0.0", expected: "a positive finite number"))
        bad = good
        bad.hardLabelWeight = 1.5
        #expect(error(bad) == .invalidSetting(name: "hardLabelWeight", value: "1.5", expected: "in [0, 1]"))
        bad = good
        bad.epochs = 0
        #expect(error(bad) == .invalidSetting(name: "epochs", value: "0", expected: "at least 1"))
        bad = good
        bad.learningRate = -1
        #expect(error(bad) == .invalidSetting(name: "learningRate", value: "-1.0", expected: "a positive finite number"))
        bad = good
        bad.student = .named("resnet-50")
        #expect(error(bad) == .unknownStudent(name: "resnet-50", available: ["mlp-784-100-10", "mlp-784-30-10", "lenet-300-100", "lenet-5", "resnet-mini",
                                                                        "resnet-20", "vgg-11", "vgg-13", "mobilenet-v2", "mobilenet-v2-small"]))
    }

    @Test func aStudentTakesTheTeachersInputNormalization() throws {
        let measured = InputNormalizationOperator(mean: [0.5, 0.4, 0.3], standardDeviation: [0.2, 0.25, 0.3])
        let teacher = try ModelZoo.graph(named: "resnet-20", inputNormalization: measured)
        let student = try ModelZoo.graph(named: "mobilenet-v2-small")
        let adopted = Distiller.adoptingInputNormalization(of: teacher, in: student)
        #expect(adopted.nodes[0].attributes == teacher.nodes[0].attributes)
        #expect(adopted.nodes[0].attributes != student.nodes[0].attributes)
        #expect(Array(adopted.nodes.dropFirst()) == Array(student.nodes.dropFirst()))
        // A teacher without the node (the MNIST models), or a student without it: unchanged.
        #expect(Distiller.adoptingInputNormalization(of: try ModelZoo.graph(named: "lenet-5"), in: student) == student)
        let mnistStudent = try ModelZoo.graph(named: "lenet-300-100")
        #expect(Distiller.adoptingInputNormalization(of: teacher, in: mnistStudent) == mnistStudent)
    }

    @Test func studentsResolveFromTheCatalogAndTheZoo() throws {
        var generator = SeededRandomNumberGenerator(seed: 0)
        let student = try GraphNetwork(graph: #require(StudentArchitectures.graph(named: "mlp-784-100-10")), generator: &generator)
        #expect(student.trainableParameterCount == 79_510)
        #expect(student.sampleOutputShape == [10])
        #expect(StudentArchitectures.graph(named: "lenet-300-100")?.name == "lenet-300-100")
    }

    @Test func decodesNamedAndInlineStudents() throws {
        let named = #"{"student": "mlp-784-30-10", "temperature": 6, "hardLabelWeight": 0.2, "epochs": 3, "learningRate": 0.05}"#
        let decoded = try JSONDecoder().decode(DistillationConfiguration.self, from: Data(named.utf8))
        #expect(decoded.student == .named("mlp-784-30-10") && decoded.seed == 0 && decoded.temperature == 6)
        let inline = DistillationConfiguration(
            student: .graph(studentArchitecture), temperature: 2, hardLabelWeight: 0.5, epochs: 1, learningRate: 0.1, seed: 9)
        let roundTrip = try JSONDecoder().decode(DistillationConfiguration.self, from: JSONEncoder().encode(inline))
        #expect(roundTrip == inline)
    }
}
