#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Whole-file reads and atomic replacement on POSIX systems: model files, and every report the
/// CLI writes, so an interrupted write never leaves a half-written file.
public enum AtomicFile {
    /// Replaces `path` with `bytes` through a synced temporary file and `rename`.
    /// - Throws: `ModelFileError.fileSystem` naming the operation and the path.
    public static func write(_ bytes: [UInt8], to path: String) throws {
        let directory = directoryName(of: path)
        // `path` up to and including its last slash, and the name after it.
        let prefix = path.lastIndex(of: "/").map { String(path[...$0]) } ?? ""
        let baseName = String(path.dropFirst(prefix.count))
        if baseName.isEmpty || baseName == "." || baseName == ".." {
            throw ModelFileError.fileSystem(operation: "write", path: path, reason: "not a file path")
        }

        // A unique temporary name in the same directory, so the rename stays on one file system.
        var generator = SystemRandomNumberGenerator()
        var descriptor: Int32 = -1
        var temporaryPath = ""
        for _ in 0..<16 {
            let suffix = String(generator.next() & 0xFFFF_FFFF_FFFF, radix: 16)
            temporaryPath = prefix + ".\(baseName).\(getpid()).\(suffix).tmp"
            descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            if descriptor >= 0 || errno != EEXIST { break }
        }
        if descriptor < 0 {
            throw ModelFileError.fileSystem(operation: "create a temporary file for", path: path, reason: lastError())
        }

        do {
            // Keep the permissions of the file being replaced.
            var existing = stat()
            if stat(path, &existing) == 0 && (existing.st_mode & S_IFMT) == S_IFREG {
                _ = fchmod(descriptor, existing.st_mode & 0o7777)
            }
            try writeAll(bytes, to: descriptor, path: temporaryPath)
            if fsync(descriptor) != 0 {
                throw ModelFileError.fileSystem(operation: "flush", path: temporaryPath, reason: lastError())
            }
            let closeResult = close(descriptor)
            descriptor = -1
            if closeResult != 0 {
                throw ModelFileError.fileSystem(operation: "close", path: temporaryPath, reason: lastError())
            }
            if rename(temporaryPath, path) != 0 {
                throw ModelFileError.fileSystem(operation: "replace", path: path, reason: lastError())
            }
        } catch {
            if descriptor >= 0 { _ = close(descriptor) }
            _ = unlink(temporaryPath)
            throw error
        }
        syncDirectory(directory)
    }

    /// The whole content of the regular file at `path`, at most `ModelFileLimits.maximumFileLength`
    /// bytes.
    static func readAll(_ path: String) throws -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        if descriptor < 0 {
            throw ModelFileError.fileSystem(operation: "open", path: path, reason: lastError())
        }
        defer { _ = close(descriptor) }
        var information = stat()
        if fstat(descriptor, &information) != 0 {
            throw ModelFileError.fileSystem(operation: "inspect", path: path, reason: lastError())
        }
        if (information.st_mode & S_IFMT) != S_IFREG {
            throw ModelFileError.fileSystem(operation: "read", path: path, reason: "not a regular file")
        }
        let size = Int(information.st_size)
        if size < 0 || size > ModelFileLimits.maximumFileLength {
            throw ModelFileError.fileSystem(
                operation: "read", path: path,
                reason: "\(size) bytes exceeds the \(ModelFileLimits.maximumFileLength)-byte limit")
        }
        var failure: ModelFileError?
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
            var total = 0
            while total < size {
                let count = systemRead(descriptor, buffer.baseAddress! + total, size - total)
                if count < 0 {
                    if errno == EINTR { continue }
                    failure = .fileSystem(operation: "read", path: path, reason: lastError())
                    break
                }
                if count == 0 {
                    failure = .fileSystem(operation: "read", path: path, reason: "the file shrank while being read")
                    break
                }
                total += count
            }
            // Bytes past `total` are never read: on failure the array is discarded, but it must
            // still be fully initialized.
            if total < size { (buffer.baseAddress! + total).initialize(repeating: 0, count: size - total) }
            initialized = size
        }
        if let failure { throw failure }
        return bytes
    }

    private static func writeAll(_ bytes: [UInt8], to descriptor: Int32, path: String) throws {
        try bytes.withUnsafeBytes { raw in
            var written = 0
            while written < raw.count {
                let count = systemWrite(descriptor, raw.baseAddress! + written, raw.count - written)
                if count < 0 {
                    if errno == EINTR { continue }
                    throw ModelFileError.fileSystem(operation: "write", path: path, reason: lastError())
                }
                written += count
            }
        }
    }

    /// Best effort: makes the rename durable.
    private static func syncDirectory(_ directory: String) {
        let descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if descriptor >= 0 {
            _ = fsync(descriptor)
            _ = close(descriptor)
        }
    }

    /// The directory part of `path`: `.` for a bare name, `/` for a file in the root.
    static func directoryName(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let directory = String(path[..<slash])
        return directory.isEmpty ? "/" : directory
    }

    private static func lastError() -> String {
        String(cString: strerror(errno))
    }
}

// Free functions so the POSIX calls are not shadowed by `AtomicFile`'s own `write`.
private func systemRead(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
    read(descriptor, buffer, count)
}

private func systemWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, buffer, count)
}
