#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Replaces a file atomically, as Shrink writes its model files (`ShrinkFormats`' `AtomicFile`,
/// which is internal to that module): the bytes go to a unique temporary file in the same
/// directory, are synced, and the temporary file is renamed over the target. A reader sees the
/// old file or the new one, never a partial one.
enum AtomicWrite {
    static func write(_ bytes: [UInt8], to path: String) throws(ONNXError) {
        let prefix = path.lastIndex(of: "/").map { String(path[...$0]) } ?? ""
        let baseName = String(path.dropFirst(prefix.count))
        guard !baseName.isEmpty, baseName != ".", baseName != ".." else { throw .export("cannot write \(path): not a file path") }
        var generator = SystemRandomNumberGenerator()
        var descriptor: Int32 = -1
        var temporaryPath = ""
        for _ in 0..<16 {
            temporaryPath = prefix + ".\(baseName).\(getpid()).\(String(generator.next() & 0xFFFF_FFFF_FFFF, radix: 16)).tmp"
            descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            if descriptor >= 0 || errno != EEXIST { break }
        }
        guard descriptor >= 0 else { throw failure("create a temporary file for", path) }
        var failed: ONNXError?
        bytes.withUnsafeBytes { raw in
            var written = 0
            while written < raw.count {
                let count = systemWrite(descriptor, raw.baseAddress! + written, raw.count - written)
                if count < 0 {
                    if errno == EINTR { continue }
                    failed = failure("write", temporaryPath)
                    return
                }
                written += count
            }
        }
        if failed == nil && fsync(descriptor) != 0 { failed = failure("flush", temporaryPath) }
        if close(descriptor) != 0 && failed == nil { failed = failure("close", temporaryPath) }
        if failed == nil && rename(temporaryPath, path) != 0 { failed = failure("replace", path) }
        if let failed {
            _ = unlink(temporaryPath)
            throw failed
        }
        let directory = prefix.isEmpty ? "." : (prefix == "/" ? "/" : String(prefix.dropLast()))
        let directoryDescriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directoryDescriptor >= 0 {
            _ = fsync(directoryDescriptor)
            _ = close(directoryDescriptor)
        }
    }

    private static func failure(_ operation: String, _ path: String) -> ONNXError {
        .export("cannot \(operation) \(path): \(String(cString: strerror(errno)))")
    }
}

// A free function so the POSIX call is not shadowed by `AtomicWrite.write`.
private func systemWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, buffer, count)
}
