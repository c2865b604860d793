/// Finds the data folders the repository ships (`Data/<name>`) from wherever a program runs.
enum RepositoryData {
    /// The first `Data/<name>` that holds a regular file `marker`, looked for in
    /// `currentDirectory` and each of its parents, then in the directory of `sourceFilePath` (a
    /// source file of the checkout, for runs from elsewhere) and each of its parents; either
    /// starting point may be nil. When none is found, `searched` lists every directory tried.
    static func locate(
        _ name: String, marker: String, startingAt currentDirectory: String?, sourceFilePath: String?
    ) -> (directory: String?, searched: [String]) {
        var searched = [String]()
        var starts = [String]()
        if let currentDirectory { starts.append(currentDirectory) }
        if let sourceFilePath, let sourceDirectory = FileBytes.parent(of: sourceFilePath) { starts.append(sourceDirectory) }
        for start in starts {
            var directory: String? = start
            while let candidate = directory {
                let dataDirectory = FileBytes.join(FileBytes.join(candidate, "Data"), name)
                if FileBytes.isRegularFile(FileBytes.join(dataDirectory, marker)) {
                    return (dataDirectory, searched)
                }
                searched.append(candidate)
                directory = FileBytes.parent(of: candidate)
            }
        }
        return (nil, searched)
    }
}
