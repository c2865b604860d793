import ArgumentParser

@main
struct Shrink: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shrink",
        abstract: "Compress, store, run and measure neural networks on small machines.",
        subcommands: [])
}
