/// The formats `shrink compare` writes.
public enum ReportFormat: String, CaseIterable, Sendable {
    /// A GitHub-flavoured Markdown table (`MarkdownReport`).
    case markdown
    /// RFC 4180 CSV (`CSVReport`).
    case csv
    /// JSON with stable field names (`JSONReport`).
    case json
    /// A self-contained HTML page with SVG charts (`HTMLReport`).
    case html

    /// The comparison rendered in this format.
    public func render(_ comparison: Comparison) throws -> String {
        switch self {
        case .markdown: return MarkdownReport(comparison: comparison).rendered()
        case .csv: return CSVReport(comparison: comparison).rendered()
        case .json: return try JSONReport(comparison: comparison).rendered()
        case .html: return HTMLReport(comparison: comparison).rendered()
        }
    }
}
