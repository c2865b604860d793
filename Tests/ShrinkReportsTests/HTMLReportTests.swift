import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import ShrinkMeasurement
import Testing
@testable import ShrinkReports

/// Counts the elements of an XML document by name; records whether it parsed.
final class ElementCounter: NSObject, XMLParserDelegate {
    var counts: [String: Int] = [:]
    var texts: [String] = []
    var attributes: [[String: String]] = []

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                qualifiedName: String?, attributes attributeDict: [String: String] = [:]) {
        counts[elementName, default: 0] += 1
        attributes.append(attributeDict)
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        texts.append(string)
    }
}

/// The `<svg …>…</svg>` fragments of an HTML text, in order.
func svgFragments(_ html: String) -> [String] {
    var fragments: [String] = []
    var rest = html[...]
    while let start = rest.range(of: "<svg "), let end = rest.range(of: "</svg>", range: start.upperBound..<rest.endIndex) {
        fragments.append(String(rest[start.lowerBound..<end.upperBound]))
        rest = rest[end.upperBound...]
    }
    return fragments
}

@Suite struct HTMLReportTests {
    @Test func everyChartIsWellFormedAndHasMarks() throws {
        let html = HTMLReport(comparison: try Comparison(records: RecordFixtures.sweep())).rendered()
        let fragments = svgFragments(html)
        // Two scatter charts, one layer chart per variant, one operator chart.
        #expect(fragments.count == 2 + 6 + 1)
        var identifiers: [String] = []
        for fragment in fragments {
            let counter = ElementCounter()
            let parser = XMLParser(data: Data(fragment.utf8))
            parser.delegate = counter
            #expect(parser.parse(), "an SVG chart is not well-formed XML: \(parser.parserError.map { "\($0)" } ?? "")")
            let svg = try #require(counter.attributes.first)
            identifiers.append(try #require(svg["data-chart"]))
            #expect(Double(svg["width"] ?? "") ?? 0 > 0 && Double(svg["height"] ?? "") ?? 0 > 0)
            let marks = (counter.counts["circle"] ?? 0) + (counter.counts["rect"] ?? 0) + (counter.counts["path"] ?? 0)
            #expect(marks > 1, "chart \(svg["data-chart"] ?? "?") has no marks")
            // Every mark has a positive size.
            for attributes in counter.attributes where (attributes["class"] ?? "").contains("mark") {
                if let width = attributes["width"] { #expect(Double(width) ?? 0 > 0, "zero-width bar in \(fragment.prefix(80))") }
                if let radius = attributes["r"] { #expect(Double(radius) ?? 0 > 0) }
            }
        }
        #expect(identifiers == ["accuracy-vs-size", "accuracy-vs-latency"] + Array(repeating: "layers", count: 6) + ["operators"])
        let scatter = ElementCounter()
        let parser = XMLParser(data: Data(fragments[0].utf8))
        parser.delegate = scatter
        _ = parser.parse()
        // 6 points + 6 legend marks + 4 Pareto rings + the legend's ring.
        #expect(scatter.attributes.filter { $0["class"] == "mark point" }.count == 6)
        #expect(scatter.attributes.filter { $0["class"] == "mark pareto-point" }.count == 4)
        #expect(scatter.attributes.filter { $0["class"] == "mark pareto-line" }.count == 1)
        #expect(scatter.texts.contains("Top-1 accuracy") && scatter.texts.contains("File size (log scale)"))
    }

    @Test func isSelfContained() throws {
        let html = HTMLReport(comparison: try Comparison(records: RecordFixtures.sweep())).rendered()
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(!html.lowercased().contains("<script"))
        #expect(!html.contains("src=") && !html.contains("href=") && !html.contains("url("))
        // The only URL is the SVG namespace name, which is never fetched.
        let urls = html.components(separatedBy: "http").count - 1
        #expect(urls == svgFragments(html).count)
        #expect(html.contains("<table>") && html.contains("fp32 (baseline)"))
    }

    @Test func variantNamesAreEscapedEverywhere() throws {
        var records = RecordFixtures.sweep()
        records[3].variant = "<script>alert(\"x\")</script>&'"
        records[3].operators[0].kind = "<b>op</b>"
        records[3].layers[0].name = "<img src=x>"
        let html = HTMLReport(comparison: try Comparison(records: records)).rendered()
        #expect(!html.contains("<script") && !html.contains("<b>") && !html.contains("<img"))
        #expect(html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;"))
        #expect(html.contains("&lt;b&gt;op&lt;/b&gt;") && html.contains("&lt;img src=x&gt;"))
        for fragment in svgFragments(html) {
            #expect(XMLParser(data: Data(fragment.utf8)).parse())
        }
    }

    @Test func missingDataGivesAMessageInsteadOfAnEmptyChart() throws {
        var records = Array(RecordFixtures.sweep().prefix(2))
        records[0].accuracy = nil
        records[1].accuracy = nil
        records[1].layers = []
        records[0].operators = []
        let html = HTMLReport(comparison: try Comparison(records: records)).rendered()
        #expect(html.contains("No variant has both an accuracy and a size."))
        #expect(html.contains("fp16: no per-layer figures."))
        #expect(html.contains("no operator profile"))
        // Layers of fp32 and the operator bars of fp16 remain.
        #expect(svgFragments(html).map { $0.contains("data-chart=\"layers\"") } == [true, false])
    }

    @Test func axisTicksAreReadable() {
        let linear = AxisScale.linear(values: [96.04, 98.12], start: 400, end: 40, clampTo: 0...100)
        #expect(linear.ticks.count >= 3 && linear.ticks.count <= 11)
        #expect(linear.lower <= 96.04 && linear.upper >= 98.12 && linear.upper <= 100)
        #expect(abs(linear.position(linear.lower) - 400) < 1e-9)
        let logarithmic = AxisScale.logarithmic(values: [27_300, 1_067_200], start: 0, end: 1000)
        #expect(logarithmic.ticks.contains(100_000) && logarithmic.ticks.contains(1_000_000))
        #expect(logarithmic.position(27_300) > 0 && logarithmic.position(1_067_200) < 1000)
        let narrow = AxisScale.logarithmic(values: [12e-6, 43e-6], start: 0, end: 1000)
        #expect(narrow.ticks.count >= 3, "under one decade still gets several ticks: \(narrow.ticks)")
    }
}
