#if canImport(Glibc)
import Glibc
private let systemRead = Glibc.read
private let systemWrite = Glibc.write
#elseif canImport(Darwin)
import Darwin
private let systemRead = Darwin.read
private let systemWrite = Darwin.write
#endif

/// Why a file could not be read.
public enum FileReadError: Error, CustomStringConvertible, Equatable, Sendable {
    /// No file exists at `path`.
    case notFound(path: String)
    /// `path` names a directory or another non-regular file.
    case notRegularFile(path: String)
    /// The file is larger than the caller allows.
    case tooLarge(path: String, byteCount: Int, limit: Int)
    /// The operating system reported an error (`errno` text).
    case systemError(path: String, operation: String, message: String)

    public var description: String {
        switch self {
        case .notFound(let path):
            return "\(path): file not found"
        case .notRegularFile(let path):
            return "\(path): not a regular file"
        case .tooLarge(let path, let byteCount, let limit):
            return "\(path): file is \(byteCount) bytes, more than the limit of \(limit) bytes"
        case .systemError(let path, let operation, let message):
            return "\(path): \(operation) failed: \(message)"
        }
    }
}

/// Small file-system helpers over the C library (no Foundation dependency).
enum FileBytes {
    /// Reads the whole file at `path`, refusing files larger than `maximumByteCount` before
    /// allocating anything.
    static func read(path: String, maximumByteCount: Int) throws -> [UInt8] {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else {
            if errno == ENOENT || errno == ENOTDIR { throw FileReadError.notFound(path: path) }
            throw systemError(path: path, operation: "open")
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw systemError(path: path, operation: "stat") }
        guard (status.st_mode & S_IFMT) == S_IFREG else { throw FileReadError.notRegularFile(path: path) }
        let byteCount = Int(status.st_size)
        guard byteCount <= maximumByteCount else {
            throw FileReadError.tooLarge(path: path, byteCount: byteCount, limit: maximumByteCount)
        }
        var bytes = [UInt8](repeating: 0, count: byteCount)
        var total = 0
        try bytes.withUnsafeMutableBytes { buffer in
            while total < byteCount {
                let result = systemRead(descriptor, buffer.baseAddress! + total, byteCount - total)
                if result < 0 {
                    if errno == EINTR { continue }
                    throw systemError(path: path, operation: "read")
                }
                if result == 0 { break }  // The file shrank while we read it.
                total += result
            }
        }
        if total < byteCount { bytes.removeSubrange(total...) }
        return bytes
    }

    /// Writes `bytes` to `path`, replacing any existing file.
    static func write(_ bytes: [UInt8], to path: String) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard descriptor >= 0 else { throw systemError(path: path, operation: "open for writing") }
        defer { close(descriptor) }
        var total = 0
        try bytes.withUnsafeBytes { buffer in
            while total < buffer.count {
                let result = systemWrite(descriptor, buffer.baseAddress! + total, buffer.count - total)
                if result < 0 {
                    if errno == EINTR { continue }
                    throw systemError(path: path, operation: "write")
                }
                total += result
            }
        }
    }

    /// Whether `path` names an existing directory.
    static func isDirectory(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFDIR
    }

    /// Whether `path` names an existing regular file.
    static func isRegularFile(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFREG
    }

    /// The process's current working directory, if it can be determined.
    static func currentDirectory() -> String? {
        guard let pointer = getcwd(nil, 0) else { return nil }
        defer { free(pointer) }
        return String(cString: pointer)
    }

    /// `path` joined with `component` by a single slash.
    static func join(_ path: String, _ component: String) -> String {
        path.hasSuffix("/") ? path + component : path + "/" + component
    }

    /// The directory containing `path` (`"/"` for the root), or `nil` at the top.
    static func parent(of path: String) -> String? {
        var trimmed = Substring(path)
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        guard trimmed != "/", let slash = trimmed.lastIndex(of: "/") else { return nil }
        let parent = trimmed[..<slash]
        return parent.isEmpty ? "/" : String(parent)
    }

    private static func systemError(path: String, operation: String) -> FileReadError {
        .systemError(path: path, operation: operation, message: String(cString: strerror(errno)))
    }
}
