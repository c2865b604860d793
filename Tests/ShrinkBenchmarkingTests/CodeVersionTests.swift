import Foundation
import ShrinkFormats
import ShrinkMeasurement
import Testing
@testable import ShrinkBenchmarking

/// `shrink --version`: the version and the revision of the work tree the executable was built
/// in, or "unknown".
@Suite struct CodeVersionTests {
    static let gitIsAvailable = CodeVersion.run("git", ["--version"]) != nil

    /// A fresh repository with one commit of `Package.swift` and `Sources/`, and a symbolic link
    /// standing for `/proc/self/exe` to an "executable" in its `.build`.
    private static func freshClone() throws -> (directory: String, executableLink: String) {
        var template = Array("/tmp/shrink-version-XXXXXX".utf8CString)
        let directory = String(cString: try #require(template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }))
        try FileManager.default.createDirectory(atPath: directory + "/repo/Sources/ShrinkCLI", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: directory + "/repo/.build/debug", withIntermediateDirectories: true)
        try Data("// package\n".utf8).write(to: URL(fileURLWithPath: directory + "/repo/Package.swift"))
        try Data("// main\n".utf8).write(to: URL(fileURLWithPath: directory + "/repo/Sources/ShrinkCLI/main.swift"))
        try Data("binary".utf8).write(to: URL(fileURLWithPath: directory + "/repo/.build/debug/shrink"))
        let repository = directory + "/repo"
        for arguments in [["init", "-q"], ["add", "Package.swift", "Sources"],
                          ["-c", "user.name=Test", "-c", "user.email=test@example.com", "commit", "-q", "-m", "first"]] {
            _ = try #require(CodeVersion.run("git", ["-C", repository] + arguments), "git \(arguments)")
        }
        let link = directory + "/exe"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: repository + "/.build/debug/shrink")
        return (directory, link)
    }

    @Test(.enabled(if: gitIsAvailable)) func aFreshCloneReportsItsCommitAndLocalChanges() throws {
        let (directory, link) = try Self.freshClone()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let commit = try #require(CodeVersion.run("git", ["-C", directory + "/repo", "rev-parse", "--short=12", "HEAD"]))
        #expect(commit.count == 12)
        #expect(CodeVersion.versionLine(executablePath: link) == "\(ModelMetadata.defaultProducer), revision \(commit)")
        #expect(CodeVersion.current(executablePath: link) == "\(ModelMetadata.defaultProducer) (git \(commit))")
        try Data("// edited\n".utf8).write(to: URL(fileURLWithPath: directory + "/repo/Sources/ShrinkCLI/main.swift"))
        #expect(CodeVersion.versionLine(executablePath: link) == "\(ModelMetadata.defaultProducer), revision \(commit), modified")
    }

    @Test(.enabled(if: gitIsAvailable)) func withoutGitTheRevisionIsUnknown() throws {
        let (directory, link) = try Self.freshClone()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(CodeVersion.versionLine(executablePath: link, git: "/nonexistent/git")
            == "\(ModelMetadata.defaultProducer), revision unknown")
    }

    @Test func outsideAWorkTreeTheRevisionIsUnknown() throws {
        var template = Array("/tmp/shrink-version-XXXXXX".utf8CString)
        let directory = String(cString: try #require(template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }))
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try Data("binary".utf8).write(to: URL(fileURLWithPath: directory + "/shrink"))
        try FileManager.default.createSymbolicLink(atPath: directory + "/exe", withDestinationPath: directory + "/shrink")
        #expect(CodeVersion.versionLine(executablePath: directory + "/exe") == "\(ModelMetadata.defaultProducer), revision unknown")
        #expect(CodeVersion.versionLine(executablePath: directory + "/not-a-link") == "\(ModelMetadata.defaultProducer), revision unknown")
    }
}
