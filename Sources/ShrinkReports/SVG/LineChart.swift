/// Lines of top-1 accuracy (y, percent) against a setting (x, linear), one per series, with a
/// dashed horizontal reference line (the baseline) and a legend: the per-layer sensitivity
/// curves of Deep Compression's figure 6.
public struct LineChart: Sendable {
    /// One line: a name for the legend and its points (x, accuracy as a fraction).
    public struct Series: Sendable {
        public var name: String
        public var points: [(x: Double, accuracy: Double)]

        public init(name: String, points: [(x: Double, accuracy: Double)]) {
            self.name = name
            self.points = points
        }
    }

    public var title: String
    /// The `data-chart` identifier of the SVG element.
    public var identifier: String
    public var xLabel: String
    /// How an x tick reads (`50 %`, `4`).
    public var formatX: @Sendable (Double) -> String
    public var series: [Series]
    /// The accuracy the dashed reference line marks (a fraction), if any.
    public var reference: (label: String, accuracy: Double)?

    public init(title: String, identifier: String, xLabel: String, formatX: @escaping @Sendable (Double) -> String,
                series: [Series], reference: (label: String, accuracy: Double)? = nil) {
        self.title = title
        self.identifier = identifier
        self.xLabel = xLabel
        self.formatX = formatX
        self.series = series
        self.reference = reference
    }

    static let width = 760.0
    static let plotLeft = 78.0
    static let plotRight = width - 24
    static let plotTop = 44.0
    static let plotBottom = 344.0

    /// The SVG element, or nil when no series has a point.
    public func rendered() -> String? {
        let all = series.flatMap(\.points)
        guard !all.isEmpty else { return nil }
        let xs = all.map(\.x)
        let xScale = AxisScale.linear(values: xs, start: Self.plotLeft, end: Self.plotRight)
        let accuracies = all.map { $0.accuracy * 100 } + (reference.map { [$0.accuracy * 100] } ?? [])
        let yScale = AxisScale.linear(values: accuracies, start: Self.plotBottom, end: Self.plotTop, clampTo: 0...100)
        let legendRows = ScatterChart.legendLayout(series.map(\.name) + (reference.map { [$0.label] } ?? []),
                                                   width: Self.plotRight - Self.plotLeft)
        let height = Self.plotBottom + 62 + Double(legendRows.count) * 22
        var canvas = SVGCanvas(width: Self.width, height: height, label: title, identifier: identifier)
        canvas.text(title, x: Self.plotLeft, y: 22, size: 16, bold: true)
        canvas.percentPlotArea(left: Self.plotLeft, right: Self.plotRight, top: Self.plotTop, bottom: Self.plotBottom, yScale: yScale)
        // x ticks at the swept settings (a sweep has few).
        canvas.xTicksAndAxes(Array(Set(xs)).sorted(), scale: xScale, left: Self.plotLeft, right: Self.plotRight, top: Self.plotTop,
                             bottom: Self.plotBottom, marks: false, label: formatX)
        canvas.text(xLabel, x: (Self.plotLeft + Self.plotRight) / 2, y: Self.plotBottom + 40, anchor: .middle, size: 12, bold: true)
        canvas.text("Top-1 accuracy", x: 16, y: (Self.plotTop + Self.plotBottom) / 2, anchor: .middle, size: 12, bold: true,
                    rotate: true)
        if let reference {
            let y = yScale.position(reference.accuracy * 100)
            canvas.line(from: (Self.plotLeft, y), to: (Self.plotRight, y), stroke: "#333", width: 1.4, dashed: true)
        }
        for (index, line) in series.enumerated() {
            let positions = line.points.map { (xScale.position($0.x), yScale.position($0.accuracy * 100)) }
            let color = ChartPalette.color(index)
            canvas.path(points: positions, stroke: color, width: 2, className: "mark series-line", tooltip: line.name)
            for (point, position) in zip(line.points, positions) {
                canvas.circle(x: position.0, y: position.1, radius: 4, fill: color, stroke: "#fff",
                              tooltip: "\(line.name), \(formatX(point.x)): top-1 \(ReportFormatting.percent(point.accuracy))",
                              className: "mark point")
            }
        }
        // Legend: a colored line per series, then the dashed reference.
        let names = series.map(\.name) + (reference.map { [$0.label] } ?? [])
        for (rowIndex, row) in legendRows.enumerated() {
            var x = Self.plotLeft
            let y = Self.plotBottom + 62 + Double(rowIndex) * 22
            for index in row {
                let isReference = index >= series.count
                canvas.line(from: (x - 4, y - 4), to: (x + 20, y - 4), stroke: isReference ? "#333" : ChartPalette.color(index),
                            width: isReference ? 1.4 : 2.5, dashed: isReference)
                canvas.text(names[index], x: x + 26, y: y, size: 12)
                x += 30 + SVGCanvas.textWidth(names[index]) + 18
            }
        }
        return canvas.rendered()
    }
}
