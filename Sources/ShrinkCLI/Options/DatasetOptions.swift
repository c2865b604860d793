import ArgumentParser
import ShrinkData

/// The data sets the CLI can load.
enum DatasetName: String, CaseIterable, ExpressibleByArgument {
    case mnist
}

/// `--dataset` and `--data-dir`, shared by every command that reads a data set.
struct DatasetOptions: ParsableArguments {
    @Option(help: "The data set: \(DatasetName.allCases.map(\.rawValue).joined(separator: ", ")).")
    var dataset: DatasetName = .mnist

    @Option(name: .customLong("data-dir"),
            help: "The folder holding the data set's files (default: the repository's Data/<dataset>).")
    var dataDirectory: String?

    /// Loads one split of the data set, verifying its checksums.
    func load(_ split: MNIST.Split) throws -> LabeledDataset {
        switch dataset {
        case .mnist:
            let directory = try dataDirectory ?? MNIST.defaultDirectory()
            return try MNIST.load(split: split, from: directory)
        }
    }
}
