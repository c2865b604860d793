/// Finds where a document stops being well-formed JSON (RFC 8259), for an error that names the
/// line and column (Foundation's decoders on Linux only say the data is not valid JSON).
public enum JSONSyntaxCheck {
    /// A syntax error: 1-based line and column (in characters) and what was expected.
    public struct Problem: Equatable, Sendable {
        public var line: Int
        public var column: Int
        public var reason: String
    }

    /// The first syntax error of `bytes`, or nil when they are one well-formed JSON value.
    public static func firstProblem(in bytes: [UInt8]) -> Problem? {
        var scanner = Scanner(bytes: bytes)
        do throws(Failure) {
            scanner.skipWhitespace()
            try scanner.value(depth: 0)
            scanner.skipWhitespace()
            if scanner.position < bytes.count { throw Failure(position: scanner.position, reason: "unexpected text after the JSON value") }
            return nil
        } catch {
            return location(of: error.position, in: bytes, reason: error.reason)
        }
    }

    private static func location(of position: Int, in bytes: [UInt8], reason: String) -> Problem {
        let before = bytes[..<min(position, bytes.count)]
        let line = before.reduce(1) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
        let lineStart = (before.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 }) ?? 0
        let column = String(decoding: bytes[lineStart..<min(position, bytes.count)], as: UTF8.self).count + 1
        return Problem(line: line, column: column, reason: reason)
    }

    private struct Failure: Error {
        var position: Int
        var reason: String
    }

    private struct Scanner {
        let bytes: [UInt8]
        var position = 0

        init(bytes: [UInt8]) { self.bytes = bytes }

        var current: UInt8? { position < bytes.count ? bytes[position] : nil }

        func fail(_ reason: String) -> Failure {
            Failure(position: position, reason: current == nil ? "the text ends early; \(reason)" : reason)
        }

        mutating func skipWhitespace() {
            while let byte = current, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { position += 1 }
        }

        mutating func value(depth: Int) throws(Failure) {
            guard depth < 512 else { throw fail("nested more than 512 levels deep") }
            switch current {
            case UInt8(ascii: "{"): try object(depth: depth)
            case UInt8(ascii: "["): try array(depth: depth)
            case UInt8(ascii: "\""): try string()
            case UInt8(ascii: "t"): try literal("true")
            case UInt8(ascii: "f"): try literal("false")
            case UInt8(ascii: "n"): try literal("null")
            case let byte? where byte == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte): try number()
            default: throw fail("expected a value (an object, array, string, number, true, false or null)")
            }
        }

        mutating func object(depth: Int) throws(Failure) {
            position += 1
            skipWhitespace()
            if current == UInt8(ascii: "}") {
                position += 1
                return
            }
            while true {
                guard current == UInt8(ascii: "\"") else { throw fail("expected a key in double quotes") }
                try string()
                skipWhitespace()
                guard current == UInt8(ascii: ":") else { throw fail("expected ':' after the key") }
                position += 1
                skipWhitespace()
                try value(depth: depth + 1)
                skipWhitespace()
                if current == UInt8(ascii: ",") {
                    position += 1
                    skipWhitespace()
                    continue
                }
                guard current == UInt8(ascii: "}") else { throw fail("expected ',' or '}' after a member") }
                position += 1
                return
            }
        }

        mutating func array(depth: Int) throws(Failure) {
            position += 1
            skipWhitespace()
            if current == UInt8(ascii: "]") {
                position += 1
                return
            }
            while true {
                try value(depth: depth + 1)
                skipWhitespace()
                if current == UInt8(ascii: ",") {
                    position += 1
                    skipWhitespace()
                    continue
                }
                guard current == UInt8(ascii: "]") else { throw fail("expected ',' or ']' after an element") }
                position += 1
                return
            }
        }

        mutating func string() throws(Failure) {
            position += 1
            while let byte = current {
                switch byte {
                case UInt8(ascii: "\""):
                    position += 1
                    return
                case UInt8(ascii: "\\"):
                    position += 1
                    guard let escaped = current, Array("\"\\/bfnrtu".utf8).contains(escaped) else { throw fail("invalid escape in a string") }
                    position += 1
                    if escaped == UInt8(ascii: "u") {
                        for _ in 0..<4 {
                            guard let digit = current, Self.isHexDigit(digit) else { throw fail("expected 4 hex digits after \\u") }
                            position += 1
                        }
                    }
                case ..<0x20:
                    throw fail("control character in a string (a line break inside quotes?)")
                default:
                    position += 1
                }
            }
            throw fail("expected '\"' to close the string")
        }

        mutating func literal(_ word: String) throws(Failure) {
            for expected in word.utf8 {
                guard current == expected else { throw fail("expected '\(word)'") }
                position += 1
            }
        }

        mutating func number() throws(Failure) {
            if current == UInt8(ascii: "-") { position += 1 }
            guard let first = current, Self.isDigit(first) else { throw fail("expected a digit") }
            position += 1
            if first != UInt8(ascii: "0") { while let byte = current, Self.isDigit(byte) { position += 1 } }
            if current == UInt8(ascii: ".") {
                position += 1
                guard let byte = current, Self.isDigit(byte) else { throw fail("expected a digit after '.'") }
                while let byte = current, Self.isDigit(byte) { position += 1 }
            }
            if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
                position += 1
                if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { position += 1 }
                guard let byte = current, Self.isDigit(byte) else { throw fail("expected a digit in the exponent") }
                while let byte = current, Self.isDigit(byte) { position += 1 }
            }
        }

        static func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }

        static func isHexDigit(_ byte: UInt8) -> Bool {
            isDigit(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(byte)
        }
    }
}
