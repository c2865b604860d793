#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Small reads of pseudo-files (/proc, /sys) with `errno`-based failure reasons.
enum SystemFile {
    /// Reads up to `limit` bytes of the file at `path` as UTF-8 text, or returns why it failed
    /// (e.g. "Permission denied").
    static func readText(_ path: String, limit: Int = 1 << 16) -> Result<String, SystemFileFailure> {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { return .failure(SystemFileFailure(path: path, message: errorText())) }
        defer { close(descriptor) }
        var bytes = [UInt8](repeating: 0, count: limit)
        var total = 0
        while total < limit {
            let count = bytes.withUnsafeMutableBytes { buffer in
                read(descriptor, buffer.baseAddress! + total, limit - total)
            }
            if count < 0 {
                if errno == EINTR { continue }
                return .failure(SystemFileFailure(path: path, message: errorText()))
            }
            if count == 0 { break }
            total += count
        }
        return .success(String(decoding: bytes[0..<total], as: UTF8.self))
    }

    /// The names in a directory (without "." and ".."), or why it could not be listed.
    static func directoryEntries(_ path: String) -> Result<[String], SystemFileFailure> {
        guard let directory = opendir(path) else { return .failure(SystemFileFailure(path: path, message: errorText())) }
        defer { closedir(directory) }
        var names = [String]()
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return .success(names.sorted())
    }

    /// The current `errno` as text.
    static func errorText() -> String {
        String(cString: strerror(errno))
    }
}

/// A failed pseudo-file read.
struct SystemFileFailure: Error {
    /// The path that failed.
    var path: String
    /// The operating system's reason.
    var message: String
}
