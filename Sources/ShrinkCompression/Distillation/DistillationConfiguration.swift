import ShrinkNN

/// The settings of knowledge distillation (Hinton et al. 2015): a fresh student trained on
/// `α · CE(labels) + (1 − α) · T² · CE(softmax(student/T), softmax(teacher/T))` with the current
/// network as the teacher.
///
/// ```json
/// { "student": "mlp-784-100-10", "temperature": 2, "hardLabelWeight": 0.5,
///   "epochs": 10, "learningRate": 0.05, "seed": 1 }
/// ```
/// On MNIST with a LeNet-300-100 teacher (1.46 % error, 10 epochs), low temperatures worked
/// best for this student: T = 2, α = 0.5 and T = 3, α = 0.7 gave 1.65 % against 1.86 % trained
/// alone; T = 8, α = 0.1 gave 2.46 % (the teacher's soft targets are nearly one-hot, and a high
/// temperature makes the small student match logits it cannot represent).
/// `student` is a name (`StudentArchitectures`, then `ModelZoo`) or an inline graph.
/// Batch size, optimizer and schedule come from the context's fine-tuning configuration.
public struct DistillationConfiguration: Codable, Equatable, Sendable {
    /// Which student to train.
    public enum Student: Codable, Equatable, Sendable {
        /// A catalog or zoo name.
        case named(String)
        /// An explicit graph (the model file's graph schema, docs/FORMAT.md).
        case graph(Graph)

        /// Decodes a string as `named`, an object as `graph`.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let name = try? container.decode(String.self) {
                self = .named(name)
            } else {
                self = .graph(try container.decode(Graph.self))
            }
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case let .named(name): try container.encode(name)
            case let .graph(graph): try container.encode(graph)
            }
        }

        /// The student's graph.
        public func resolve() throws(DistillationError) -> Graph {
            switch self {
            case let .named(name):
                guard let graph = StudentArchitectures.graph(named: name) else {
                    throw .unknownStudent(name: name, available: StudentArchitectures.allNames)
                }
                return graph
            case let .graph(graph):
                return graph
            }
        }
    }

    public var student: Student
    /// The softmax temperature `T > 0` of the soft term.
    public var temperature: Float
    /// The weight `α` in [0, 1] of the hard-label loss (1 trains on the labels alone).
    public var hardLabelWeight: Float
    /// Passes over the training set, at least 1.
    public var epochs: Int
    /// The base learning rate of the student's training.
    public var learningRate: Float
    /// Seeds the student's initialization and the shuffles.
    public var seed: UInt64

    public init(
        student: Student, temperature: Float, hardLabelWeight: Float, epochs: Int, learningRate: Float, seed: UInt64 = 0
    ) {
        self.student = student
        self.temperature = temperature
        self.hardLabelWeight = hardLabelWeight
        self.epochs = epochs
        self.learningRate = learningRate
        self.seed = seed
    }

    enum CodingKeys: String, CodingKey { case student, temperature, hardLabelWeight, epochs, learningRate, seed }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        student = try container.decode(Student.self, forKey: .student)
        temperature = try container.decode(Float.self, forKey: .temperature)
        hardLabelWeight = try container.decode(Float.self, forKey: .hardLabelWeight)
        epochs = try container.decode(Int.self, forKey: .epochs)
        learningRate = try container.decode(Float.self, forKey: .learningRate)
        seed = try container.decodeIfPresent(UInt64.self, forKey: .seed) ?? 0
    }

    /// Throws if a setting is out of range or the student name is unknown.
    public func validate() throws(DistillationError) {
        guard temperature > 0, temperature.isFinite else {
            throw .invalidSetting(name: "temperature", value: "\(temperature)", expected: "a positive finite number")
        }
        guard (0...1).contains(hardLabelWeight) else {
            throw .invalidSetting(name: "hardLabelWeight", value: "\(hardLabelWeight)", expected: "in [0, 1]")
        }
        guard epochs >= 1 else { throw .invalidSetting(name: "epochs", value: "\(epochs)", expected: "at least 1") }
        guard learningRate > 0, learningRate.isFinite else {
            throw .invalidSetting(name: "learningRate", value: "\(learningRate)", expected: "a positive finite number")
        }
        _ = try student.resolve()
    }
}
