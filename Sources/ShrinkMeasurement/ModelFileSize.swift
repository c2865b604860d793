import Foundation
import ShrinkData

/// The size of a model file on disk and gzipped.
public struct ModelFileSize: Codable, Equatable, Sendable {
    /// The file's path.
    public var path: String
    /// The file's length in bytes.
    public var bytes: Int
    /// The length of the file compressed as one gzip member at `gzipLevel`.
    public var gzipBytes: Int
    /// The zlib level used (9).
    public var gzipLevel: Int

    /// gzipBytes / bytes (0 for an empty file).
    public var gzipRatio: Double { bytes == 0 ? 0 : Double(gzipBytes) / Double(bytes) }

    /// Creates a record.
    public init(path: String, bytes: Int, gzipBytes: Int, gzipLevel: Int) {
        self.path = path
        self.bytes = bytes
        self.gzipBytes = gzipBytes
        self.gzipLevel = gzipLevel
    }

    /// Measures the file at `path`: its length and its gzip length at level 9.
    public static func measure(path: String) throws -> ModelFileSize {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw MeasurementError.fileError(path: path, reason: "cannot read the file")
        }
        return try measure(bytes: [UInt8](data), path: path)
    }

    /// Measures bytes already in memory (`path` is only recorded).
    public static func measure(bytes: [UInt8], path: String) throws -> ModelFileSize {
        let compressed = try Gzip.compress(bytes, level: 9)
        return ModelFileSize(path: path, bytes: bytes.count, gzipBytes: compressed.count, gzipLevel: 9)
    }

    enum CodingKeys: String, CodingKey {
        case path, bytes
        case gzipBytes = "gzip_bytes"
        case gzipLevel = "gzip_level"
    }
}
