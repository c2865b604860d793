/// What decoding a recipe read: for every JSON object, the keys it holds and the keys the
/// recipe's types asked for, and every layer-name pattern with its place. Keys nobody asked for
/// are misspellings or settings that do not exist; they are errors, not silently ignored.
final class RecipeKeyLog {
    /// One JSON object of the document.
    struct ObjectKeys {
        /// Its JSON path (`steps[0].magnitudePruning`).
        var path: String
        /// The keys it holds, in document order.
        var present: [String]
        /// The keys some type asked for (decoded, checked for presence, or listed as a valid
        /// enum case or dictionary key).
        var read: Set<String> = []
    }

    private(set) var objects: [ObjectKeys] = []
    private var indexOfPath: [String: Int] = [:]
    /// Every `NamePattern` decoded, with its JSON path.
    private(set) var namePatterns: [(path: String, pattern: NamePattern)] = []

    func registerObject(at codingPath: [any CodingKey], keys: [String]) {
        let path = Recipe.path(codingPath)
        if indexOfPath[path] == nil {
            indexOfPath[path] = objects.count
            objects.append(ObjectKeys(path: path, present: keys))
        }
    }

    func markRead(_ key: String, at codingPath: [any CodingKey]) {
        guard let index = indexOfPath[Recipe.path(codingPath)] else { return }
        objects[index].read.insert(key)
    }

    func recordPattern(_ pattern: NamePattern, at codingPath: [any CodingKey]) {
        namePatterns.append((Recipe.path(codingPath), pattern))
    }

    /// A key of the object at `codingPath` that no type read and that is spelled like `expected`.
    func unknownKey(resembling expected: String, at codingPath: [any CodingKey]) -> String? {
        guard let index = indexOfPath[Recipe.path(codingPath)] else { return nil }
        let object = objects[index]
        return object.present.first { !object.read.contains($0) && NameSuggestion.closest(to: $0, among: [expected]) != nil }
    }

    /// The first key no type read, as a `RecipeError.unknownKey` with the nearest valid key.
    func firstUnknownKey() -> RecipeError? {
        for object in objects {
            guard let unknown = object.present.first(where: { !object.read.contains($0) }) else { continue }
            let valid = object.read.sorted()
            return .unknownKey(path: object.path, key: unknown, closest: NameSuggestion.closest(to: unknown, among: valid),
                               valid: valid)
        }
        return nil
    }
}

/// A coding key for any string or index: lists an object's raw keys.
struct AnyCodingKey: CodingKey {
    var stringValue: String
    var intValue: Int?
    init(stringValue: String) { self.stringValue = stringValue }
    init(intValue: Int) {
        stringValue = String(intValue)
        self.intValue = intValue
    }
}

/// A `Decoder` that forwards to another (JSONDecoder's) and reports to a `RecipeKeyLog` which
/// keys every object holds and which of them the decoded types ask for.
struct KeyAuditingDecoder: Decoder {
    let base: any Decoder
    let log: RecipeKeyLog

    var codingPath: [any CodingKey] { base.codingPath }
    var userInfo: [CodingUserInfoKey: Any] { base.userInfo }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        let container = try base.container(keyedBy: Key.self)
        log.registerObject(at: codingPath, keys: try base.container(keyedBy: AnyCodingKey.self).allKeys.map(\.stringValue))
        return KeyedDecodingContainer(AuditingKeyedContainer(base: container, log: log))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        AuditingUnkeyedContainer(base: try base.unkeyedContainer(), log: log)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        AuditingSingleValueContainer(base: try base.singleValueContainer(), decoder: self)
    }

    /// Decodes `T` through this decoder, recording name patterns.
    func decodeValue<T: Decodable>(_ type: T.Type) throws -> T {
        let value = try T(from: self)
        if let pattern = value as? NamePattern { log.recordPattern(pattern, at: codingPath) }
        return value
    }
}

struct AuditingKeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    var base: KeyedDecodingContainer<Key>
    let log: RecipeKeyLog

    var codingPath: [any CodingKey] { base.codingPath }

    /// The keys convertible to `Key` (enum cases, dictionary keys) count as read; the others
    /// stay unknown.
    var allKeys: [Key] {
        let keys = base.allKeys
        for key in keys { log.markRead(key.stringValue, at: codingPath) }
        return keys
    }

    private func read(_ key: Key) { log.markRead(key.stringValue, at: codingPath) }

    func contains(_ key: Key) -> Bool {
        read(key)
        return base.contains(key)
    }

    func decodeNil(forKey key: Key) throws -> Bool {
        read(key)
        return try base.decodeNil(forKey: key)
    }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { read(key); return try base.decode(type, forKey: key) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { read(key); return try base.decode(type, forKey: key) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { read(key); return try base.decode(type, forKey: key) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { read(key); return try base.decode(type, forKey: key) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { read(key); return try base.decode(type, forKey: key) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { read(key); return try base.decode(type, forKey: key) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { read(key); return try base.decode(type, forKey: key) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { read(key); return try base.decode(type, forKey: key) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { read(key); return try base.decode(type, forKey: key) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { read(key); return try base.decode(type, forKey: key) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { read(key); return try base.decode(type, forKey: key) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { read(key); return try base.decode(type, forKey: key) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { read(key); return try base.decode(type, forKey: key) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { read(key); return try base.decode(type, forKey: key) }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        read(key)
        // A missing key: JSONDecoder's own keyNotFound error.
        guard base.contains(key) else { return try base.decode(type, forKey: key) }
        return try KeyAuditingDecoder(base: try base.superDecoder(forKey: key), log: log).decodeValue(type)
    }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        read(key)
        guard base.contains(key), !(try base.decodeNil(forKey: key)) else { return nil }
        return try decode(type, forKey: key)
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        read(key)
        return try KeyAuditingDecoder(base: try base.superDecoder(forKey: key), log: log).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        read(key)
        return AuditingUnkeyedContainer(base: try base.nestedUnkeyedContainer(forKey: key), log: log)
    }

    func superDecoder() throws -> any Decoder { KeyAuditingDecoder(base: try base.superDecoder(), log: log) }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        read(key)
        return KeyAuditingDecoder(base: try base.superDecoder(forKey: key), log: log)
    }
}

struct AuditingUnkeyedContainer: UnkeyedDecodingContainer {
    var base: any UnkeyedDecodingContainer
    let log: RecipeKeyLog

    var codingPath: [any CodingKey] { base.codingPath }
    var count: Int? { base.count }
    var isAtEnd: Bool { base.isAtEnd }
    var currentIndex: Int { base.currentIndex }

    mutating func decodeNil() throws -> Bool { try base.decodeNil() }
    mutating func decode(_ type: Bool.Type) throws -> Bool { try base.decode(type) }
    mutating func decode(_ type: String.Type) throws -> String { try base.decode(type) }
    mutating func decode(_ type: Double.Type) throws -> Double { try base.decode(type) }
    mutating func decode(_ type: Float.Type) throws -> Float { try base.decode(type) }
    mutating func decode(_ type: Int.Type) throws -> Int { try base.decode(type) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try base.decode(type) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try base.decode(type) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try base.decode(type) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try base.decode(type) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try base.decode(type) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try base.decode(type) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try base.decode(type) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try base.decode(type) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try base.decode(type) }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try KeyAuditingDecoder(base: try base.superDecoder(), log: log).decodeValue(type)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        try KeyAuditingDecoder(base: try base.superDecoder(), log: log).container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        AuditingUnkeyedContainer(base: try base.nestedUnkeyedContainer(), log: log)
    }

    mutating func superDecoder() throws -> any Decoder { KeyAuditingDecoder(base: try base.superDecoder(), log: log) }
}

struct AuditingSingleValueContainer: SingleValueDecodingContainer {
    var base: any SingleValueDecodingContainer
    let decoder: KeyAuditingDecoder

    var codingPath: [any CodingKey] { base.codingPath }

    func decodeNil() -> Bool { base.decodeNil() }
    func decode(_ type: Bool.Type) throws -> Bool { try base.decode(type) }
    func decode(_ type: String.Type) throws -> String { try base.decode(type) }
    func decode(_ type: Double.Type) throws -> Double { try base.decode(type) }
    func decode(_ type: Float.Type) throws -> Float { try base.decode(type) }
    func decode(_ type: Int.Type) throws -> Int { try base.decode(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try base.decode(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try base.decode(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try base.decode(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try base.decode(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try base.decode(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try base.decode(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try base.decode(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try base.decode(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try base.decode(type) }

    /// A wrapped value (`Optional`, a type decoding itself from a single value) decodes from
    /// the same auditing decoder.
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try decoder.decodeValue(type) }
}
