import ArgumentParser
import GreenlightCore

/// The one check of every option that names a file or a folder to write (`--out`, `--report-dir`,
/// `--ledger` of a new ledger, `--dir`, `--attest`, `init -o`): run before any work starts, so a run
/// never ends on "cannot write", and any write error that still comes is said in plain words.
enum OutputPath {
    /// Refuses `path` (given as `option`) when a file cannot be written there.
    static func checkFile(_ path: String?, option: String) throws {
        if let path, let problem = PathCheck.fileProblem(path) { throw ValidationError("\(option): \(problem)") }
    }

    /// Refuses `path` (given as `option`) when it cannot be a folder to create and write into; `files`
    /// are the names greenlight will write inside it.
    static func checkFolder(_ path: String?, option: String, files: [String] = []) throws {
        guard let path else { return }
        if let problem = PathCheck.folderProblem(path) { throw ValidationError("\(option): \(problem)") }
        for name in files {
            if let problem = PathCheck.fileProblem(path + "/" + name) { throw ValidationError("\(option): \(problem)") }
        }
    }

    /// Why writing `path` failed, as a sentence: "cannot write PATH: REASON".
    static func writeFailure(_ path: String, _ error: any Error) -> String {
        "cannot write \(path): \(PathCheck.writeProblem(path, error))"
    }
}
