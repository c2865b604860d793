import ShrinkMeasurement

/// Time per inference run split by operator kind: one stacked horizontal bar per variant
/// (segments in a fixed kind order, widths in microseconds on a shared axis), a legend of kinds.
struct OperatorBreakdownChart {
    struct Bar {
        var variant: String
        var operators: [OperatorShare]
    }

    var bars: [Bar]

    static let width = 1120.0
    static let nameWidth = 190.0
    static let rowHeight = 30.0
    static let top = 48.0

    /// The operator kinds, largest total time over all variants first (ties by name).
    var kinds: [String] {
        var totals: [String: Double] = [:]
        for bar in bars {
            for share in bar.operators { totals[share.kind, default: 0] += share.secondsPerRun }
        }
        return totals.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.map(\.key)
    }

    /// The SVG, or nil when no record has an operator breakdown.
    func rendered() -> String? {
        guard bars.contains(where: { !$0.operators.isEmpty }) else { return nil }
        let kinds = kinds
        let totals = bars.map { $0.operators.map(\.secondsPerRun).reduce(0, +) * 1e6 }
        let right = Self.width - 110
        let scale = AxisScale.linear(values: totals + [0], start: Self.nameWidth, end: right, includeZero: true)
        let bottom = Self.top + Double(bars.count) * Self.rowHeight
        let legendRows = ScatterChart.legendLayout(kinds, width: Self.width - Self.nameWidth)
        let height = bottom + 60 + Double(legendRows.count) * 22
        var canvas = SVGCanvas(width: Self.width, height: height, label: "Time per operator kind", identifier: "operators")
        canvas.text("Time per inference run by operator kind", x: 8, y: 22, size: 16, bold: true)
        for tick in scale.ticks {
            let x = scale.position(tick)
            canvas.line(from: (x, Self.top), to: (x, bottom), stroke: "#e3e3e3")
            canvas.text(ReportFormatting.significant(tick).replacingZeroDecimals(), x: x, y: bottom + 16, anchor: .middle,
                        size: 11)
        }
        canvas.line(from: (Self.nameWidth, bottom), to: (right, bottom), stroke: "#666")
        canvas.line(from: (Self.nameWidth, Self.top), to: (Self.nameWidth, bottom), stroke: "#666")
        canvas.text("Microseconds per run (profiled batch)", x: (Self.nameWidth + right) / 2, y: bottom + 36,
                    anchor: .middle, size: 12, bold: true)
        for (index, bar) in bars.enumerated() {
            let y = Self.top + Double(index) * Self.rowHeight
            let name = bar.variant.count > 28 ? String(bar.variant.prefix(27)) + "…" : bar.variant
            canvas.text(name, x: Self.nameWidth - 10, y: y + 19, anchor: .end, size: 12)
            guard !bar.operators.isEmpty else {
                canvas.text("no operator profile", x: Self.nameWidth + 6, y: y + 19, size: 11, fill: "#888")
                continue
            }
            var offset = 0.0
            for (kindIndex, kind) in kinds.enumerated() {
                guard let share = bar.operators.first(where: { $0.kind == kind }) else { continue }
                let microseconds = share.secondsPerRun * 1e6
                let left = scale.position(offset)
                offset += microseconds
                canvas.rectangle(x: left, y: y + 5, width: scale.position(offset) - left, height: Self.rowHeight - 10,
                                 fill: ChartPalette.color(kindIndex),
                                 tooltip: "\(bar.variant) · \(kind): \(ReportFormatting.seconds(share.secondsPerRun)) per run, "
                                     + "\(ReportFormatting.percent(share.share)), \(ReportFormatting.significant(share.callsPerRun)) calls")
            }
            canvas.text(ReportFormatting.seconds(offset * 1e-6), x: scale.position(offset) + 6, y: y + 19, size: 11,
                        fill: "#333")
        }
        for (rowIndex, row) in legendRows.enumerated() {
            var x = Self.nameWidth
            let y = bottom + 62 + Double(rowIndex) * 22
            for index in row {
                canvas.rectangle(x: x, y: y - 11, width: 14, height: 14, fill: ChartPalette.color(index), className: "legend-mark")
                canvas.text(kinds[index], x: x + 20, y: y, size: 12)
                x += 30 + SVGCanvas.textWidth(kinds[index]) + 18
            }
        }
        return canvas.rendered()
    }
}
