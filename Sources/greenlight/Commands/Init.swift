import ArgumentParser
import Foundation
import GreenlightCore

extension Greenlight {
    struct Init: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "init",
            abstract: "Write a commented starter release.yaml.",
            discussion: """
                The starter spec validates as written; edit the URLs, the checks and the risk to fit your \
                service. An existing file is never overwritten unless you pass --force.

                  greenlight init --service checkout
                  greenlight init --service checkout --output - | less
                """
        )

        @Option(help: ArgumentHelp("The service's name.", valueName: "name"))
        var service = "my-service"

        @Option(
            name: .shortAndLong,
            help: ArgumentHelp("Where to write the spec; - for standard output.", valueName: "file"))
        var output = "release.yaml"

        @Flag(help: "Overwrite the output file if it exists.")
        var force = false

        func validate() throws {
            if StringFormat.identifier.check(service) != nil {
                throw ValidationError(
                    "--service '\(service)': a service name holds ASCII letters (a-z, A-Z), digits, '.', '_' or '-', starting with a letter or digit."
                )
            }
        }

        func run() async throws {
            let text = StarterSpec.text(service: service)
            if output == "-" {
                Terminal.out(text)
                return
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
                try Data(text.utf8).write(to: URL(fileURLWithPath: output))
            } catch {
                Terminal.error("greenlight: \(OutputPath.writeFailure(output, error))")
                throw ExitCode(ExitStatus.invalidInput)
            }
            Terminal.out(
                "wrote \(output) for service \(service). Next: edit it, then run `greenlight validate \(output)` and `greenlight check \(output)`."
            )
        }
    }
}
