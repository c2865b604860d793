import ArgumentParser
import Foundation

/// Checks a destination before any work starts, so a bad path is not found out after minutes of
/// computing.
enum OutputPath {
    /// Throws a `ValidationError` when `path` cannot be written: its folder is missing or not
    /// writable, it is a folder, it is the input, or it exists and `force` is false.
    static func check(_ path: String, force: Bool, input: String? = nil) throws {
        let url = URL(fileURLWithPath: path)
        if let input, url.standardizedFileURL.resolvingSymlinksInPath() == URL(fileURLWithPath: input).standardizedFileURL.resolvingSymlinksInPath() {
            throw ValidationError("--output \(path) is the input file; write to another path.")
        }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            if isDirectory.boolValue { throw ValidationError("--output \(path) is a folder; give a file path.") }
            if !force { throw ValidationError("--output \(path) exists; give --force to replace it.") }
        }
        let folder = url.deletingLastPathComponent().path
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ValidationError("--output \(path): the folder \(folder) does not exist.")
        }
        guard FileManager.default.isWritableFile(atPath: folder) else {
            throw ValidationError("--output \(path): the folder \(folder) is not writable.")
        }
    }
}
