import Foundation
import ShrinkData
import Testing
@testable import ShrinkMeasurement

@Suite struct ModelFileSizeTests {
    @Test func bytesAndGzipBytes() throws {
        let directory = try Fixtures.temporaryDirectory("size")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("model.bin").path
        var generator = 12345 as UInt64
        let noisy: [UInt8] = (0..<4096).map { _ in
            generator = generator &* 6364136223846793005 &+ 1442695040888963407
            return UInt8(truncatingIfNeeded: generator >> 56)
        }
        let contents = [UInt8](repeating: 0, count: 10_000) + noisy
        try Data(contents).write(to: URL(fileURLWithPath: path))
        let size = try ModelFileSize.measure(path: path)
        #expect(size.bytes == 14_096)
        #expect(size.gzipLevel == 9)
        #expect(size.gzipBytes == (try Gzip.compress(contents, level: 9)).count)
        #expect(size.gzipBytes > 4096 && size.gzipBytes < 4400) // zeros vanish, noise does not shrink
        #expect(try Gzip.decompress(try Gzip.compress(contents, level: 9), maximumOutputBytes: 1 << 20) == contents)
        let text = String(decoding: try JSONEncoder().encode(size), as: UTF8.self)
        #expect(text.contains("\"gzip_bytes\"") && text.contains("\"gzip_level\":9"))
        #expect(throws: MeasurementError.self) { try ModelFileSize.measure(path: directory.appendingPathComponent("none").path) }
        #expect(try ModelFileSize.measure(bytes: [], path: "empty").gzipRatio == 0)
    }
}
