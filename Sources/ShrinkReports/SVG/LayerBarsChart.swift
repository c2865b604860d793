import ShrinkMeasurement

/// One variant's stored tensors as horizontal bars: density (kept fraction, 0–100 %) in the left
/// panel, bits per stored value (0–32) in the right one; one row per tensor in file order.
struct LayerBarsChart {
    var variant: String
    var colorIndex: Int
    var layers: [LayerFigures]

    static let width = 1120.0
    static let nameWidth = 190.0
    static let panelGap = 90.0
    static let rowHeight = 22.0
    static let top = 58.0

    /// The SVG, or nil when the record lists no layers.
    func rendered() -> String? {
        guard !layers.isEmpty else { return nil }
        let panelWidth = (Self.width - Self.nameWidth - Self.panelGap - 60) / 2
        let densityLeft = Self.nameWidth
        let bitsLeft = densityLeft + panelWidth + Self.panelGap
        let bottom = Self.top + Double(layers.count) * Self.rowHeight
        let height = bottom + 44
        let maximumBits = max(32, layers.map(\.valueBits).max() ?? 32)
        let density = AxisScale.linear(values: [0, 100], start: densityLeft, end: densityLeft + panelWidth, clampTo: 0...100,
                                       includeZero: true)
        let bits = maximumBits <= 32
            ? AxisScale(lower: 0, upper: 32, start: bitsLeft, end: bitsLeft + panelWidth, logarithmic: false,
                        ticks: [0, 4, 8, 12, 16, 20, 24, 28, 32])
            : AxisScale.linear(values: [0, maximumBits], start: bitsLeft, end: bitsLeft + panelWidth, includeZero: true)
        let color = ChartPalette.color(colorIndex)
        var canvas = SVGCanvas(width: Self.width, height: height, label: "Per-layer density and bits: \(variant)",
                               identifier: "layers")
        canvas.text(variant, x: 8, y: 22, size: 15, bold: true)
        canvas.text("Density (non-zero / elements)", x: densityLeft, y: Self.top - 12, size: 12, bold: true)
        canvas.text("Bits per stored value (before entropy coding)", x: bitsLeft, y: Self.top - 12, size: 12, bold: true)
        for (scale, unit) in [(density, " %"), (bits, "")] {
            for tick in scale.ticks {
                let x = scale.position(tick)
                canvas.line(from: (x, Self.top), to: (x, bottom), stroke: "#e3e3e3")
                canvas.text(ReportFormatting.significant(tick).replacingZeroDecimals() + unit, x: x, y: bottom + 16,
                            anchor: .middle, size: 11)
            }
            canvas.line(from: (scale.start, bottom), to: (scale.end, bottom), stroke: "#666")
            canvas.line(from: (scale.start, Self.top), to: (scale.start, bottom), stroke: "#666")
        }
        for (index, layer) in layers.enumerated() {
            let y = Self.top + Double(index) * Self.rowHeight
            let name = layer.name.count > 28 ? String(layer.name.prefix(27)) + "…" : layer.name
            canvas.text(name, x: Self.nameWidth - 10, y: y + 15, anchor: .end, size: 12)
            let kept = layer.density * 100
            let densityEnd = density.position(kept)
            canvas.rectangle(x: densityLeft, y: y + 4, width: densityEnd - densityLeft, height: Self.rowHeight - 8,
                             fill: color, tooltip: "\(layer.name): \(layer.nonZero) of \(layer.elements) non-zero")
            canvas.text(String(format: "%.1f %%", kept), x: densityEnd + 5, y: y + 15, size: 11, fill: "#333")
            let bitsEnd = bits.position(layer.valueBits)
            canvas.rectangle(x: bitsLeft, y: y + 4, width: bitsEnd - bitsLeft, height: Self.rowHeight - 8, fill: color,
                             opacity: 0.65,
                             tooltip: "\(layer.name): \(layer.encoding), \(layer.storedBytes) bytes, kernel \(layer.kernel)")
            let bitsText = ReportFormatting.significant(layer.valueBits).replacingZeroDecimals() + " b  " + layer.encoding
            if bitsEnd + 5 + SVGCanvas.textWidth(bitsText, size: 11) > Self.width - 4 {
                canvas.text(bitsText, x: bitsEnd - 5, y: y + 15, anchor: .end, size: 11, fill: "#111")
            } else {
                canvas.text(bitsText, x: bitsEnd + 5, y: y + 15, size: 11, fill: "#333")
            }
        }
        return canvas.rendered()
    }
}

extension String {
    /// `"8.00"` → `"8"`, `"2.50"` → `"2.5"`: tick labels without needless zeros.
    func replacingZeroDecimals() -> String {
        guard contains(".") else { return self }
        var text = self
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }
}
