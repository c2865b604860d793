import ArgumentParser

/// `--force`, shared by every command that writes a file: without it an existing output is an
/// error before any work starts. An input is never replaced, with or without it.
struct OverwriteOptions: ParsableArguments {
    @Flag(help: "Replace output files that exist (never an input file).")
    var force = false
}
