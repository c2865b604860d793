import ArgumentParser
import ShrinkResults

/// `shrink results merge OUTPUT INPUT...`: the shards of a sweep into one database.
struct ResultsMergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Merge results databases (e.g. the shards of a sweep) into OUTPUT.",
        discussion: """
            OUTPUT is created if missing. Inputs are only read. Merging is idempotent: a run \
            already in OUTPUT (same id, same content) is kept once; a different run with the \
            same id is an error and nothing is written.
            """)

    @Argument(help: "The database to merge into (created if missing).")
    var output: String

    @Argument(help: "The databases to merge from.")
    var inputs: [String] = []

    @Flag(help: "Print {\"added\", \"already_present\", \"runs\"} as JSON.")
    var json = false

    func validate() throws {
        guard !inputs.isEmpty else { throw ValidationError("Missing the databases to merge (INPUT...).") }
        if let input = inputs.first(where: { OutputPath.isSameFile(output, $0) }) {
            throw ValidationError("OUTPUT \(output) is also an input (\(input)); merge into another database.")
        }
        // OUTPUT is merged into when it exists (that is the point), so it needs no --force.
        try ResultsDatabaseOptions.checkRecordable(output)
    }

    func run() throws {
        let store = try ResultsStore(path: output, mode: .createIfMissing)
        let summary = try store.merge(from: inputs)
        let total = try store.count()
        if json {
            try printJSON(["added": summary.added, "already_present": summary.alreadyPresent, "runs": total,
                           "tuning_added": summary.tuningAdded, "tuning_already_present": summary.tuningAlreadyPresent,
                           "sensitivities_added": summary.sensitivitiesAdded])
            return
        }
        func runs(_ count: Int) -> String { "\(count) run\(count == 1 ? "" : "s")" }
        var line = "Merged \(inputs.count) database\(inputs.count == 1 ? "" : "s") into \(output): "
            + "\(runs(summary.added)) added, \(summary.alreadyPresent) already present; it holds \(runs(total))."
        if summary.tuningAdded + summary.tuningAlreadyPresent > 0 {
            let held = try store.tuningSearches().map(\.evaluations).reduce(0, +)
            line += " Tuning evaluations: \(summary.tuningAdded) added, \(summary.tuningAlreadyPresent) already present; it holds \(held)."
        }
        if summary.sensitivitiesAdded > 0 {
            line += " Sensitivity analyses of tuning searches added: \(summary.sensitivitiesAdded)."
        }
        print(line)
    }
}
