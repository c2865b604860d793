extension DecodingError {
    /// One line naming the field path and the problem (`missing field 'top1' at accuracy`,
    /// `expected Double at latency[0].median_seconds`), instead of Swift's multi-line dump with
    /// coding-key structs, for error messages people read.
    public var oneLineDescription: String {
        func path(_ context: Context) -> String {
            var text = ""
            for key in context.codingPath {
                if let index = key.intValue {
                    text += "[\(index)]"
                } else {
                    text += text.isEmpty ? key.stringValue : ".\(key.stringValue)"
                }
            }
            return text.isEmpty ? "the top level" : text
        }
        switch self {
        case let .keyNotFound(key, context): return "missing field '\(key.stringValue)' at \(path(context))"
        case let .typeMismatch(type, context): return "expected \(type) at \(path(context))"
        case let .valueNotFound(type, context): return "expected \(type) at \(path(context)), found null"
        case let .dataCorrupted(context):
            return context.codingPath.isEmpty ? "not valid JSON" : "invalid value at \(path(context)): \(context.debugDescription)"
        @unknown default: return "undecodable data"
        }
    }
}
