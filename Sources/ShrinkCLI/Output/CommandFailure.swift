import ArgumentParser
import Foundation
import ShrinkMeasurement

/// A failure while a command runs (not a mistake in its arguments): printed as one line on
/// standard error, without the usage text that follows a `ValidationError`.
struct CommandFailure: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) {
        self.description = description
    }

    /// An error thrown while a command runs, as the command line reports it: help requests and
    /// exit codes unchanged; everything else as one line without usage text (a `ValidationError`
    /// thrown at run time is no mistake in the arguments), with a `DecodingError`'s field path
    /// and reason instead of Swift's dump of it, and any line breaks joined with "; ".
    static func oneLine(_ error: any Error) -> any Error {
        switch error {
        case is CleanExit, is ExitCode, is CommandFailure: return error
        case let validation as ValidationError: return CommandFailure(validation.message)
        case let decoding as DecodingError: return CommandFailure("invalid data: " + decoding.oneLineDescription)
        default:
            let text = String(describing: error)
            let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            return lines.count == 1 && lines[0] == text ? error : CommandFailure(lines.joined(separator: "; "))
        }
    }
}
