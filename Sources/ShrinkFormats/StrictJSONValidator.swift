/// Checks the manifest against strict JSON (RFC 8259) plus Shrink's extra rules before it is
/// handed to `JSONDecoder` (docs/FORMAT.md, "Manifest"):
///
/// - valid UTF-8; the top level is one object with nothing but whitespace after it;
/// - arrays and objects nest at most `ModelFileLimits.maximumJSONDepth` deep;
/// - member names are 1–64 ASCII letters, digits or underscores, unique within their object
///   (`JSONDecoder` would silently keep one of two duplicates);
/// - strings contain no raw control characters; number literals are at most
///   `ModelFileLimits.maximumJSONNumberLength` bytes.
///
/// The scan is linear in the input and its recursion depth is bounded by the depth cap.
struct StrictJSONValidator {
    private let bytes: [UInt8]
    private var position = 0

    private init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Throws `ModelFileError.invalidManifest` naming the byte offset of the first violation.
    static func validate(_ bytes: [UInt8]) throws {
        if String(validating: bytes, as: UTF8.self) == nil {
            throw ModelFileError.invalidManifest("JSON is not valid UTF-8")
        }
        var validator = StrictJSONValidator(bytes)
        validator.skipWhitespace()
        guard validator.peek() == UInt8(ascii: "{") else {
            throw validator.failure("the manifest must be a JSON object")
        }
        try validator.parseValue(depth: 0)
        validator.skipWhitespace()
        if validator.position != bytes.count {
            throw validator.failure("unexpected content after the JSON object")
        }
    }

    private func failure(_ reason: String) -> ModelFileError {
        .invalidManifest("JSON error at byte \(position): \(reason)")
    }

    private func peek() -> UInt8? {
        position < bytes.count ? bytes[position] : nil
    }

    private mutating func skipWhitespace() {
        while let byte = peek(), byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D {
            position += 1
        }
    }

    private mutating func expect(_ byte: UInt8, _ what: String) throws {
        guard peek() == byte else { throw failure("expected \(what)") }
        position += 1
    }

    private mutating func parseValue(depth: Int) throws {
        skipWhitespace()
        guard let byte = peek() else { throw failure("unexpected end of JSON") }
        switch byte {
        case UInt8(ascii: "{"): try parseObject(depth: depth + 1)
        case UInt8(ascii: "["): try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""): _ = try parseString()
        case UInt8(ascii: "t"): try parseLiteral("true")
        case UInt8(ascii: "f"): try parseLiteral("false")
        case UInt8(ascii: "n"): try parseLiteral("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try parseNumber()
        default: throw failure("unexpected character")
        }
    }

    private mutating func checkDepth(_ depth: Int) throws {
        if depth > ModelFileLimits.maximumJSONDepth {
            throw failure("nesting deeper than \(ModelFileLimits.maximumJSONDepth)")
        }
    }

    private mutating func parseObject(depth: Int) throws {
        try checkDepth(depth)
        position += 1  // {
        skipWhitespace()
        if peek() == UInt8(ascii: "}") {
            position += 1
            return
        }
        var names = Set<[UInt8]>()
        while true {
            skipWhitespace()
            let nameStart = position
            guard peek() == UInt8(ascii: "\"") else { throw failure("expected a member name") }
            let name = try parseString()
            let isIdentifier = !name.isEmpty && name.count <= 64 && name.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || byte == 0x5F
            }
            if !isIdentifier {
                position = nameStart
                throw failure("member names must be 1-64 ASCII letters, digits or underscores")
            }
            if !names.insert(name).inserted {
                position = nameStart
                throw failure("duplicate member name \"\(String(decoding: name, as: UTF8.self))\"")
            }
            skipWhitespace()
            try expect(UInt8(ascii: ":"), "':'")
            try parseValue(depth: depth)
            skipWhitespace()
            if peek() == UInt8(ascii: ",") {
                position += 1
                continue
            }
            try expect(UInt8(ascii: "}"), "',' or '}'")
            return
        }
    }

    private mutating func parseArray(depth: Int) throws {
        try checkDepth(depth)
        position += 1  // [
        skipWhitespace()
        if peek() == UInt8(ascii: "]") {
            position += 1
            return
        }
        while true {
            try parseValue(depth: depth)
            skipWhitespace()
            if peek() == UInt8(ascii: ",") {
                position += 1
                continue
            }
            try expect(UInt8(ascii: "]"), "',' or ']'")
            return
        }
    }

    /// Parses a string and returns its raw bytes between the quotes (escapes not resolved).
    private mutating func parseString() throws -> [UInt8] {
        position += 1  // opening quote
        let start = position
        while let byte = peek() {
            switch byte {
            case UInt8(ascii: "\""):
                let raw = Array(bytes[start..<position])
                position += 1
                return raw
            case UInt8(ascii: "\\"):
                position += 1
                guard let escaped = peek() else { throw failure("unterminated escape") }
                switch escaped {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
                    UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    position += 1
                case UInt8(ascii: "u"):
                    position += 1
                    for _ in 0..<4 {
                        guard let digit = peek(), isHexDigit(digit) else { throw failure("invalid \\u escape") }
                        position += 1
                    }
                default:
                    throw failure("invalid escape")
                }
            case 0x00..<0x20:
                throw failure("raw control character in a string")
            default:
                position += 1
            }
        }
        throw failure("unterminated string")
    }

    private func isHexDigit(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x46) || (byte >= 0x61 && byte <= 0x66)
    }

    private mutating func parseNumber() throws {
        let start = position
        func digits() -> Int {
            let first = position
            while let byte = peek(), byte >= 0x30 && byte <= 0x39 { position += 1 }
            return position - first
        }
        if peek() == UInt8(ascii: "-") { position += 1 }
        if peek() == UInt8(ascii: "0") {
            position += 1
        } else if digits() == 0 {
            throw failure("invalid number")
        }
        if peek() == UInt8(ascii: ".") {
            position += 1
            if digits() == 0 { throw failure("invalid number") }
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            position += 1
            if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { position += 1 }
            if digits() == 0 { throw failure("invalid number") }
        }
        if position - start > ModelFileLimits.maximumJSONNumberLength {
            position = start
            throw failure("number literal longer than \(ModelFileLimits.maximumJSONNumberLength) bytes")
        }
    }

    private mutating func parseLiteral(_ word: StaticString) throws {
        let count = word.utf8CodeUnitCount
        let pointer = word.utf8Start
        for index in 0..<count {
            guard peek() == pointer[index] else { throw failure("invalid literal") }
            position += 1
        }
    }
}
