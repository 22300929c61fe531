import ArgumentParser
import GreenlightCore
import GreenlightGate
import GreenlightReports

extension Greenlight {
    struct Validate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "validate",
            abstract: "Check a release spec without running anything.",
            discussion: """
                Reads the spec, substitutes ${VAR} and ${VAR:-default} from the environment, and checks \
                every field. All problems are reported at once, each as file:line:col: field: message. \
                Values that came from the environment are never printed.

                Exit codes: 0 valid, 2 invalid.
                """
        )

        @OptionGroup var spec: SpecOptions

        @Flag(name: .shortAndLong, help: "Print nothing when the spec is valid.")
        var quiet = false

        func run() async throws {
            let (spec, _) = try self.spec.load()
            guard !quiet else { return }
            var parts: [String] = []
            parts.append(
                "\(Format.count(spec.checklist.custom.count, "custom checklist item"))")
            if let smoke = spec.smoke {
                parts.append("\(Format.count(smoke.scenarios.count, "smoke scenario"))")
            }
            if !spec.dependencies.isEmpty {
                parts.append("\(Format.count(spec.dependencies.count, "dependency", "dependencies"))")
            }
            if !spec.checklist.waivers.isEmpty {
                parts.append("\(Format.count(spec.checklist.waivers.count, "waiver"))")
            }
            let line =
                "\(self.spec.file): valid: \(spec.service.name) \(spec.service.version); "
                + parts.joined(separator: ", ")
            Terminal.out(TerminalText.clean(RedactionBoundary(spec: spec).text(line)))
        }
    }
}
