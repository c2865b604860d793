import Foundation

/// One part of a sweep split across the tasks of a job array (`--shard I/N`, 1-based): shard
/// `I` of `N` takes every `N`-th item starting at the `I`-th, so the shards are disjoint, cover
/// every item and stay balanced whatever the order.
public struct Shard: Equatable, Sendable, CustomStringConvertible {
    /// The 1-based index of this shard, in `1...count`.
    public let index: Int
    /// How many shards the sweep is split into (at least 1).
    public let count: Int

    /// The whole sweep as one shard.
    public static let whole = try! Shard(index: 1, count: 1)

    /// A shard; throws `ResultsError.invalidShard` unless `1 <= index <= count`.
    public init(index: Int, count: Int) throws {
        let text = "\(index)/\(count)"
        guard count >= 1 else { throw ResultsError.invalidShard(text: text, reason: "the shard count must be at least 1") }
        guard index >= 1 else {
            throw ResultsError.invalidShard(text: text, reason: "shard indices start at 1 (a Slurm array starting at 0 needs $((SLURM_ARRAY_TASK_ID+1)))")
        }
        guard index <= count else {
            throw ResultsError.invalidShard(text: text, reason: "index \(index) is larger than the shard count \(count)")
        }
        self.index = index
        self.count = count
    }

    /// Parses `I/N`, e.g. `2/4`; throws `ResultsError.invalidShard` with the reason otherwise.
    public init(parsing text: String) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2 else { throw ResultsError.invalidShard(text: text, reason: "expected one \"/\"") }
        let trimmed = parts.map { $0.trimmingCharacters(in: .whitespaces) }
        guard let index = Int(trimmed[0]), let count = Int(trimmed[1]) else {
            throw ResultsError.invalidShard(text: text, reason: "both sides must be whole numbers")
        }
        do {
            try self.init(index: index, count: count)
        } catch let ResultsError.invalidShard(_, reason) {
            throw ResultsError.invalidShard(text: text, reason: reason)
        }
    }

    /// The items this shard takes: positions `index - 1`, `index - 1 + count`, … (0-based).
    public func select<Items: Collection>(_ items: Items) -> [Items.Element] {
        items.enumerated().compactMap { offset, item in offset % count == index - 1 ? item : nil }
    }

    /// Whether this is the whole sweep (`1/1`).
    public var isWhole: Bool { count == 1 }

    /// `I/N`.
    public var description: String { "\(index)/\(count)" }
}
