/// Arithmetic of one node for given shapes, by kind of operation, in fp32-equivalent units
/// (the energy model assigns a precision from the kernel that runs it).
public struct OperationCount: Hashable, Sendable {
    /// Multiply-accumulates of a weight product (dense-equivalent).
    public var multiplyAccumulates: Int
    /// Stand-alone multiplications.
    public var multiplies: Int
    /// Stand-alone additions.
    public var additions: Int
    /// Comparisons (max pool, ReLU, clipping).
    public var comparisons: Int
    /// Exponentials, logarithms, divisions and similar (softmax, sigmoid, tanh).
    public var transcendentals: Int

    public init(multiplyAccumulates: Int = 0, multiplies: Int = 0, additions: Int = 0, comparisons: Int = 0,
                transcendentals: Int = 0) {
        self.multiplyAccumulates = multiplyAccumulates
        self.multiplies = multiplies
        self.additions = additions
        self.comparisons = comparisons
        self.transcendentals = transcendentals
    }

    public static let zero = OperationCount()

    public static func + (lhs: OperationCount, rhs: OperationCount) -> OperationCount {
        OperationCount(
            multiplyAccumulates: lhs.multiplyAccumulates + rhs.multiplyAccumulates,
            multiplies: lhs.multiplies + rhs.multiplies, additions: lhs.additions + rhs.additions,
            comparisons: lhs.comparisons + rhs.comparisons, transcendentals: lhs.transcendentals + rhs.transcendentals)
    }
}
