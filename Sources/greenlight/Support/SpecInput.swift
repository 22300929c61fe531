import ArgumentParser
import Foundation
import GreenlightCore
import GreenlightGate
import GreenlightReports

/// The options every command that reads a spec shares.
struct SpecOptions: ParsableArguments {
    @Argument(
        help: ArgumentHelp("The release spec to read.", valueName: "file"),
        completion: .file(extensions: ["yaml", "yml"]))
    var file: String

    @Option(
        name: .long,
        help: ArgumentHelp(
            "A risk policy file overriding the built-in policy (see `greenlight risk --show-policy`).",
            valueName: "file"))
    var policy: String?

    /// Loads the policy and the spec, printing every problem and exiting 2 when either is invalid.
    func load() throws -> (ReleaseSpec, RiskPolicy) {
        try SpecInput.load(file: file, policy: policy)
    }
}

enum SpecInput {
    /// Loads the policy, then the spec under it; prints every problem and exits 2 when either is invalid.
    static func load(file: String, policy path: String?) throws -> (ReleaseSpec, RiskPolicy) {
        let policy = try self.policy(path)
        do {
            let spec = try SpecLoader(policy: policy).load(file: file)
            return (spec, policy)
        } catch {
            report(error, for: file)
            throw ExitCode(ExitStatus.invalidInput)
        }
    }

    static func policy(_ path: String?) throws -> RiskPolicy {
        guard let path else { return .standard }
        do {
            return try RiskPolicy.load(file: path)
        } catch {
            report(error, for: path)
            throw ExitCode(ExitStatus.invalidInput)
        }
    }

    /// Prints every diagnostic as `file:line:col: path: message`, with the source line on a terminal.
    static func report(_ error: SpecError, for file: String) {
        Terminal.rendered(
            toStderr: DiagnosticRenderer.render(
                error, file: file, sourceLines: Terminal.stderrIsTTY ? sourceLines(file) : [],
                color: Terminal.colorEnabled(forStderr: true)))
    }

    private static func sourceLines(_ file: String) -> [String] {
        guard let data = FileManager.default.contents(atPath: file), let text = String(validating: data, as: UTF8.self)
        else { return [] }
        return text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }
}

extension GateError {
    /// Prints the message; exits 2 for input the user can fix, 1 for a failure while running.
    func exit() -> ExitCode {
        Terminal.error("greenlight: \(message)")
        return ExitCode(isInput ? ExitStatus.invalidInput : ExitStatus.notReady)
    }
}
