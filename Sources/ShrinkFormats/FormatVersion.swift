/// The model file format's version: `major.minor`, stored at bytes 8–11 of every file.
///
/// Rules (docs/FORMAT.md, "Versions"):
/// - A **minor** bump only adds things a reader of the same major version can safely ignore
///   (optional sections, optional manifest fields) or things it rejects by name with a clear
///   message (new encoding tags, new required sections). Readers therefore read every minor
///   version of their major version, older or newer.
/// - A **major** bump changes the meaning of existing bytes. A reader refuses files whose major
///   version is newer than its own; a future major-2 reader keeps reading major 1.
/// - Major version 0 does not exist; such files are rejected as invalid.
public struct FormatVersion: Comparable, Hashable, Sendable, CustomStringConvertible {
    /// Incremented when existing bytes change meaning.
    public var major: UInt16
    /// Incremented for backward-compatible additions.
    public var minor: UInt16

    /// Creates a version.
    public init(major: UInt16, minor: UInt16) {
        self.major = major
        self.minor = minor
    }

    /// The version this library writes.
    public static let current = FormatVersion(major: 2, minor: 1)

    /// The oldest major version this library reads.
    public static let oldestReadableMajor: UInt16 = 1

    /// `major.minor`, e.g. `1.0`.
    public var description: String { "\(major).\(minor)" }

    public static func < (lhs: FormatVersion, rhs: FormatVersion) -> Bool {
        (lhs.major, lhs.minor) < (rhs.major, rhs.minor)
    }

    /// How a reader of version `reader` treats a file of this version.
    func compatibility(withReader reader: FormatVersion, oldestReadableMajor: UInt16) -> Compatibility {
        if major == 0 { return .invalid }
        if major > reader.major { return .newerMajor }
        if major < oldestReadableMajor { return .retiredMajor }
        return .readable
    }

    /// The outcome of comparing a file's version with a reader's.
    enum Compatibility: Equatable {
        /// Same major version (any minor), or an older major the reader still supports.
        case readable
        /// The file needs a newer reader.
        case newerMajor
        /// An older major version this reader no longer supports.
        case retiredMajor
        /// Version 0.x: never written by any Shrink.
        case invalid
    }
}
