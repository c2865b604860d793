import Foundation
import Testing
@testable import ShrinkFormats

@Suite struct ModelFileFileSystemTests {
    /// A fresh empty directory, removed by `body`'s caller afterwards.
    func withTemporaryDirectory(_ body: (String) throws -> Void) throws {
        let directory = NSTemporaryDirectory() + "shrink-formats-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try body(directory)
    }

    func contents(_ directory: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
    }

    @Test func writeThenReadRoundTripsAndLeavesNoTemporaryFiles() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/model.shrink"
            let model = Fixtures.model()
            try model.write(to: path)
            #expect(try contents(directory) == ["model.shrink"])
            #expect(bitwiseEqual(try ModelFile.read(from: path), model))
            #expect(Array(try Data(contentsOf: URL(fileURLWithPath: path))) == Fixtures.validBytes)

            // Replacing keeps the old file's permission bits.
            #expect(chmod(path, 0o600) == 0)
            try Fixtures.model(seed: 2).write(to: path)
            #expect(try contents(directory) == ["model.shrink"])
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            #expect((attributes[.posixPermissions] as? Int) == 0o600)
            #expect(bitwiseEqual(try ModelFile.read(from: path), Fixtures.model(seed: 2)))
        }
    }

    @Test func targetIsUnchangedWhenEncodingFails() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/model.shrink"
            try Fixtures.model().write(to: path)
            var invalid = Fixtures.model(seed: 3)
            invalid.tensors[2].name = invalid.tensors[0].name
            #expect(throws: ModelFileError.duplicateTensorName("conv1.weight")) { try invalid.write(to: path) }
            #expect(try contents(directory) == ["model.shrink"])
            #expect(Array(try Data(contentsOf: URL(fileURLWithPath: path))) == Fixtures.validBytes)
        }
    }

    @Test func failedRenameRemovesTheTemporaryFile() throws {
        try withTemporaryDirectory { directory in
            // The target is a non-empty directory: the temporary file is written and synced, then
            // the rename fails and the temporary file must disappear.
            let path = directory + "/model.shrink"
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
            try Data([1, 2, 3]).write(to: URL(fileURLWithPath: path + "/keep"))
            do {
                try Fixtures.model().write(to: path)
                Issue.record("writing over a non-empty directory succeeded")
            } catch let error as ModelFileError {
                guard case .fileSystem(operation: "replace", _, _) = error else {
                    Issue.record("unexpected error \(error)")
                    return
                }
                #expect(error.description.contains("cannot replace"))
            }
            #expect(try contents(directory) == ["model.shrink"])
            #expect(try contents(path) == ["keep"])
        }
    }

    @Test func writingIntoAMissingDirectoryFailsCleanly() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/missing/model.shrink"
            #expect(throws: ModelFileError.self) { try Fixtures.model().write(to: path) }
            let entries = try contents(directory)
            #expect(entries.isEmpty)
        }
    }

    @Test func readingFailuresAreTyped() throws {
        try withTemporaryDirectory { directory in
            expectFileSystemError(containing: "No such file") { _ = try ModelFile.read(from: directory + "/absent.shrink") }
            expectFileSystemError(containing: "not a regular file") { _ = try ModelFile.read(from: directory) }
            let empty = directory + "/empty.shrink"
            #expect(FileManager.default.createFile(atPath: empty, contents: Data()))
            #expect(throws: ModelFileError.truncated(what: "the magic and format version", needed: 12, available: 0)) {
                try ModelFile.read(from: empty)
            }
        }
    }

    @Test func relativeAndBarePathsResolveTheirDirectory() {
        #expect(AtomicFile.directoryName(of: "model.shrink") == ".")
        #expect(AtomicFile.directoryName(of: "runs/model.shrink") == "runs")
        #expect(AtomicFile.directoryName(of: "/model.shrink") == "/")
    }

    private func expectFileSystemError(
        containing text: String, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void
    ) {
        do {
            try body()
            Issue.record("expected a file-system error", sourceLocation: sourceLocation)
        } catch let error as ModelFileError {
            guard case .fileSystem = error else {
                Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
                return
            }
            #expect(error.description.contains(text), "\(error)", sourceLocation: sourceLocation)
        } catch {
            Issue.record("unexpected error type \(error)", sourceLocation: sourceLocation)
        }
    }
}
