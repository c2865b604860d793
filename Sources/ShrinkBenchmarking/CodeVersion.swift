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
        guard let revision = revision(executablePath: executablePath) else { return base }
        return "\(base) (git \(revision))"
    }

    /// What `shrink --version` prints: `shrink 0.1.0, revision 1d24fe5ab1c2` (with `, modified`
    /// when the code differs from that commit), or `shrink 0.1.0, revision unknown` when the
    /// executable is not inside a git work tree or `git` cannot be run.
    public static func versionLine(executablePath: String = "/proc/self/exe", git: String = "git") -> String {
        "\(ModelMetadata.defaultProducer), revision \(revision(executablePath: executablePath, git: git) ?? "unknown")"
    }

    /// The short commit (12 hex digits) of the work tree holding the executable, followed by
    /// `, modified` when `Package.swift` or `Sources/` have uncommitted changes; nil when the
    /// executable is in no work tree or `git` (the program of that name, found on `PATH`) fails.
    /// Works in any clone or `git worktree` (where `.git` is a file) in which the package was
    /// built; the build itself records nothing, so a copied executable says nil.
    public static func revision(executablePath: String = "/proc/self/exe", git: String = "git") -> String? {
        guard let resolved = try? FileManager.default.destinationOfSymbolicLink(atPath: executablePath) else { return nil }
        let directory = (resolved as NSString).deletingLastPathComponent
        guard insideGitWorkTree(directory) else { return nil }
        guard let commit = run(git, ["-C", directory, "rev-parse", "--short=12", "HEAD"]), !commit.isEmpty else { return nil }
        let status = run(git, ["-C", directory, "status", "--porcelain", "--untracked-files=no", "--", ":/Package.swift", ":/Sources"])
        return commit + (status.map { $0.isEmpty ? "" : ", modified" } ?? "")
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

    /// `program arguments`' trimmed standard output, or nil when it cannot be run or fails.
    static func run(_ program: String, _ arguments: [String]) -> String? {
        let outputPath = NSTemporaryDirectory() + "/shrink-git-\(ProcessInfo.processInfo.globallyUniqueString)"
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        guard let result = try? ChildProcess.run(executable: program, arguments: arguments, standardOutputPath: outputPath),
              result.succeeded, let data = FileManager.default.contents(atPath: outputPath) else { return nil }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
