/// A glob over layer or parameter names: `*` matches any run of characters (also none), `?` one
/// character, everything else itself. `fc*` matches `fc1` and `fc2`; `conv?` matches `conv1`.
public struct NamePattern: Codable, Equatable, Hashable, Sendable, ExpressibleByStringLiteral,
    CustomStringConvertible
{
    public let pattern: String

    public init(_ pattern: String) {
        self.pattern = pattern
    }

    public init(stringLiteral value: String) {
        self.init(value)
    }

    public init(from decoder: any Decoder) throws {
        pattern = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(pattern)
    }

    public var description: String { pattern }

    /// Whether `name` matches the whole pattern.
    public func matches(_ name: String) -> Bool {
        let pattern = Array(self.pattern.unicodeScalars)
        let text = Array(name.unicodeScalars)
        // Iterative wildcard matching with backtracking to the last `*`: O(|pattern|·|text|).
        var patternIndex = 0
        var textIndex = 0
        var starPattern = -1
        var starText = 0
        while textIndex < text.count {
            if patternIndex < pattern.count && (pattern[patternIndex] == "?" || pattern[patternIndex] == text[textIndex]) {
                patternIndex += 1
                textIndex += 1
            } else if patternIndex < pattern.count && pattern[patternIndex] == "*" {
                starPattern = patternIndex
                starText = textIndex
                patternIndex += 1
            } else if starPattern >= 0 {
                patternIndex = starPattern + 1
                starText += 1
                textIndex = starText
            } else {
                return false
            }
        }
        while patternIndex < pattern.count && pattern[patternIndex] == "*" { patternIndex += 1 }
        return patternIndex == pattern.count
    }
}
