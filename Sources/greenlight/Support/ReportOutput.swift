import ArgumentParser
import Foundation
import GreenlightCore
import GreenlightReports

/// Where a finished report goes besides the terminal: `--report-dir` and `$GITHUB_STEP_SUMMARY`.
enum ReportOutput {
    static func write(_ report: Report, to reportDir: String?, announce: Bool) throws {
        if let reportDir {
            do {
                let written = try ReportWriter.write(report, to: URL(fileURLWithPath: reportDir))
                if announce {
                    Terminal.error("wrote \(written.map(\.lastPathComponent).joined(separator: ", ")) to \(reportDir)")
                }
            } catch {
                Terminal.error("greenlight: \(error)")
                throw ExitCode(ExitStatus.invalidInput)
            }
        }
        guard let summary = ProcessInfo.processInfo.environment["GITHUB_STEP_SUMMARY"], !summary.isEmpty else { return }
        let markdown = Data((MarkdownRenderer.render(report) + "\n").utf8)
        if !FileManager.default.fileExists(atPath: summary) {
            _ = FileManager.default.createFile(atPath: summary, contents: nil)
        }
        guard let handle = FileHandle(forWritingAtPath: summary) else {
            Terminal.error("greenlight: warning: cannot append the summary to $GITHUB_STEP_SUMMARY (\(summary))")
            return
        }
        defer { try? handle.close() }
        do {
            try handle.seekToEnd()
            try handle.write(contentsOf: markdown)
        } catch {
            Terminal.error(
                "greenlight: warning: cannot append the summary to $GITHUB_STEP_SUMMARY (\(summary)): \(error.localizedDescription)"
            )
        }
    }
}
