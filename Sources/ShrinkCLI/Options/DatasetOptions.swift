import ArgumentParser
import Foundation
import ShrinkData

/// The data sets the CLI can load.
enum DatasetName: String, CaseIterable, ExpressibleByArgument {
    case mnist
    case cifar10
}

/// Which half of a data set to load.
enum DatasetSplit: String {
    case train
    case test
}

/// `--dataset` and `--data-dir`, shared by every command that reads a data set.
struct DatasetOptions: ParsableArguments {
    @Option(help: "The data set: \(DatasetName.allCases.map(\.rawValue).joined(separator: ", ")).")
    var dataset: DatasetName = .mnist

    @Option(name: .customLong("data-dir"),
            help: """
            The folder holding the data set's files (default: the repository's Data/mnist; for cifar10, \
            the repository's 100-image subset Data/cifar10-subset, so give the folder of the full data set, \
            e.g. ../shared/data/cifar10, for real runs).
            """)
    var dataDirectory: String?

    /// Loads one split of the data set, verifying its checksums.
    func load(_ split: DatasetSplit) throws -> LabeledDataset {
        switch dataset {
        case .mnist:
            let directory = try dataDirectory ?? MNIST.defaultDirectory()
            return try MNIST.load(split: split == .train ? .train : .test, from: directory)
        case .cifar10:
            let cifarSplit: CIFAR10.Split = split == .train ? .train : .test
            if let dataDirectory { return try CIFAR10.load(split: cifarSplit, from: dataDirectory) }
            let directory = try CIFAR10.defaultSubsetDirectory()
            let subset = try CIFAR10.load(split: cifarSplit, from: directory, trainingBatches: CIFAR10.subsetTrainingBatches)
            FileHandle.standardError.write(Data((
                "note: cifar10 \(split.rawValue) split: the repository's subset of \(subset.count) images (\(directory)); "
                + "pass --data-dir for the full data set\n").utf8))
            return subset
        }
    }
}
