import Foundation

/// Accuracy (y, percent) against a cost (x, logarithmic) for each variant, with the Pareto front
/// drawn as a dashed line through ringed points, labelled points and a legend.
struct ScatterChart {
    struct Point {
        var variant: String
        var colorIndex: Int
        var cost: Double
        var accuracy: Double
        var isBaseline: Bool
    }

    var title: String
    var identifier: String
    var costLabel: String
    var formatCost: (Double) -> String
    var points: [Point]
    var front: ParetoFront

    static let width = 1120.0
    static let plotLeft = 78.0
    static let plotRight = width - 30
    static let plotTop = 44.0
    static let plotBottom = 404.0

    /// The SVG, or nil when there is no point to draw.
    func rendered() -> String? {
        guard !points.isEmpty else { return nil }
        let xScale = AxisScale.logarithmic(values: points.map(\.cost), start: Self.plotLeft, end: Self.plotRight)
        let yScale = AxisScale.linear(values: points.map { $0.accuracy * 100 }, start: Self.plotBottom, end: Self.plotTop,
                                      clampTo: 0...100)
        let legend = legendItems()
        let legendRows = Self.legendLayout(legend.map(\.text), width: Self.plotRight - Self.plotLeft)
        let height = Self.plotBottom + 62 + Double(legendRows.count) * 22
        var canvas = SVGCanvas(width: Self.width, height: height, label: title, identifier: identifier)
        canvas.text(title, x: Self.plotLeft, y: 22, size: 16, bold: true)
        drawAxes(&canvas, xScale: xScale, yScale: yScale)

        // The front: a dashed line in cost order, rings around its points.
        let frontPositions = front.points.map { (xScale.position($0.cost), yScale.position($0.accuracy * 100)) }
        if frontPositions.count > 1 {
            canvas.path(points: frontPositions, stroke: "#333", width: 1.8, dashed: true, className: "mark pareto-line",
                        tooltip: "Pareto front: " + front.variants.joined(separator: " → "))
        }
        for position in frontPositions {
            canvas.circle(x: position.0, y: position.1, radius: 10, fill: "none", stroke: "#333", strokeWidth: 1.6,
                          className: "mark pareto-point")
        }
        // Label placement avoids the points, the front's rings and its line.
        var occupied: [Rectangle] = frontPositions.map { Rectangle(x: $0.0 - 11, y: $0.1 - 11, width: 22, height: 22) }
        for (from, to) in zip(frontPositions, frontPositions.dropFirst()) {
            let length = ((to.0 - from.0) * (to.0 - from.0) + (to.1 - from.1) * (to.1 - from.1)).squareRoot()
            let steps = max(1, Int(length / 5))
            for step in 0...steps {
                let fraction = Double(step) / Double(steps)
                let x = from.0 + (to.0 - from.0) * fraction
                let y = from.1 + (to.1 - from.1) * fraction
                occupied.append(Rectangle(x: x - 2, y: y - 2, width: 4, height: 4))
            }
        }
        let positions = points.map { (xScale.position($0.cost), yScale.position($0.accuracy * 100)) }
        for (point, position) in zip(points, positions) {
            let tooltip = "\(point.variant): top-1 \(ReportFormatting.percent(point.accuracy)), \(formatCost(point.cost))"
            canvas.circle(x: position.0, y: position.1, radius: 6, fill: ChartPalette.color(point.colorIndex),
                          stroke: "#fff", tooltip: tooltip, className: "mark point")
            occupied.append(Rectangle(x: position.0 - 7, y: position.1 - 7, width: 14, height: 14))
        }
        // Labels: the first candidate position that overlaps nothing already placed, else none.
        for (point, position) in zip(points, positions) {
            let text = point.isBaseline ? point.variant + " (baseline)" : point.variant
            let width = SVGCanvas.textWidth(text, size: 11)
            let candidates: [(dx: Double, dy: Double, anchor: SVGCanvas.Anchor)] = [
                (14, 4, .start), (-14, 4, .end), (0, -15, .middle), (0, 23, .middle),
                (12, -11, .start), (-12, -11, .end), (12, 18, .start), (-12, 18, .end),
                (0, -29, .middle), (0, 37, .middle), (26, -18, .start), (-26, -18, .end), (26, 26, .start), (-26, 26, .end),
            ]
            var best: (candidate: (dx: Double, dy: Double, anchor: SVGCanvas.Anchor), overlap: Double)?
            for candidate in candidates {
                let left = position.0 + candidate.dx - (candidate.anchor == .end ? width : candidate.anchor == .middle ? width / 2 : 0)
                let box = Rectangle(x: left, y: position.1 + candidate.dy - 10, width: width, height: 13)
                let outside = box.x < Self.plotLeft || box.x + box.width > Self.plotRight
                    || box.y < Self.plotTop - 12 || box.y + box.height > Self.plotBottom
                let overlap = occupied.map { $0.overlap(box) }.reduce(0, +) + (outside ? 1e6 : 0)
                if best == nil || overlap < best!.overlap { best = (candidate, overlap) }
                if overlap == 0 { break }
            }
            // A label that would cover another label or a point is left out: the legend and the
            // point's tooltip still name it.
            guard let best, best.overlap == 0 else { continue }
            let chosen = best.candidate
            let left = position.0 + chosen.dx - (chosen.anchor == .end ? width : chosen.anchor == .middle ? width / 2 : 0)
            occupied.append(Rectangle(x: left, y: position.1 + chosen.dy - 10, width: width, height: 13))
            canvas.text(text, x: position.0 + chosen.dx, y: position.1 + chosen.dy, anchor: chosen.anchor, size: 11,
                        fill: "#333")
        }
        drawLegend(&canvas, items: legend, rows: legendRows, top: Self.plotBottom + 62)
        return canvas.rendered()
    }

    func drawAxes(_ canvas: inout SVGCanvas, xScale: AxisScale, yScale: AxisScale) {
        canvas.percentPlotArea(left: Self.plotLeft, right: Self.plotRight, top: Self.plotTop, bottom: Self.plotBottom, yScale: yScale)
        canvas.xTicksAndAxes(xScale.ticks, scale: xScale, left: Self.plotLeft, right: Self.plotRight, top: Self.plotTop,
                             bottom: Self.plotBottom, marks: true, label: formatCost)
        canvas.text(costLabel + " (log scale)", x: (Self.plotLeft + Self.plotRight) / 2, y: Self.plotBottom + 40,
                    anchor: .middle, size: 12, bold: true)
        // The rotated title sits left of the widest tick label (labels of fine steps are wider).
        let widest = yScale.ticks.map { SVGCanvas.textWidth(yScale.label($0) + " %", size: 11) }.max() ?? 0
        canvas.text("Top-1 accuracy", x: max(8, min(18, Self.plotLeft - 8 - widest - 10)), y: (Self.plotTop + Self.plotBottom) / 2,
                    anchor: .middle, size: 12, bold: true, rotate: true)
    }

    struct LegendItem {
        var text: String
        var colorIndex: Int?
    }

    func legendItems() -> [LegendItem] {
        points.map { LegendItem(text: $0.isBaseline ? $0.variant + " (baseline)" : $0.variant, colorIndex: $0.colorIndex) }
            + [LegendItem(text: "Pareto front", colorIndex: nil)]
    }

    /// Items per legend row, flowing left to right within `width`.
    static func legendLayout(_ texts: [String], width: Double) -> [[Int]] {
        var rows: [[Int]] = [[]]
        var used = 0.0
        for (index, text) in texts.enumerated() {
            let itemWidth = 30 + SVGCanvas.textWidth(text) + 18
            if used + itemWidth > width, !rows[rows.count - 1].isEmpty {
                rows.append([])
                used = 0
            }
            rows[rows.count - 1].append(index)
            used += itemWidth
        }
        return rows
    }

    func drawLegend(_ canvas: inout SVGCanvas, items: [LegendItem], rows: [[Int]], top: Double) {
        for (rowIndex, row) in rows.enumerated() {
            var x = Self.plotLeft
            let y = top + Double(rowIndex) * 22
            for index in row {
                let item = items[index]
                if let colorIndex = item.colorIndex {
                    canvas.circle(x: x + 8, y: y - 4, radius: 6, fill: ChartPalette.color(colorIndex), className: "legend-mark")
                } else {
                    canvas.line(from: (x - 4, y - 4), to: (x + 20, y - 4), stroke: "#333", width: 1.8, dashed: true)
                    canvas.circle(x: x + 8, y: y - 4, radius: 7, fill: "none", stroke: "#333", className: "legend-mark")
                }
                canvas.text(item.text, x: x + 26, y: y, size: 12)
                x += 30 + SVGCanvas.textWidth(item.text) + 18
            }
        }
    }
}

/// An axis-aligned box, for label placement.
struct Rectangle {
    var x: Double
    var y: Double
    var width: Double
    var height: Double

    /// The area shared with `other`.
    func overlap(_ other: Rectangle) -> Double {
        let width = min(x + self.width, other.x + other.width) - max(x, other.x)
        let height = min(y + self.height, other.y + other.height) - max(y, other.y)
        return width > 0 && height > 0 ? width * height : 0
    }
}
