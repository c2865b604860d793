extension CIFAR10 {
    /// The path of this source file when it was compiled, for finding the repository's data.
    private static let sourceFilePath = #filePath

    /// The training files of the repository's subset: `data_batch_1` only.
    public static let subsetTrainingBatches = [1]

    /// The directory holding the repository's CIFAR-10 subset (`Data/cifar10-subset`): the first
    /// 100 records of `data_batch_1` and of `test_batch`, for tests and quick runs. Load its
    /// training split with `trainingBatches: subsetTrainingBatches`.
    ///
    /// Looks for `Data/cifar10-subset/SHA256SUMS` in the current directory, then in each parent
    /// directory, then upwards from this source file's location in the checkout.
    /// - Throws: `CIFAR10Error.directoryNotFound` (suggesting `--data-dir`) if none exists.
    public static func defaultSubsetDirectory() throws -> String {
        try locateSubsetDirectory(startingAt: FileBytes.currentDirectory(), sourceFilePath: sourceFilePath)
    }

    /// The search behind `defaultSubsetDirectory()`, with explicit starting points (either may be nil).
    static func locateSubsetDirectory(startingAt currentDirectory: String?, sourceFilePath: String?) throws -> String {
        let search = RepositoryData.locate(
            "cifar10-subset", marker: checksumsFileName, startingAt: currentDirectory, sourceFilePath: sourceFilePath)
        guard let directory = search.directory else { throw CIFAR10Error.directoryNotFound(searched: search.searched) }
        return directory
    }
}
