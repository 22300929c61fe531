import ArgumentParser
import Foundation
import GreenlightCore

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
        let color = Terminal.colorEnabled(forStderr: true)
        let lines = Terminal.stderrIsTTY ? sourceLines(file) : []
        for diagnostic in error.diagnostics {
            var text = diagnostic.description
            if color {
                text =
                    "\u{1B}[1m\(diagnostic.location):\u{1B}[0m \u{1B}[31merror:\u{1B}[0m "
                    + text.dropFirst(diagnostic.location.description.count + 2)
            }
            Terminal.error(text)
            let index = diagnostic.location.line - 1
            if index >= 0, index < lines.count, diagnostic.location.file == file {
                let line = lines[index]
                Terminal.error("    " + line)
                let before = line.unicodeScalars.prefix(max(0, diagnostic.location.column - 1))
                let pad = String(String.UnicodeScalarView(before.map { $0 == "\t" ? "\t" : " " }))
                Terminal.error("    " + pad + (color ? "\u{1B}[32m^\u{1B}[0m" : "^"))
            }
        }
        let count = error.diagnostics.count
        Terminal.error("\(file): \(count) problem\(count == 1 ? "" : "s"); nothing was run")
    }

    private static func sourceLines(_ file: String) -> [String] {
        guard let data = FileManager.default.contents(atPath: file), let text = String(validating: data, as: UTF8.self)
        else { return [] }
        return text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }
}
