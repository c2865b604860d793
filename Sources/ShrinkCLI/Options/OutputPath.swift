import ArgumentParser
import Foundation

/// Checks destinations before any work starts, so a bad path is not found out after minutes of
/// computing.
enum OutputPath {
    /// Throws a `ValidationError` naming `option` when `path` cannot be written: its folder is
    /// missing or not writable, it is a folder, it is one of `inputs` (never replaced, even with
    /// `force`), or it exists and `force` is false.
    static func check(_ path: String, option: String = "--output", force: Bool, inputs: [String] = []) throws {
        if let input = inputs.first(where: { isSameFile(path, $0) }) {
            throw ValidationError("\(option) \(path) is the input file \(input); write to another path (inputs are never replaced, even with --force).")
        }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            if isDirectory.boolValue { throw ValidationError("\(option) \(path) is a folder; give a file path.") }
            if !force { throw ValidationError("\(option) \(path) exists; give --force to replace it.") }
            guard FileManager.default.isWritableFile(atPath: path) else {
                throw ValidationError("\(option) \(path) exists and is not writable.")
            }
        }
        try checkFolder(of: path, option: option)
    }

    /// Throws unless the folder `path` would be written into exists and is writable.
    static func checkFolder(of path: String, option: String) throws {
        let folder = Self.folder(of: path)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ValidationError("\(option) \(path): the folder \(folder) does not exist.")
        }
        guard FileManager.default.isWritableFile(atPath: folder) else {
            throw ValidationError("\(option) \(path): the folder \(folder) is not writable.")
        }
    }

    /// Throws unless `path` is an existing, writable folder.
    static func checkWritableFolder(_ path: String, option: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ValidationError("\(option) \(path) is not a folder.")
        }
        guard FileManager.default.isWritableFile(atPath: path) else { throw ValidationError("\(option) \(path) is not writable.") }
    }

    /// Throws when two destinations given to one command are the same file.
    static func checkDistinct(_ destinations: [(option: String, path: String?)]) throws {
        let given = destinations.compactMap { entry in entry.path.map { (option: entry.option, path: $0) } }
        for (index, first) in given.enumerated() {
            if let second = given[(index + 1)...].first(where: { isSameFile(first.path, $0.path) }) {
                throw ValidationError("\(first.option) and \(second.option) are the same file \(first.path); give each its own path.")
            }
        }
    }

    /// Whether two paths name one file: the same device and inode when both exist (hard links,
    /// symbolic links, `./x` and `x`), else the same absolute path with links resolved.
    static func isSameFile(_ first: String, _ second: String) -> Bool {
        var firstStatus = stat()
        var secondStatus = stat()
        if stat(first, &firstStatus) == 0, stat(second, &secondStatus) == 0 {
            return firstStatus.st_dev == secondStatus.st_dev && firstStatus.st_ino == secondStatus.st_ino
        }
        // Neither URL nor NSString path methods: they have crashed under parallel tests on
        // this toolchain's Foundation.
        func normalized(_ path: String) -> String {
            let name = path.split(separator: "/", omittingEmptySubsequences: true).last.map(String.init) ?? path
            guard let resolved = realpath(folder(of: path), nil) else { return path }
            defer { free(resolved) }
            return String(cString: resolved) + "/" + name
        }
        return normalized(first) == normalized(second)
    }

    /// The folder a file at `path` is in: the text before the last "/" ("." for a bare name,
    /// "/" for a file in the root).
    static func folder(of path: String) -> String {
        var trimmed = Substring(path)
        while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        guard let slash = trimmed.lastIndex(of: "/") else { return "." }
        return slash == trimmed.startIndex ? "/" : String(trimmed[..<slash])
    }
}
