import ArgumentParser
import Foundation
import GreenlightCore

@main
struct Greenlight: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "greenlight",
        abstract: "Prove a release is ready for production, then ship it safely.",
        discussion: """
            A release is described in one file, release.yaml. greenlight validates it, runs the \
            readiness checks, assesses the risk, and decides GO or NO-GO.

            Start here:
              greenlight init --service checkout     write a commented release.yaml
              greenlight validate release.yaml       check the spec (errors: file:line:col)
              greenlight check release.yaml --report-dir out

            Exit codes: 0 ready (GO) or success, 1 not ready (NO-GO), 2 invalid input or usage, \
            130 or 143 interrupted by SIGINT (Ctrl-C) or SIGTERM.
            """,
        version: GreenlightVersion.current,
        subcommands: [
            Init.self, Validate.self, Schema.self, Check.self, Smoke.self, Deps.self, Parity.self, Observe.self,
            Load.self, Risk.self, LedgerCommand.self, KeyCommand.self, SignerCommand.self, SignOffCommand.self,
            GateCommand.self, TokenCommand.self, ServeCommand.self, RouterCommand.self, FlagCommand.self,
            JudgeCommand.self, RolloutCommand.self, Demo.self,
        ]
    )

    /// Runs the command line with greenlight's exit codes: usage errors exit 2, not ArgumentParser's 64.
    static func main() async {
        await Interrupts.install()
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if code == .success {
                // Help and the version go through the checked write: a full stdout is an error (exit 1).
                if !message.isEmpty { Terminal.out(message) }
                Foundation.exit(0)
            }
            if !message.isEmpty { Terminal.error(message) }
            Foundation.exit(code == .validationFailure ? ExitStatus.invalidInput : code.rawValue)
        }
    }
}

/// greenlight's exit codes.
enum ExitStatus {
    static let ready: Int32 = 0
    static let notReady: Int32 = 1
    static let invalidInput: Int32 = 2
}
