import Foundation
import GreenlightCore

/// Prometheus' own checker: `promtool check rules FILE…` (syntax, PromQL, templates) and
/// `promtool test rules FILE…` (the unit tests of the rules).
public struct Promtool: Sendable {
    public var executable: String
    public var timeout: Duration

    public init(executable: String, timeout: Duration = .seconds(60)) {
        self.executable = executable
        self.timeout = timeout
    }

    /// promtool as found on `PATH`; nil when it is not there.
    public static func onPath() -> Promtool? {
        ToolRun.find("promtool").map { Promtool(executable: $0) }
    }

    /// What one promtool command said.
    public struct Outcome: Sendable, Hashable {
        /// The command as run, such as `promtool check rules rules.yml`.
        public var command: String
        public var passed: Bool
        /// Why it failed in a few words (`exit 1`, `did not finish within 60 s`), nil when it passed.
        public var failure: String?
        /// What it printed.
        public var lines: [String]
    }

    /// `promtool check rules` on `files` (absolute paths, or relative to this process's folder).
    public func checkRules(_ files: [String], shownAs shown: [String]? = nil) async -> Outcome {
        await run(["check", "rules"], files, shown: shown ?? files)
    }

    /// `promtool test rules` on `files`; each test file names its rule files relative to its own folder.
    public func testRules(_ files: [String], shownAs shown: [String]? = nil) async -> Outcome {
        await run(["test", "rules"], files, shown: shown ?? files)
    }

    private func run(_ subcommand: [String], _ files: [String], shown: [String]) async -> Outcome {
        let command = (["promtool"] + subcommand + shown).joined(separator: " ")
        var outcome = await ToolRun(executable: executable, arguments: subcommand + files, timeout: timeout).run()
        // promtool names the files as it was given them; name them as the spec does.
        for (file, name) in zip(files, shown).sorted(by: { $0.0.count > $1.0.count }) where file != name {
            outcome.output = outcome.output.replacingOccurrences(of: file, with: name)
        }
        if let launchError = outcome.launchError {
            return Outcome(command: command, passed: false, failure: launchError, lines: [])
        }
        if outcome.timedOut {
            let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
            return Outcome(
                command: command, passed: false, failure: "did not finish within \(Format.duration(seconds)); stopped",
                lines: outcome.lines)
        }
        guard let code = outcome.exitCode else {
            return Outcome(command: command, passed: false, failure: "was killed", lines: outcome.lines)
        }
        return Outcome(
            command: command, passed: code == 0, failure: code == 0 ? nil : "exit \(code)", lines: outcome.lines)
    }
}
