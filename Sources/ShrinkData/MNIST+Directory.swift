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
        var searched = [String]()
        var starts = [String]()
        if let currentDirectory { starts.append(currentDirectory) }
        if let sourceFilePath, let sourceDirectory = FileBytes.parent(of: sourceFilePath) { starts.append(sourceDirectory) }
        for start in starts {
            var directory: String? = start
            while let candidate = directory {
                let dataDirectory = FileBytes.join(FileBytes.join(candidate, "Data"), "mnist")
                if FileBytes.isRegularFile(FileBytes.join(dataDirectory, checksumsFileName)) {
                    return dataDirectory
                }
                searched.append(candidate)
                directory = FileBytes.parent(of: candidate)
            }
        }
        throw MNISTError.directoryNotFound(searched: searched)
    }
}
