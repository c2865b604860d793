import ArgumentParser

/// `shrink results`: the runs recorded by `shrink bench` and `shrink compress`.
struct ResultsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "results",
        abstract: "List, show, export and merge the recorded bench and compress runs (shrink.db).",
        discussion: """
            Every shrink bench and shrink compress run is recorded in an SQLite database, \
            shrink.db in the current directory unless --database PATH is given (--no-record \
            skips it). Tables and columns are described in docs/RESULTS.md; any SQLite client \
            can query them. Shards of a sweep write their own databases; merge them with \
            shrink results merge.
            """,
        subcommands: [
            ResultsListCommand.self, ResultsShowCommand.self, ResultsExportCommand.self, ResultsMergeCommand.self,
        ])
}
