import Foundation

/// The demo's progress: tasks with estimated work, finished one by one, and an ETA from the
/// seconds per unit of work measured so far (per model, since a LeNet-5 image costs several
/// times a LeNet-300-100 one).
final class DemoProgress {
    /// One planned piece of work.
    struct Task {
        var label: String
        /// The model whose speed scales its work (nil: measurement, timed apart).
        var model: String?
        /// Estimated units (image passes for training, files for measurement).
        var units: Double
    }

    private(set) var tasks: [Task]
    private var finished = Set<Int>()
    private var secondsPerUnit: [String: (seconds: Double, units: Double)] = [:]
    private let start = Date()

    init(tasks: [Task]) {
        self.tasks = tasks
    }

    /// Marks task `index` done after `seconds` (nil when it was reused, so it teaches no speed).
    func finish(_ index: Int, seconds: Double?) {
        finished.insert(index)
        guard let seconds, tasks[index].units > 0 else { return }
        let key = tasks[index].model ?? "measurement"
        let previous = secondsPerUnit[key] ?? (0, 0)
        secondsPerUnit[key] = (previous.seconds + seconds, previous.units + tasks[index].units)
    }

    /// Seconds the unfinished tasks should take, nil until a rate has been measured.
    var remainingSeconds: Double? {
        let rates = secondsPerUnit.mapValues { $0.seconds / $0.units }
        let fallback = rates.filter { $0.key != "measurement" }.values.max()
        var total = 0.0
        for (index, task) in tasks.enumerated() where !finished.contains(index) {
            let key = task.model ?? "measurement"
            // A measurement of a model's files takes about as long as loading and timing each: 1.5 s a file.
            guard let rate = rates[key] ?? (task.model == nil ? 1.5 : fallback) else { return nil }
            total += rate * task.units
        }
        return total
    }

    /// "[ 3/34]" for task `index`.
    func counter(_ index: Int) -> String {
        let width = String(tasks.count).count
        return "[" + String(repeating: " ", count: width - String(index + 1).count) + "\(index + 1)/\(tasks.count)]"
    }

    /// "elapsed 1 min 12 s, about 2 min 5 s left".
    var timeLine: String {
        let elapsed = "elapsed " + Self.duration(Date().timeIntervalSince(start))
        guard let remaining = remainingSeconds else { return elapsed }
        return finished.count == tasks.count ? elapsed : elapsed + ", about " + Self.duration(remaining) + " left"
    }

    /// `42 s`, `3 min 5 s`, `1 h 2 min`.
    static func duration(_ seconds: Double) -> String {
        let whole = Int(seconds.rounded())
        if whole < 60 { return "\(whole) s" }
        if whole < 3600 { return "\(whole / 60) min \(whole % 60) s" }
        return "\(whole / 3600) h \(whole % 3600 / 60) min"
    }
}
