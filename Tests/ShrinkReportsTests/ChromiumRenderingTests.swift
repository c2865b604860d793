import Foundation
import ShrinkMeasurement
import Testing
@testable import ShrinkReports

/// Finds a headless-capable Chromium on the PATH (`.ci/run` installs Debian's `chromium`).
enum ChromiumLocator {
    static let names = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"]

    static let path: String? = {
        let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        for name in names {
            for directory in directories where FileManager.default.isExecutableFile(atPath: "\(directory)/\(name)") {
                return "\(directory)/\(name)"
            }
        }
        return nil
    }()

    /// Runs Chromium headless on `url` with `arguments` and returns its standard output.
    static func run(_ executable: String, arguments: [String], url: URL, profile: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                             "--no-first-run", "--user-data-dir=\(profile)"] + arguments + [url.absoluteString]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        // A hung browser must not hang the test run.
        let watchdog = DispatchWorkItem { if process.isRunning { process.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: .now() + 90, execute: watchdog)
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        watchdog.cancel()
        return String(decoding: data, as: UTF8.self)
    }
}

@Suite struct ChromiumRenderingTests {
    /// Renders the report in headless Chromium with a measuring script appended to a copy of the
    /// page (the report itself has no scripts): every chart must lay out with a non-zero box and
    /// non-empty marks, and no two of its labels may overlap as the browser lays them out.
    @Test(.enabled(if: ChromiumLocator.path != nil,
                   "no chromium binary on PATH (\(ChromiumLocator.names.joined(separator: ", "))); .ci/run installs Debian's chromium"))
    func chartsRenderWithGeometry() throws {
        let chromium = try #require(ChromiumLocator.path)
        let directory = NSTemporaryDirectory() + "shrink-report-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }

        var records = RecordFixtures.sweep()
        records[1].variant = "<script>fp16</script>"
        let html = HTMLReport(comparison: try Comparison(records: records)).rendered()
        let measuring = """
            <script>
            const rows = [];
            for (const svg of document.querySelectorAll('svg.chart')) {
              const box = svg.getBoundingClientRect();
              let marks = 0;
              for (const mark of svg.querySelectorAll('circle, rect, path')) {
                const b = mark.getBBox();
                if (b.width > 0 && b.height > 0) marks += 1;
              }
              // Text boxes, as laid out on the page (rotation applied), that cover each other by
              // more than one square pixel.
              const texts = Array.from(svg.querySelectorAll('text')).filter(t => t.getBBox().width > 0);
              const boxes = texts.map(t => t.getBoundingClientRect());
              let overlaps = 0;
              const pairs = [];
              for (let i = 0; i < boxes.length; i++) {
                for (let j = i + 1; j < boxes.length; j++) {
                  const w = Math.min(boxes[i].x + boxes[i].width, boxes[j].x + boxes[j].width) - Math.max(boxes[i].x, boxes[j].x);
                  const h = Math.min(boxes[i].y + boxes[i].height, boxes[j].y + boxes[j].height) - Math.max(boxes[i].y, boxes[j].y);
                  if (w > 1 && h > 1 && w * h > 1) { overlaps += 1; pairs.push(texts[i].textContent + ' / ' + texts[j].textContent); }
                }
              }
              rows.push(svg.dataset.chart + ':' + Math.round(box.width) + ':' + Math.round(box.height) + ':' + marks + ':' + overlaps + ':' + pairs.join(', ').replace(/[:;"]/g, ' '));
            }
            document.body.setAttribute('data-measured', rows.join(';'));
            document.body.setAttribute('data-scripts', String(document.scripts.length));
            </script>
            """
        let measuredPath = directory + "/measured.html"
        try html.replacingOccurrences(of: "</body>", with: measuring + "\n</body>")
            .write(toFile: measuredPath, atomically: true, encoding: .utf8)
        let dom = try ChromiumLocator.run(chromium, arguments: ["--window-size=1280,2400", "--dump-dom"],
                                          url: URL(fileURLWithPath: measuredPath), profile: directory + "/profile")
        let start = try #require(dom.range(of: "data-measured=\""), "no measurement in the dumped DOM: \(dom.prefix(300))")
        let end = try #require(dom.range(of: "\"", range: start.upperBound..<dom.endIndex))
        let rows = dom[start.upperBound..<end.lowerBound].split(separator: ";").map { $0.split(separator: ":") }
        #expect(rows.map { String($0[0]) } == ["accuracy-vs-size", "accuracy-vs-latency"]
            + Array(repeating: "layers", count: 6) + ["operators"])
        for row in rows {
            let (width, height, marks) = (Int(row[1]) ?? 0, Int(row[2]) ?? 0, Int(row[3]) ?? 0)
            #expect(width > 600 && height > 100, "chart \(row[0]) laid out at \(width)×\(height)")
            #expect(marks > 1, "chart \(row[0]) has no visible marks")
            #expect(row.count > 4 && Int(row[4]) == 0, "chart \(row[0]): \(row.count > 4 ? String(row[4]) : "?") pairs of labels overlap: \(row.count > 5 ? String(row[5]) : "")")
        }
        // Only the measuring script ran: the escaped variant name stayed text.
        #expect(dom.contains("data-scripts=\"1\""))
        #expect(dom.contains("&lt;script&gt;fp16&lt;/script&gt;"))

        // The report as written parses to the same nine charts.
        let plainPath = directory + "/report.html"
        try html.write(toFile: plainPath, atomically: true, encoding: .utf8)
        let plain = try ChromiumLocator.run(chromium, arguments: ["--dump-dom"], url: URL(fileURLWithPath: plainPath),
                                            profile: directory + "/profile")
        #expect(plain.components(separatedBy: "<svg ").count - 1 == 9)
        #expect(!plain.contains("<script"))
    }
}
