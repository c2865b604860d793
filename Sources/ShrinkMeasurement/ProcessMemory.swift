#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Resident-memory figures of processes (Linux).
public enum ProcessMemory {
    /// The peak resident set size (`VmHWM`, the resident high-water mark) of process `processID`
    /// (the calling process when nil), in bytes, from `<procRoot>/<pid>/status`.
    public static func peakResidentBytes(processID: Int32? = nil, procRoot: String = "/proc") throws -> Int {
        try statusField("VmHWM", processID: processID, procRoot: procRoot)
    }

    /// The current resident set size (`VmRSS`) in bytes.
    public static func currentResidentBytes(processID: Int32? = nil, procRoot: String = "/proc") throws -> Int {
        try statusField("VmRSS", processID: processID, procRoot: procRoot)
    }

    /// The largest peak resident set size among this process's waited-for children and their
    /// waited-for descendants (`getrusage(RUSAGE_CHILDREN).ru_maxrss`), in bytes.
    public static func childrenPeakResidentBytes() -> Int {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_CHILDREN.rawValue), &usage)
        return Int(usage.ru_maxrss) * 1024 // Linux reports kilobytes
    }

    /// Parses a `Name:   <n> kB` line of a `/proc/<pid>/status` file.
    static func statusField(_ field: String, processID: Int32?, procRoot: String) throws -> Int {
        let path = "\(procRoot)/\(processID.map(String.init) ?? "self")/status"
        let text: String
        switch SystemFile.readText(path) {
        case .success(let contents): text = contents
        case .failure(let failure): throw MeasurementError.fileError(path: path, reason: failure.message)
        }
        for line in text.split(separator: "\n") where line.hasPrefix("\(field):") {
            let words = line.dropFirst(field.count + 1).split(separator: " ", omittingEmptySubsequences: true)
                .flatMap { $0.split(separator: "\t") }
            guard let number = words.first.flatMap({ Int($0) }) else {
                throw MeasurementError.fileError(path: path, reason: "malformed \(field) line: \(line)")
            }
            let unit = words.count > 1 ? words[1].lowercased() : "b"
            switch unit {
            case "kb": return number * 1024
            case "mb": return number * 1024 * 1024
            case "b": return number
            default: throw MeasurementError.fileError(path: path, reason: "unknown unit in \(line)")
            }
        }
        throw MeasurementError.fileError(path: path, reason: "no \(field) line")
    }
}
