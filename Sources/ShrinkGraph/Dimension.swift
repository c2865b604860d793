/// One extent of a value's shape in a graph: a fixed size, or a symbol bound when the graph runs
/// (the batch size, a sequence length).
public enum Dimension: Hashable, Sendable, CustomStringConvertible {
    /// A size known when the graph is built.
    case fixed(Int)
    /// A size named by a symbol and known only when the graph runs (`batch`, `time`).
    case symbol(String)

    /// The batch dimension every graph input starts with.
    public static let batch = Dimension.symbol("batch")

    /// The size, when fixed.
    public var fixedValue: Int? {
        if case let .fixed(value) = self { return value }
        return nil
    }

    /// `7` or `batch`.
    public var description: String {
        switch self {
        case let .fixed(value): "\(value)"
        case let .symbol(name): name
        }
    }
}

/// The shape of a value in a graph, outermost dimension first. By convention the first dimension
/// of every activation is the batch (`Dimension.batch`); ops treat it as opaque.
public struct ValueShape: Hashable, Sendable, CustomStringConvertible, ExpressibleByArrayLiteral {
    public var dimensions: [Dimension]

    public init(_ dimensions: [Dimension]) {
        self.dimensions = dimensions
    }

    public init(arrayLiteral elements: Dimension...) {
        self.dimensions = elements
    }

    /// A batched shape: `[batch] + sample`.
    public static func batched(_ sample: [Int]) -> ValueShape {
        ValueShape([.batch] + sample.map { .fixed($0) })
    }

    public var rank: Int { dimensions.count }

    /// The dimensions after the first (the per-sample shape of a batched value), if all fixed.
    public var sampleShape: [Int]? {
        let sizes = dimensions.dropFirst().map(\.fixedValue)
        guard sizes.allSatisfy({ $0 != nil }) else { return nil }
        return sizes.map { $0! }
    }

    /// The sizes with every symbol replaced by `binding[symbol]` (the batch size when running).
    public func concrete(_ binding: [String: Int]) -> [Int]? {
        var sizes = [Int]()
        for dimension in dimensions {
            switch dimension {
            case let .fixed(value): sizes.append(value)
            case let .symbol(name):
                guard let value = binding[name] else { return nil }
                sizes.append(value)
            }
        }
        return sizes
    }

    public subscript(index: Int) -> Dimension {
        get { dimensions[index] }
        set { dimensions[index] = newValue }
    }

    /// `[batch, 1, 28, 28]`.
    public var description: String { "[" + dimensions.map(\.description).joined(separator: ", ") + "]" }
}
