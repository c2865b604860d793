import Foundation

/// What `body` prints on standard output (the process's file descriptor 1 is pointed at a
/// temporary file meanwhile; other tests' output in that window lands there too).
func captureStandardOutput(_ body: () -> Void) -> String {
    let directory = makeTemporaryDirectory(prefix: "shrink-stdout")
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let path = directory + "/stdout"
    fflush(stdout)
    let saved = dup(STDOUT_FILENO)
    let file = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    precondition(saved >= 0 && file >= 0, "cannot redirect standard output")
    dup2(file, STDOUT_FILENO)
    close(file)
    body()
    fflush(stdout)
    dup2(saved, STDOUT_FILENO)
    close(saved)
    return (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
}
