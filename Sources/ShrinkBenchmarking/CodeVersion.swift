import Foundation
import ShrinkFormats
import ShrinkMeasurement

/// The code that measured a record: `shrink <version>` and, when the running executable lives in
/// a git work tree, `(git <short commit>[, modified])`; "modified" means uncommitted changes to the
/// code that builds the executable (`Package.swift`, `Sources/`), not to documents or results.
public enum CodeVersion {
    /// `ModelMetadata.defaultProducer`, plus the commit of the repository holding the running
    /// executable when `git` can tell it.
    public static func current(executablePath: String = "/proc/self/exe") -> String {
        let base = ModelMetadata.defaultProducer
        guard let resolved = try? FileManager.default.destinationOfSymbolicLink(atPath: executablePath) else { return base }
        let directory = (resolved as NSString).deletingLastPathComponent
        guard insideGitWorkTree(directory) else { return base }
        guard let commit = git(["-C", directory, "rev-parse", "--short=12", "HEAD"]), !commit.isEmpty else { return base }
        let status = git(["-C", directory, "status", "--porcelain", "--untracked-files=no", "--", ":/Package.swift", ":/Sources"])
        return "\(base) (git \(commit)\(status.map { $0.isEmpty ? "" : ", modified" } ?? ""))"
    }

    /// Whether `directory` or one of its ancestors holds a `.git` entry (checked first, so that
    /// `git` is not run, and does not complain on standard error, outside a repository).
    static func insideGitWorkTree(_ directory: String) -> Bool {
        var current = directory
        while !current.isEmpty {
            if FileManager.default.fileExists(atPath: current + "/.git") { return true }
            let parent = (current as NSString).deletingLastPathComponent
            if parent == current { return false }
            current = parent
        }
        return false
    }

    /// `git arguments`' trimmed standard output, or nil when it fails.
    static func git(_ arguments: [String]) -> String? {
        let outputPath = NSTemporaryDirectory() + "/shrink-git-\(ProcessInfo.processInfo.globallyUniqueString)"
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        guard let result = try? ChildProcess.run(executable: "git", arguments: arguments, standardOutputPath: outputPath),
              result.succeeded, let data = FileManager.default.contents(atPath: outputPath) else { return nil }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
