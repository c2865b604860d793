import ArgumentParser

/// `shrink-benchmarks`: one subcommand per benchmark. Add a benchmark by writing a
/// `ParsableCommand` (see `GEMMBenchmark`) and listing it in `subcommands`.
@main
struct ShrinkBenchmarks: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shrink-benchmarks",
        abstract: "Performance benchmarks for Shrink (build with -c release).",
        subcommands: [GEMMBenchmark.self, TrainingEpochBenchmark.self, KernelsBenchmark.self, RuntimeBenchmark.self,
                      ParallelOverheadBenchmark.self, FuzzModelFileCommand.self, FuzzONNXCommand.self, FuzzIDXCommand.self, FuzzRecipeCommand.self,
                      FuzzResultsCommand.self, SyntheticModelCommand.self, SparseBreakEvenBenchmark.self]
    )
}
