import Foundation

/// What a demo folder holds besides the results store: the settings it was run with and the
/// baselines it trained (`demo.json`). A baseline is reused only when its entry matches the
/// settings and the file on disk still has the recorded SHA-256 and loads.
struct DemoState: Codable, Equatable {
    /// The file's name inside the demo folder.
    static let fileName = "demo.json"

    /// One trained baseline.
    struct Baseline: Codable, Equatable {
        var model: String
        /// The file's name inside the demo folder.
        var file: String
        var sha256: String
        /// `DemoConfiguration.trainingKey` of the run that trained it.
        var trainingKey: String
        /// Wall-clock seconds of training (not in the file, whose bytes must not depend on it).
        var trainingSeconds: Double
        /// Top-1 on the test images after the last epoch, as the trainer measured it.
        var testAccuracy: Double?
    }

    var configuration: DemoConfiguration
    var baselines: [Baseline]

    /// The state in `folder`, nil when there is none or it cannot be read (a fresh start).
    static func load(folder: String) -> DemoState? {
        guard let data = FileManager.default.contents(atPath: folder + "/" + fileName) else { return nil }
        return try? JSONDecoder().decode(DemoState.self, from: data)
    }

    /// Writes the state into `folder` (a temporary file renamed over the old one).
    func save(folder: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try CompareCommand.writeReplacing(path: folder + "/" + Self.fileName, text: String(decoding: try encoder.encode(self), as: UTF8.self) + "\n")
    }
}
