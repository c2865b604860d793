extension MNIST {
    /// The path of this source file when it was compiled, for finding the repository's data.
    private static let sourceFilePath = #filePath

    /// The directory holding the repository's MNIST files (`Data/mnist`).
    ///
    /// Looks for `Data/mnist/SHA256SUMS` in the current directory, then in each parent
    /// directory, then upwards from this source file's location in the checkout.
    /// - Throws: `MNISTError.directoryNotFound` (suggesting `--data-dir`) if none exists.
    public static func defaultDirectory() throws -> String {
        try locateDirectory(startingAt: FileBytes.currentDirectory(), sourceFilePath: sourceFilePath)
    }

    /// The search behind `defaultDirectory()`, with explicit starting points (either may be nil).
    static func locateDirectory(startingAt currentDirectory: String?, sourceFilePath: String?) throws -> String {
        let search = RepositoryData.locate(
            "mnist", marker: checksumsFileName, startingAt: currentDirectory, sourceFilePath: sourceFilePath)
        guard let directory = search.directory else { throw MNISTError.directoryNotFound(searched: search.searched) }
        return directory
    }
}
