/// The frame the charts share: plot area, grid, percent y labels, x ticks and the two axes.
extension SVGCanvas {
    /// The plot area's background and, at `yScale`'s ticks, grid lines labelled in percent on the left.
    mutating func percentPlotArea(left: Double, right: Double, top: Double, bottom: Double, yScale: AxisScale) {
        rectangle(x: left, y: top, width: right - left, height: bottom - top, fill: "#fafafa", className: "plot-area")
        for tick in yScale.ticks {
            let y = yScale.position(tick)
            line(from: (left, y), to: (right, y), stroke: "#e3e3e3")
            text(yScale.label(tick) + " %", x: left - 8, y: y + 4, anchor: .end, size: 11)
        }
    }

    /// Vertical grid lines at `ticks` (with tick marks when `marks`), their labels under the plot
    /// (a label that would touch the one before it is left out), then the x and y axis lines.
    mutating func xTicksAndAxes(_ ticks: [Double], scale: AxisScale, left: Double, right: Double, top: Double, bottom: Double,
                                marks: Bool, label: (Double) -> String) {
        var lastLabelEnd = -Double.infinity
        for tick in ticks {
            let x = scale.position(tick)
            line(from: (x, top), to: (x, bottom), stroke: "#e3e3e3")
            if marks { line(from: (x, bottom), to: (x, bottom + 5), stroke: "#666") }
            let text = label(tick)
            let half = SVGCanvas.textWidth(text, size: 11) / 2
            if x - half > lastLabelEnd + 6 {
                self.text(text, x: x, y: bottom + 19, anchor: .middle, size: 11)
                lastLabelEnd = x + half
            }
        }
        line(from: (left, bottom), to: (right, bottom), stroke: "#666")
        line(from: (left, top), to: (left, bottom), stroke: "#666")
    }
}
