import Foundation
import ShrinkFormats

/// The evaluations of a tuning run, one JSON line each, appended as they finish: a run that is
/// interrupted and started again with the same journal reuses them, and so takes the same
/// decisions and ends with the same result as one that was not interrupted. Every line carries
/// the settings that must match (`TuningJournal.Header`), so a journal is never reused for a
/// different model, split or fine-tuning budget.
public struct TuningJournal {
    /// What must be equal for evaluations to be reused.
    public struct Header: Codable, Equatable, Sendable {
        public var model: String
        /// SHA-256 of the input model file's bytes.
        public var modelDigest: String
        public var trainingSamples: Int
        public var validationSamples: Int
        public var fineTuneEpochs: Int
        public var seed: UInt64
        public var batchSize: Int
        public var measuresLatency: Bool

        public init(model: String, modelDigest: String, trainingSamples: Int, validationSamples: Int, fineTuneEpochs: Int,
                    seed: UInt64, batchSize: Int, measuresLatency: Bool) {
            self.model = model
            self.modelDigest = modelDigest
            self.trainingSamples = trainingSamples
            self.validationSamples = validationSamples
            self.fineTuneEpochs = fineTuneEpochs
            self.seed = seed
            self.batchSize = batchSize
            self.measuresLatency = measuresLatency
        }
    }

    struct Line: Codable {
        var header: Header
        var evaluation: TuningEvaluation
    }

    public let path: String
    public let header: Header
    /// The evaluations read when the journal was opened, by signature.
    public private(set) var evaluations: [String: TuningEvaluation] = [:]

    /// Opens (or starts) the journal at `path`. A last line cut short by an interruption is
    /// ignored; any other unreadable line, or a line written for other settings, is an error.
    public init(path: String, header: Header) throws {
        self.path = path
        self.header = header
        guard FileManager.default.fileExists(atPath: path) else { return }
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: true)
        let decoder = JSONDecoder()
        for (index, line) in lines.enumerated() {
            guard let decoded = try? decoder.decode(Line.self, from: Data(line.utf8)) else {
                if index == lines.count - 1 && !text.hasSuffix("\n") { break } // cut short while being written
                throw TuningError.unreadableJournal(path: path, line: index + 1)
            }
            guard decoded.header == header else { throw TuningError.journalForOtherSettings(path: path) }
            evaluations[decoded.evaluation.signature] = decoded.evaluation
        }
    }

    /// Appends one evaluation (and flushes it to disk).
    public mutating func append(_ evaluation: TuningEvaluation) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(Line(header: header, evaluation: evaluation)) + Data("\n".utf8)
        if !FileManager.default.fileExists(atPath: path) {
            guard FileManager.default.createFile(atPath: path, contents: nil) else { throw TuningError.cannotWriteJournal(path: path) }
        }
        guard let handle = FileHandle(forWritingAtPath: path) else { throw TuningError.cannotWriteJournal(path: path) }
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: data)
        try handle.synchronize()
        evaluations[evaluation.signature] = evaluation
    }
}

/// Why a tuning run cannot go on.
public enum TuningError: Error, Equatable, CustomStringConvertible {
    case unreadableJournal(path: String, line: Int)
    case journalForOtherSettings(path: String)
    case cannotWriteJournal(path: String)
    case invalidSetting(String)

    public var description: String {
        switch self {
        case let .unreadableJournal(path, line): "tune: journal \(path) line \(line) is not a tuning evaluation"
        case let .journalForOtherSettings(path):
            "tune: journal \(path) was written for another model, split, seed or fine-tuning budget; give another --journal"
        case let .cannotWriteJournal(path): "tune: cannot write the journal \(path)"
        case let .invalidSetting(message): "tune: \(message)"
        }
    }
}
