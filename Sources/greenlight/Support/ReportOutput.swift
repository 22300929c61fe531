import ArgumentParser
import Foundation
import GreenlightCore
import GreenlightReports

/// Where a finished report goes besides the terminal: `--report-dir` and `$GITHUB_STEP_SUMMARY`.
enum ReportOutput {
    /// Refuses a `--report-dir` that cannot be written, before anything runs.
    static func check(_ reportDir: String?) throws {
        try OutputPath.checkFolder(reportDir, option: "--report-dir", files: ReportWriter.fileNames)
    }

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
        if let warning = ReportWriter.appendStepSummary(report, to: summary) {
            Terminal.error("greenlight: warning: \(warning)")
        }
    }
}
