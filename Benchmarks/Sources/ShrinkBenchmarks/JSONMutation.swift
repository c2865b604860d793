import ShrinkTensor

/// Structure-aware mutations of JSON text for the fuzz loops of JSON readers (recipes, stored
/// run records): byte mutations alone almost always break the syntax, so most inputs would
/// stop at the syntax check. These replace whole tokens instead, so mutated documents stay
/// well-formed often enough to reach the decoders and validators behind it.
struct JSONMutation {
    /// Keys to put in place of a key: the documents' own keys and near misspellings.
    let keys: [String]

    /// Values (JSON text) to put in place of a value: extreme and mistyped numbers, strings,
    /// glob patterns, containers.
    static let values: [String] = [
        "0", "-1", "1", "2", "3", "4", "8", "16", "33", "255", "65536", "0.5", "-0.5", "1.0000001", "0.999999", "1e308",
        "-1e308", "1e999", "5e-324", "-0", "99999999999999999999", "9223372036854775807", "-9223372036854775808",
        "null", "true", "false", #""""#, #""*""#, #""fc*""#, #""conv?""#, #""fc1""#, #""fc2.weight""#, #""linear""#,
        #""conv2d""#, #""*?*?**?""#, #""\u0000""#, #""\ud800""#, #""é ∑ 😀""#, "[]", "{}", "[0]", "[null]", "[{}]",
        #"{"default": 0.5}"#, #"{"": 1}"#, "\"" + String(repeating: "a*", count: 200) + "\"",
        "[" + Array(repeating: "1", count: 300).joined(separator: ",") + "]",
    ]

    /// The keys of `documents` and a few misspellings of each.
    init(keysOf documents: [[UInt8]]) {
        var found = Set<String>()
        for document in documents {
            for token in Self.tokens(of: document) where token.kind == .key {
                found.insert(String(decoding: document[(token.start + 1)..<(token.end - 1)], as: UTF8.self))
            }
        }
        var keys = found.sorted()
        for key in found.sorted() where key.count > 2 {
            keys.append(String(key.dropLast()))
            keys.append(key.uppercased())
            keys.append(key + "s")
        }
        keys += ["", "steps ", "__proto__"]
        self.keys = keys
    }

    /// One to `maximumCount` mutations: token replacements mostly, byte mutations sometimes.
    func mutate(_ bytes: inout [UInt8], count maximumCount: Int, using generator: inout SeededRandomNumberGenerator) {
        for _ in 0...generator.nextIndex(below: maximumCount) {
            if generator.nextIndex(below: 6) == 0 {
                ByteMutation.mutate(&bytes, using: &generator)
            } else {
                mutateToken(&bytes, using: &generator)
            }
        }
    }

    /// Replaces a key by another key, a value by a dictionary value, a container by a value, or
    /// removes a member or element (with the comma after it).
    func mutateToken(_ bytes: inout [UInt8], using generator: inout SeededRandomNumberGenerator) {
        let tokens = Self.tokens(of: bytes)
        guard !tokens.isEmpty else { ByteMutation.mutate(&bytes, using: &generator); return }
        let token = tokens[generator.nextIndex(below: tokens.count)]
        switch (token.kind, generator.nextIndex(below: 4)) {
        case (.key, 0):
            // Remove the member: key, value and the comma after it.
            var end = token.end
            let values = tokens.filter { $0.start > token.end && $0.kind != .key }
            if let valueStart = values.map(\.start).min() {
                end = values.filter { $0.start == valueStart }.map(\.end).max() ?? end
            }
            while end < bytes.count, bytes[end] == UInt8(ascii: " ") || bytes[end] == UInt8(ascii: "\n") { end += 1 }
            if end < bytes.count, bytes[end] == UInt8(ascii: ",") { end += 1 }
            bytes.removeSubrange(token.start..<end)
        case (.key, _):
            let key = keys[generator.nextIndex(below: keys.count)]
            bytes.replaceSubrange(token.start..<token.end, with: Array("\"\(key)\"".utf8))
        case (_, 0):
            // Remove the value (an array element: the comma after it too; a member value: leaves
            // `"key":` without a value, a syntax error).
            var end = token.end
            if end < bytes.count, bytes[end] == UInt8(ascii: ",") { end += 1 }
            bytes.removeSubrange(token.start..<end)
        default:
            let value = Self.values[generator.nextIndex(below: Self.values.count)]
            bytes.replaceSubrange(token.start..<token.end, with: Array(value.utf8))
        }
    }

    /// A lexical token: a key string, a value (string, number, literal) or a whole container.
    struct Token {
        enum Kind { case key, scalar, container }
        var kind: Kind
        /// Byte range `start..<end`, quotes and brackets included.
        var start: Int
        var end: Int
    }

    /// The tokens of `bytes`, tolerating malformed text (a token ends at the text's end).
    static func tokens(of bytes: [UInt8]) -> [Token] {
        var tokens = [Token]()
        var openContainers = [Int]()
        var position = 0
        while position < bytes.count {
            let byte = bytes[position]
            switch byte {
            case UInt8(ascii: "\""):
                var end = position + 1
                while end < bytes.count && bytes[end] != UInt8(ascii: "\"") { end += bytes[end] == UInt8(ascii: "\\") ? 2 : 1 }
                end = min(end + 1, bytes.count)
                var next = end
                while next < bytes.count, bytes[next] == UInt8(ascii: " ") || bytes[next] == UInt8(ascii: "\n") { next += 1 }
                let isKey = next < bytes.count && bytes[next] == UInt8(ascii: ":")
                tokens.append(Token(kind: isKey ? .key : .scalar, start: position, end: end))
                position = end
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                openContainers.append(position)
                position += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                if let start = openContainers.popLast() { tokens.append(Token(kind: .container, start: start, end: position + 1)) }
                position += 1
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"):
                var end = position + 1
                while end < bytes.count, isScalarByte(bytes[end]) { end += 1 }
                tokens.append(Token(kind: .scalar, start: position, end: end))
                position = end
            default:
                position += 1
            }
        }
        return tokens
    }

    private static func isScalarByte(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
            || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-")
            || byte == UInt8(ascii: "+")
    }
}
