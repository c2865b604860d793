/// Why distillation could not be configured or run.
public enum DistillationError: Error, Equatable, CustomStringConvertible {
    /// A setting out of range.
    case invalidSetting(name: String, value: String, expected: String)
    /// The student name is in neither the student catalog nor the model zoo.
    case unknownStudent(name: String, available: [String])
    /// The student architecture cannot be built.
    case invalidStudent(reason: String)
    /// The student does not take the teacher's inputs or produce its outputs.
    case incompatibleStudent(student: String, inputShape: [Int], outputShape: [Int], teacherInputShape: [Int], teacherOutputShape: [Int])
    /// Training the student failed.
    case trainingFailed(reason: String)

    public var description: String {
        switch self {
        case let .invalidSetting(name, value, expected):
            "distillation: \(name) = \(value) is invalid, expected \(expected)"
        case let .unknownStudent(name, available):
            "distillation: unknown student '\(name)'; available: \(available.joined(separator: ", "))"
        case let .invalidStudent(reason):
            "distillation: the student architecture is invalid: \(reason)"
        case let .incompatibleStudent(student, inputShape, outputShape, teacherInputShape, teacherOutputShape):
            "distillation: student \(student) maps \(inputShape) to \(outputShape), the teacher \(teacherInputShape) to \(teacherOutputShape)"
        case let .trainingFailed(reason):
            "distillation: training the student failed: \(reason)"
        }
    }
}
