/// Why a compressed model could not be turned into a model file.
public enum ModelExportError: Error, CustomStringConvertible, Equatable, Sendable {
    /// A gap width outside 1...16.
    case invalidGapBits(Int)
    /// The parameter's state cannot be encoded (shape mismatch, unsupported quantization axis,
    /// invalid palette or quantization parameters).
    case unsupportedState(parameter: String, reason: String)
    /// The encoding's decoded values differ from the network's values, so storing it would
    /// change the model (e.g. fp16 requested for values that are not fp16-representable).
    case valueMismatch(parameter: String, position: Int, network: Float, stored: Float)
    /// Two nodes read one value and quantize it with different static parameters.
    case conflictingActivationQuantization(value: String)

    /// One line naming the parameter and the problem.
    public var description: String {
        switch self {
        case .invalidGapBits(let bits):
            return "sparse gap width \(bits) is outside 1...16"
        case .unsupportedState(let parameter, let reason):
            return "cannot export \(parameter): \(reason)"
        case .valueMismatch(let parameter, let position, let network, let stored):
            return "cannot export \(parameter): element \(position) is \(network) in the network but its encoding stores \(stored)"
        case .conflictingActivationQuantization(let value):
            return "cannot export the activation quantization of value '\(value)': the nodes reading it were calibrated differently"
        }
    }
}
