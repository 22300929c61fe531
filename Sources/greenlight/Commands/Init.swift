import ArgumentParser
import Foundation
import GreenlightCore

extension Greenlight {
    struct Init: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "init",
            abstract: "Write a commented starter release.yaml, or the CI pipeline that runs the gate.",
            discussion: """
                The starter spec validates as written; edit the URLs, the checks and the risk to fit your \
                service. An existing file is never overwritten unless you pass --force.

                  greenlight init --service checkout
                  greenlight init --service checkout --output - | less

                --ci github writes .github/workflows/greenlight.yml, --ci gitlab writes .gitlab-ci.yml: \
                validate on every push, check (the report as an artifact, report.md on the job page, \
                junit.xml for GitLab's Tests tab), then on the default branch the sign-offs collected, the \
                gate, your deploy and the canary rollout. The jobs share the ledger through the secret \
                GREENLIGHT_LEDGER (with GREENLIGHT_TOKEN for the team server); docs/ci.md explains each job.

                  greenlight init --ci github
                  greenlight init --ci gitlab --spec deploy/release.yaml
                  greenlight init --ci github --output - | less
                """
        )

        @Option(help: ArgumentHelp("The service's name (default: my-service).", valueName: "name"))
        var service: String?

        @Option(
            help: ArgumentHelp(
                "Write the CI pipeline that runs the gate, for github or gitlab, instead of a spec.",
                valueName: "provider"))
        var ci: CIPipeline?

        @Option(help: ArgumentHelp("With --ci: the spec the pipeline runs (default: release.yaml).", valueName: "file"))
        var spec: String?

        @Option(
            name: .shortAndLong,
            help: ArgumentHelp(
                "Where to write; - for standard output (default: release.yaml; with --ci github .github/workflows/greenlight.yml, with --ci gitlab .gitlab-ci.yml).",
                valueName: "file"))
        var output: String?

        @Flag(help: "Overwrite the output file if it exists.")
        var force = false

        func validate() throws {
            if let service, StringFormat.identifier.check(service) != nil {
                throw ValidationError(
                    "--service '\(service)': a service name holds ASCII letters (a-z, A-Z), digits, '.', '_' or '-', starting with a letter or digit."
                )
            }
            if ci != nil, service != nil {
                throw ValidationError(
                    "--service goes with the starter spec; a pipeline (--ci) reads the service from the spec it runs (--spec)."
                )
            }
            if ci == nil, spec != nil {
                throw ValidationError("--spec goes with --ci github|gitlab: the spec the pipeline runs.")
            }
            if let spec, let problem = CIPipeline.specProblem(spec) {
                throw ValidationError("--spec '\(spec)': \(problem).")
            }
        }

        func run() async throws {
            if let ci {
                let spec = spec ?? "release.yaml"
                let output = output ?? ci.defaultOutput
                guard try write(ci.text(spec: spec), to: output) else { return }
                var next =
                    "wrote \(output), the \(ci == .github ? "GitHub Actions workflow" : "GitLab CI pipeline") that gates \(spec). Next: set GREENLIGHT_LEDGER (\(ci.secretsPlace)), then commit it; docs/ci.md explains each job."
                if !FileManager.default.fileExists(atPath: spec) {
                    next += " There is no \(spec) yet: `greenlight init --service NAME --output \(spec)` writes one."
                }
                Terminal.out(next)
                return
            }
            let service = service ?? "my-service"
            let output = output ?? "release.yaml"
            guard try write(StarterSpec.text(service: service), to: output) else { return }
            Terminal.out(
                "wrote \(output) for service \(service). Next: edit it, then run `greenlight validate \(output)` and `greenlight check \(output)`."
            )
        }

        /// Writes `text` to `output` (creating its folders), or to standard output for `-`; false when it
        /// went to standard output. Exits 2 rather than overwrite a file without --force.
        private func write(_ text: String, to output: String) throws -> Bool {
            if output == "-" {
                Terminal.out(text)
                return false
            }
            var isDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: output, isDirectory: &isDirectory)
            if exists, !force, !isDirectory.boolValue {
                Terminal.error(
                    "greenlight: \(output) already exists; nothing was written. Pass --force to overwrite it, or --output another file."
                )
                throw ExitCode(ExitStatus.invalidInput)
            }
            if let problem = PathCheck.fileProblem(output) {
                Terminal.error("greenlight: cannot write \(output): \(problem)")
                throw ExitCode(ExitStatus.invalidInput)
            }
            do {
                let folder = URL(fileURLWithPath: output).deletingLastPathComponent()
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                try Data(text.utf8).write(to: URL(fileURLWithPath: output))
            } catch {
                Terminal.error("greenlight: \(OutputPath.writeFailure(output, error))")
                throw ExitCode(ExitStatus.invalidInput)
            }
            return true
        }
    }
}
