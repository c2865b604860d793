import ArgumentParser
import ShrinkBenchmarking

#if canImport(Glibc)
import Glibc
#endif

/// The `shrink` command: one subcommand per stage of the flow.
@main
struct Shrink: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shrink",
        abstract: "Compress, store, run and measure neural networks on small machines.",
        subcommands: [
            DemoCommand.self, TrainCommand.self, EvalCommand.self, CompressCommand.self, InspectCommand.self, BenchCommand.self,
            CompareCommand.self, SensitivityCommand.self, TuneCommand.self, ResultsCommand.self, ImportCommand.self, ExportCommand.self, ConformanceCommand.self, BenchProbeCommand.self,
        ])

    @Flag(help: "Print the version and the code revision it was built from, and exit.")
    var version = false

    func run() throws {
        guard version else { throw CleanExit.helpRequest(self) }
        print(CodeVersion.versionLine())
    }

    /// Parses the arguments and runs the command with standard output line-buffered; an error
    /// while running is one line on standard error (`CommandFailure.oneLine`), a mistake in the
    /// arguments is its message with the usage.
    static func main() {
        StandardOutput.makeLineBuffered(stdout)
        var command: any ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            exit(withError: error)
        }
        do {
            try command.run()
        } catch {
            exit(withError: CommandFailure.oneLine(error))
        }
    }
}
