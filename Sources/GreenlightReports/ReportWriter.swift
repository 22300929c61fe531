import Foundation
import GreenlightCore

/// Writes every form of a report into one directory.
public enum ReportWriter {
    /// The files written, in order: JSON, Markdown, JUnit XML, HTML.
    public static let fileNames = ["report.json", "report.md", "junit.xml", "report.html"]

    /// Creates `directory` if needed and writes `report.json`, `report.md`, `junit.xml` and `report.html`
    /// into it, replacing files of those names; returns their URLs.
    public static func write(_ report: Report, to directory: URL) throws(ReportWriteError) -> [URL] {
        let json = report.json()
        guard !json.isEmpty else {
            throw ReportWriteError("the report could not be encoded as JSON (a number in it may be NaN or infinite)")
        }
        let contents: [Data] = [
            json,
            Data(MarkdownRenderer.render(report).utf8),
            Data(JUnitRenderer.render(report).utf8),
            Data(HTMLRenderer.render(report).utf8),
        ]
        try createDirectory(directory)
        var written: [URL] = []
        for (name, data) in zip(fileNames, contents) {
            let url = directory.appendingPathComponent(name, isDirectory: false)
            do {
                try data.write(to: url, options: .atomic)
            } catch {
                throw ReportWriteError("cannot write \(url.path): \(PathCheck.writeProblem(url.path, error))")
            }
            written.append(url)
        }
        return written
    }

    static func createDirectory(_ directory: URL) throws(ReportWriteError) {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw ReportWriteError("cannot write the report into \(directory.path): it is a file, not a directory")
            }
            return
        }
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            // Foundation's reason reads "NSCocoaErrorDomain error 512"; say what is in the way.
            let reason = PathCheck.folderProblem(directory.path) ?? PathCheck.writeProblem(directory.path, error)
            throw ReportWriteError(
                "cannot create the report directory \(directory.path): \(reason); "
                    + "choose another directory or fix its permissions")
        }
    }
}

/// Why the report could not be written: what failed, and where.
public struct ReportWriteError: Error, CustomStringConvertible, Sendable, Equatable {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
