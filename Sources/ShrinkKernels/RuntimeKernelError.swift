/// Errors of the runtime kernels' Swift API (packing compressed weights, applying them).
public enum RuntimeKernelError: Error, CustomStringConvertible, Equatable {
    /// An array does not have the element count the shapes require.
    case countMismatch(name: String, expected: Int, actual: Int)
    /// An index or bit width is outside what the kernel supports.
    case invalidValue(name: String, value: Int, allowed: String)
    /// The temporary buffer of a kernel could not be allocated.
    case outOfMemory

    public var description: String {
        switch self {
        case let .countMismatch(name, expected, actual):
            "\(name) has \(actual) elements, expected \(expected)"
        case let .invalidValue(name, value, allowed):
            "\(name) is \(value), allowed: \(allowed)"
        case .outOfMemory:
            "a kernel could not allocate its temporary buffer"
        }
    }

    static func check(_ name: String, _ array: some Collection, _ expected: Int) throws(RuntimeKernelError) {
        guard array.count == expected else { throw .countMismatch(name: name, expected: expected, actual: array.count) }
    }
}
