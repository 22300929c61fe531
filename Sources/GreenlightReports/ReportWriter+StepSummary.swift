import Foundation
import GreenlightCore

extension ReportWriter {
    /// Appends the Markdown report to a CI step summary file (`$GITHUB_STEP_SUMMARY`), creating it
    /// when missing. Returns a warning when it cannot: a summary is a courtesy, not the gate's result.
    public static func appendStepSummary(_ report: Report, to path: String) -> String? {
        let markdown = Data((MarkdownRenderer.render(report) + "\n").utf8)
        if !FileManager.default.fileExists(atPath: path) {
            _ = FileManager.default.createFile(atPath: path, contents: nil)
        }
        guard let handle = FileHandle(forWritingAtPath: path) else {
            return "cannot append the summary to $GITHUB_STEP_SUMMARY (\(path))"
        }
        defer { try? handle.close() }
        do {
            try handle.seekToEnd()
            try handle.write(contentsOf: markdown)
            return nil
        } catch {
            return "cannot append the summary to $GITHUB_STEP_SUMMARY (\(path)): \(error.localizedDescription)"
        }
    }
}
