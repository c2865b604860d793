import ShrinkData
import ShrinkNN
import ShrinkTensor
import ShrinkTraining

/// The lifecycle of knowledge distillation: `prepare` (build the student, check it fits the
/// teacher) → `train` (the student learns from the teacher and the labels) → `finalize` (the
/// student replaces the network) → `report`.
public final class Distiller {
    public let configuration: DistillationConfiguration
    /// The student being trained; set by `prepare`.
    public private(set) var student: GraphNetwork?
    /// The teacher (the model's network at `prepare`).
    public private(set) var teacher: GraphNetwork?
    /// The per-epoch history of the student's training.
    public private(set) var history = TrainingHistory()

    /// - Throws: `DistillationError` when the configuration is invalid.
    public init(configuration: DistillationConfiguration) throws(DistillationError) {
        try configuration.validate()
        self.configuration = configuration
    }

    /// Builds the student from the configuration's seed and checks that it maps the teacher's
    /// inputs to outputs of the teacher's shape.
    /// A student that starts with an input normalization node, like the CIFAR-10 models, takes
    /// the teacher's (the statistics its training measured), so both see the same inputs.
    public func prepare(model: CompressedModel) throws(DistillationError) {
        let graph = Self.adoptingInputNormalization(of: model.network.graph, in: try configuration.student.resolve())
        var generator = SeededRandomNumberGenerator(seed: configuration.seed)
        let student: GraphNetwork
        do {
            student = try GraphNetwork(graph: graph, generator: &generator)
        } catch {
            throw .invalidStudent(reason: "\(error)")
        }
        let teacher = model.network
        let teacherInput = teacher.sampleInputShape
        let sameInput = student.sampleInputShape.reduce(1, *) == teacherInput.reduce(1, *)
        guard sameInput, student.sampleOutputShape == teacher.sampleOutputShape else {
            throw .incompatibleStudent(
                student: graph.name, inputShape: student.sampleInputShape, outputShape: student.sampleOutputShape,
                teacherInputShape: teacherInput, teacherOutputShape: teacher.sampleOutputShape)
        }
        self.student = student
        self.teacher = teacher
    }

    /// `student` with the attributes (mean, standard deviation, scale) of the teacher's first
    /// node when both graphs start with an input normalization over as many channels; else
    /// `student` unchanged.
    static func adoptingInputNormalization(of teacher: Graph, in student: Graph) -> Graph {
        let type = InputNormalizationOperator.typeName
        guard let teacherNode = teacher.nodes.first, teacherNode.operatorType == type,
              let studentNode = student.nodes.first, studentNode.operatorType == type,
              let teacherMean = try? teacherNode.attributes.floats("mean"),
              let studentMean = try? studentNode.attributes.floats("mean"), teacherMean.count == studentMean.count
        else { return student }
        var adopted = student
        adopted.nodes[0].attributes = teacherNode.attributes
        return adopted
    }

    /// Trains the student on `context.training` with `DistillationObjective` (the context's
    /// batch size, optimizer and schedule; the configuration's epochs, learning rate and seed),
    /// validating on `context.validation` after each epoch when it is not empty.
    public func train(context: CompressionContext, observer: (TrainingEvent) -> Void = { _ in }) throws(DistillationError) {
        guard let student, let teacher else { preconditionFailure("train before prepare") }
        var training = context.fineTuning
        training.epochs = configuration.epochs
        training.baseLearningRate = configuration.learningRate
        training.seed = configuration.seed
        let loss = DistillationLoss(temperature: configuration.temperature, hardWeight: configuration.hardLabelWeight)
        let trainer = context.trainer(objective: DistillationObjective(teacher: teacher, loss: loss), constraints: [])
        do {
            history = try trainer.train(
                model: student, on: context.training,
                validation: context.validation.count > 0 ? context.validation : nil,
                configuration: training, observer: observer)
        } catch {
            throw .trainingFailed(reason: "\(error)")
        }
    }

    /// Replaces the model's network by the student and drops every per-parameter and activation
    /// state: they described the teacher's tensors.
    public func finalize(model: CompressedModel) {
        guard let student else { preconditionFailure("finalize before prepare") }
        model.network = student
        model.parameterStates = [:]
        model.activationQuantization = [:]
    }

    /// One entry per weight layer of the student (dense, freshly trained).
    public func report() -> [LayerCompressionReport] {
        guard let student else { return [] }
        return CompressedModel(network: student).weightLayers.map { layer, weight in
            let nonZero = weight.value.withUnsafeBufferPointer { $0.reduce(0) { $0 + ($1 != 0 ? 1 : 0) } }
            return LayerCompressionReport(
                parameter: weight.name, layerType: layer.typeName, elements: weight.value.count,
                nonZero: nonZero, note: "student layer")
        }
    }
}
