import ArgumentParser

/// The `shrink` command: one subcommand per stage of the flow.
@main
struct Shrink: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shrink",
        abstract: "Compress, store, run and measure neural networks on small machines.",
        subcommands: [
            TrainCommand.self, EvalCommand.self, CompressCommand.self, InspectCommand.self, BenchCommand.self,
            CompareCommand.self, ResultsCommand.self, ImportCommand.self, ExportCommand.self, ConformanceCommand.self, BenchProbeCommand.self,
        ])
}
