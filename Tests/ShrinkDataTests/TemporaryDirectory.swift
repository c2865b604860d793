#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
@testable import ShrinkData

/// A fresh directory under /tmp, removed (with the files written through it) on deinit.
final class TemporaryDirectory {
    let path: String
    private var files = Set<String>()

    init() {
        var template = Array("/tmp/shrink-data-tests-XXXXXX".utf8CString)
        let created = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(created != nil, "mkdtemp failed")
        path = String(cString: created!)
    }

    /// Writes `bytes` to `name` in this directory and returns the full path.
    @discardableResult
    func write(_ bytes: [UInt8], to name: String) throws -> String {
        let filePath = path + "/" + name
        try FileBytes.write(bytes, to: filePath)
        files.insert(filePath)
        return filePath
    }

    deinit {
        for file in files { unlink(file) }
        rmdir(path)
    }
}
