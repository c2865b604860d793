import Foundation

/// The identity of one recorded run: a lowercase UUID, unique across machines so that shard
/// databases merge without clashes.
public struct RunID: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    /// The UUID text, e.g. `3f2b9c1e-7a4d-4e0b-9a51-0c6d2e8f1a77`.
    public let rawValue: String

    /// A new random id.
    public init() {
        rawValue = UUID().uuidString.lowercased()
    }

    /// An id from its text (as stored, printed or given on the command line).
    public init(_ rawValue: String) {
        self.rawValue = rawValue.lowercased()
    }

    /// The first eight characters: enough to tell runs apart in a table, accepted by `show`.
    public var short: String { String(rawValue.prefix(8)) }

    public var description: String { rawValue }

    public static func < (left: RunID, right: RunID) -> Bool { left.rawValue < right.rawValue }

    public init(from decoder: any Decoder) throws {
        self.init(try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// What produced a run.
public enum RunKind: String, Codable, CaseIterable, Sendable {
    /// `shrink bench`: a `BenchmarkRecord`.
    case bench
    /// `shrink compress`: a `CompressionRunRecord`.
    case compress
}
