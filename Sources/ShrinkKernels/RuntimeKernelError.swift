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

    /// The checks of palettized weights: `indices` is [outputCount, inputCount], `bitWidth` in
    /// `allowedBitWidths`, 1...2^bitWidth centroids, every index below `centroidCount`, and the
    /// bias (if any) one value per output.
    static func checkPalette<Index: BinaryInteger>(
        indices: [Index], centroidCount: Int, bitWidth: Int, allowedBitWidths: ClosedRange<Int>, bias: [Float]?,
        outputCount: Int, inputCount: Int
    ) throws(RuntimeKernelError) {
        try check("indices", indices, outputCount * inputCount)
        guard allowedBitWidths.contains(bitWidth) else {
            throw .invalidValue(name: "bitWidth", value: bitWidth, allowed: "\(allowedBitWidths)")
        }
        guard (1...(1 << bitWidth)).contains(centroidCount) else {
            throw .invalidValue(name: "centroid count", value: centroidCount, allowed: "1...\(1 << bitWidth)")
        }
        if let bias { try check("bias", bias, outputCount) }
        if let bad = indices.first(where: { Int($0) >= centroidCount }) {
            throw .invalidValue(name: "index", value: Int(bad), allowed: "0..<\(centroidCount)")
        }
    }
}
