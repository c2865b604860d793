import Foundation

/// A one-line progress bar on standard error, redrawn in place on a terminal and printed as
/// occasional plain lines otherwise (CI logs), so long work always shows where it is.
final class ProgressBar {
    private let title: String
    private let total: Int
    private let isTerminal: Bool
    private let width = 30
    private var lastDrawn = Date.distantPast
    private var lastPlainPercent = -1
    private let start = Date()

    init(title: String, total: Int) {
        self.title = title
        self.total = max(1, total)
        self.isTerminal = isatty(STDERR_FILENO) != 0
    }

    /// Shows `completed` of `total`, with an optional suffix such as the running loss.
    func update(completed: Int, suffix: String = "") {
        let now = Date()
        let fraction = min(1, Double(completed) / Double(total))
        if isTerminal {
            guard completed == total || now.timeIntervalSince(lastDrawn) > 0.1 else { return }
            lastDrawn = now
            let filled = Int(fraction * Double(width))
            let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
            let line = "\r\(title) \(bar) \(completed)/\(total) \(formatted(now.timeIntervalSince(start))) \(suffix)"
            FileHandle.standardError.write(Data((line + "\u{1B}[K").utf8))
        } else {
            let percent = Int(fraction * 100)
            guard percent / 25 != lastPlainPercent / 25 || completed == total else { return }
            lastPlainPercent = percent
            FileHandle.standardError.write(Data("\(title) \(percent)% (\(completed)/\(total)) \(suffix)\n".utf8))
        }
    }

    /// Prints `line` above the bar (a terminal's bar is redrawn at the next update).
    func note(_ line: String) {
        FileHandle.standardError.write(Data(((isTerminal ? "\r" : "") + line + (isTerminal ? "\u{1B}[K" : "") + "\n").utf8))
        lastDrawn = .distantPast
    }

    /// Ends the bar's line.
    func finish() {
        if isTerminal { FileHandle.standardError.write(Data("\n".utf8)) }
    }

    private func formatted(_ seconds: TimeInterval) -> String {
        String(format: "%.1fs", seconds)
    }
}
