import Foundation

/// Escapes text for HTML and SVG element content and attribute values: `& < > " '`.
public func escapeHTML(_ text: String) -> String {
    var escaped = ""
    escaped.reserveCapacity(text.utf8.count)
    for character in text {
        switch character {
        case "&": escaped += "&amp;"
        case "<": escaped += "&lt;"
        case ">": escaped += "&gt;"
        case "\"": escaped += "&quot;"
        case "'": escaped += "&#39;"
        default: escaped.append(character)
        }
    }
    return escaped
}

/// An inline SVG image built element by element; every text and attribute value is escaped.
struct SVGCanvas {
    var width: Double
    var height: Double
    /// The chart's accessible name (`aria-label`) and `data-chart` identifier.
    var label: String
    var identifier: String
    var elements: [String] = []

    init(width: Double, height: Double, label: String, identifier: String) {
        self.width = width
        self.height = height
        self.label = label
        self.identifier = identifier
    }

    /// The `<svg>` element.
    func rendered() -> String {
        let size = "width=\"\(Self.number(width))\" height=\"\(Self.number(height))\""
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" data-chart=\"\(escapeHTML(identifier))\" "
            + "\(size) viewBox=\"0 0 \(Self.number(width)) \(Self.number(height))\" role=\"img\" "
            + "aria-label=\"\(escapeHTML(label))\">\n" + elements.joined(separator: "\n") + "\n</svg>"
    }

    mutating func rectangle(x: Double, y: Double, width: Double, height: Double, fill: String,
                            opacity: Double = 1, tooltip: String? = nil, className: String = "mark") {
        let attributes = "class=\"\(className)\" x=\"\(Self.number(x))\" y=\"\(Self.number(y))\" "
            + "width=\"\(Self.number(max(0, width)))\" height=\"\(Self.number(max(0, height)))\" fill=\"\(fill)\""
            + (opacity < 1 ? " fill-opacity=\"\(Self.number(opacity))\"" : "")
        elements.append(Self.element("rect", attributes, tooltip: tooltip))
    }

    mutating func circle(x: Double, y: Double, radius: Double, fill: String, stroke: String? = nil,
                         strokeWidth: Double = 1.5, tooltip: String? = nil, className: String = "mark") {
        let attributes = "class=\"\(className)\" cx=\"\(Self.number(x))\" cy=\"\(Self.number(y))\" r=\"\(Self.number(radius))\" "
            + "fill=\"\(fill)\"" + (stroke.map { " stroke=\"\($0)\" stroke-width=\"\(Self.number(strokeWidth))\"" } ?? "")
        elements.append(Self.element("circle", attributes, tooltip: tooltip))
    }

    mutating func line(from start: (Double, Double), to end: (Double, Double), stroke: String, width: Double = 1,
                       dashed: Bool = false) {
        elements.append("<line x1=\"\(Self.number(start.0))\" y1=\"\(Self.number(start.1))\" x2=\"\(Self.number(end.0))\" "
            + "y2=\"\(Self.number(end.1))\" stroke=\"\(stroke)\" stroke-width=\"\(Self.number(width))\""
            + (dashed ? " stroke-dasharray=\"4 3\"" : "") + "/>")
    }

    mutating func path(points: [(Double, Double)], stroke: String, width: Double, dashed: Bool = false,
                       className: String = "mark", tooltip: String? = nil) {
        guard let first = points.first else { return }
        var data = "M\(Self.number(first.0)),\(Self.number(first.1))"
        for point in points.dropFirst() { data += " L\(Self.number(point.0)),\(Self.number(point.1))" }
        let attributes = "class=\"\(className)\" d=\"\(data)\" fill=\"none\" stroke=\"\(stroke)\" stroke-width=\"\(Self.number(width))\""
            + " stroke-linejoin=\"round\"" + (dashed ? " stroke-dasharray=\"7 4\"" : "")
        elements.append(Self.element("path", attributes, tooltip: tooltip))
    }

    enum Anchor: String { case start, middle, end }

    mutating func text(_ content: String, x: Double, y: Double, anchor: Anchor = .start, size: Double = 12,
                       bold: Bool = false, fill: String = "#222", rotate: Bool = false) {
        var attributes = "x=\"\(Self.number(x))\" y=\"\(Self.number(y))\" font-size=\"\(Self.number(size))\" "
            + "text-anchor=\"\(anchor.rawValue)\" fill=\"\(fill)\""
        if bold { attributes += " font-weight=\"bold\"" }
        if rotate { attributes += " transform=\"rotate(-90 \(Self.number(x)) \(Self.number(y)))\"" }
        elements.append("<text \(attributes)>\(escapeHTML(content))</text>")
    }

    static func element(_ name: String, _ attributes: String, tooltip: String?) -> String {
        guard let tooltip else { return "<\(name) \(attributes)/>" }
        return "<\(name) \(attributes)><title>\(escapeHTML(tooltip))</title></\(name)>"
    }

    /// A coordinate with at most two decimals and no trailing zeros.
    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        var text = String(format: "%.2f", value)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text == "-0" ? "0" : text
    }

    /// The rendered width of `text` at `size` px in the report's sans-serif font, estimated.
    static func textWidth(_ text: String, size: Double = 12) -> Double {
        Double(text.count) * size * 0.58
    }
}

/// Categorical colors (Tableau 10): distinguishable, and readable on white.
enum ChartPalette {
    static let colors = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
                         "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"]

    static func color(_ index: Int) -> String { colors[index % colors.count] }
}
