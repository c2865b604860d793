/// Top-1 accuracy (y, percent) against a cost (x, logarithmic) for many candidates, as a search
/// such as `shrink tune` measures them: every candidate a dot (filled when it meets the
/// constraints, hollow when it breaks one), the Pareto front as a dashed line through ringed
/// points, the accuracy limit as a dashed horizontal line, and the chosen candidate in a square.
/// Names are in tooltips only (hundreds of points leave no room for labels).
public struct TradeOffChart: Sendable {
    /// One candidate.
    public struct Point: Sendable {
        public var name: String
        /// The cost (bytes, seconds, joules), lower is better; > 0.
        public var cost: Double
        /// Top-1 accuracy as a fraction.
        public var accuracy: Double
        public var meetsConstraints: Bool
        public var onFront: Bool
        public var isChosen: Bool

        public init(name: String, cost: Double, accuracy: Double, meetsConstraints: Bool, onFront: Bool, isChosen: Bool) {
            self.name = name
            self.cost = cost
            self.accuracy = accuracy
            self.meetsConstraints = meetsConstraints
            self.onFront = onFront
            self.isChosen = isChosen
        }
    }

    public var title: String
    /// The `data-chart` identifier of the SVG element.
    public var identifier: String
    public var costLabel: String
    /// How a cost reads on the axis and in tooltips (`14.7 kB`, `5.3 µs`).
    public var formatCost: @Sendable (Double) -> String
    public var points: [Point]
    /// The lowest accuracy the constraints allow (a fraction), if any.
    public var accuracyLimit: Double?

    public init(title: String, identifier: String, costLabel: String, formatCost: @escaping @Sendable (Double) -> String,
                points: [Point], accuracyLimit: Double?) {
        self.title = title
        self.identifier = identifier
        self.costLabel = costLabel
        self.formatCost = formatCost
        self.points = points
        self.accuracyLimit = accuracyLimit
    }

    static let width = 900.0
    static let plotLeft = 78.0
    static let plotRight = width - 24
    static let plotTop = 44.0
    static let plotBottom = 384.0

    /// The SVG element, or nil when no point has a positive, finite cost.
    public func rendered() -> String? {
        let drawn = points.filter { $0.cost > 0 && $0.cost.isFinite && $0.accuracy.isFinite }
        guard !drawn.isEmpty else { return nil }
        let xScale = AxisScale.logarithmic(values: drawn.map(\.cost), start: Self.plotLeft, end: Self.plotRight)
        let accuracies = drawn.map { $0.accuracy * 100 } + (accuracyLimit.map { [$0 * 100] } ?? [])
        let yScale = AxisScale.linear(values: accuracies, start: Self.plotBottom, end: Self.plotTop, clampTo: 0...100)
        var canvas = SVGCanvas(width: Self.width, height: Self.plotBottom + 84, label: title, identifier: identifier)
        canvas.text(title, x: Self.plotLeft, y: 22, size: 16, bold: true)
        canvas.percentPlotArea(left: Self.plotLeft, right: Self.plotRight, top: Self.plotTop, bottom: Self.plotBottom, yScale: yScale)
        canvas.xTicksAndAxes(xScale.ticks, scale: xScale, left: Self.plotLeft, right: Self.plotRight, top: Self.plotTop,
                             bottom: Self.plotBottom, marks: true, label: formatCost)
        canvas.text(costLabel + " (log scale)", x: (Self.plotLeft + Self.plotRight) / 2, y: Self.plotBottom + 40, anchor: .middle,
                    size: 12, bold: true)
        canvas.text("Top-1 accuracy", x: 16, y: (Self.plotTop + Self.plotBottom) / 2, anchor: .middle, size: 12, bold: true,
                    rotate: true)
        if let accuracyLimit {
            let y = yScale.position(accuracyLimit * 100)
            canvas.line(from: (Self.plotLeft, y), to: (Self.plotRight, y), stroke: "#b22", width: 1.2, dashed: true)
            canvas.text("accuracy limit", x: Self.plotRight - 4, y: y - 5, anchor: .end, size: 11, fill: "#b22")
        }
        func position(_ point: Point) -> (Double, Double) { (xScale.position(point.cost), yScale.position(point.accuracy * 100)) }
        let front = drawn.filter(\.onFront).sorted { $0.cost < $1.cost }
        if front.count > 1 {
            canvas.path(points: front.map(position), stroke: "#333", width: 1.6, dashed: true, className: "mark pareto-line",
                        tooltip: "Pareto front")
        }
        for point in drawn {
            let (x, y) = position(point)
            let tooltip = "\(point.name): top-1 \(ReportFormatting.percent(point.accuracy)), \(formatCost(point.cost))"
                + (point.meetsConstraints ? "" : " (breaks a constraint)")
            if point.onFront {
                canvas.circle(x: x, y: y, radius: 8.5, fill: "none", stroke: "#333", strokeWidth: 1.4, className: "mark pareto-point")
            }
            if point.isChosen {
                canvas.rectangle(x: x - 11, y: y - 11, width: 22, height: 22, fill: "#2a7", opacity: 0.25, className: "mark chosen")
            }
            canvas.circle(x: x, y: y, radius: 4.5, fill: point.meetsConstraints ? ChartPalette.color(0) : "#fff",
                          stroke: ChartPalette.color(0), strokeWidth: 1.5, tooltip: tooltip, className: "mark point")
        }
        // Legend.
        let y = Self.plotBottom + 68
        canvas.circle(x: Self.plotLeft + 4, y: y - 4, radius: 4.5, fill: ChartPalette.color(0), stroke: ChartPalette.color(0))
        canvas.text("meets the constraints", x: Self.plotLeft + 14, y: y, size: 12)
        canvas.circle(x: Self.plotLeft + 184, y: y - 4, radius: 4.5, fill: "#fff", stroke: ChartPalette.color(0))
        canvas.text("breaks one", x: Self.plotLeft + 194, y: y, size: 12)
        canvas.circle(x: Self.plotLeft + 294, y: y - 4, radius: 8.5, fill: "none", stroke: "#333", strokeWidth: 1.4)
        canvas.text("Pareto front", x: Self.plotLeft + 308, y: y, size: 12)
        canvas.rectangle(x: Self.plotLeft + 404, y: y - 15, width: 22, height: 22, fill: "#2a7", opacity: 0.25)
        canvas.text("chosen", x: Self.plotLeft + 432, y: y, size: 12)
        return canvas.rendered()
    }
}
