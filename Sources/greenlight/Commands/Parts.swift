import ArgumentParser
import GreenlightCore
import GreenlightGate
import GreenlightReports

/// `greenlight smoke | deps | parity FILE`: one part of the gate alone, its checks printed, exit 0 or 1.
struct PartRun {
    var spec: SpecOptions
    var env: String?
    var part: ReadinessRun.Part
    var noun: String

    func run() async throws {
        let (spec, policy) = try self.spec.load()
        let checks: [CheckResult]
        do {
            var run = ReadinessRun(spec: spec, policy: policy, environment: try spec.targetEnvironment(env))
            run.progress = { Terminal.progress($0) }
            checks = try await run.checks(of: part)
        } catch {
            Terminal.clearProgress()
            throw error.exit()
        }
        Terminal.clearProgress()
        guard !checks.isEmpty else {
            let needsEnvironment =
                (part == .smoke && spec.smoke != nil) || (part == .observability && spec.observability != nil)
            let reason =
                needsEnvironment
                ? "declares no environment to run the \(noun) against" : "declares no \(noun) to check"
            throw GateError("\(self.spec.file) \(reason)").exit()
        }
        Terminal.out(CheckListRenderer.render(checks, color: Terminal.colorEnabled()))
        if checks.contains(where: \.blocks) { throw ExitCode(ExitStatus.notReady) }
    }
}

extension Greenlight {
    struct Smoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "smoke", abstract: "Run the spec's smoke scenarios against one environment.",
            discussion:
                "  greenlight smoke release.yaml --env staging\n\nExit codes: 0 all pass, 1 a scenario failed, 2 invalid input."
        )
        @OptionGroup var spec: SpecOptions
        @Option(
            help: ArgumentHelp(
                "The environment to run against (default: staging, if the spec has one).", valueName: "name"))
        var env: String?
        func run() async throws { try await PartRun(spec: spec, env: env, part: .smoke, noun: "smoke scenarios").run() }
    }

    struct Deps: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "deps", abstract: "Check the spec's dependencies: DNS, TCP, TLS, HTTP, PostgreSQL, Redis.",
            discussion:
                "  greenlight deps release.yaml\n\nExit codes: 0 all pass, 1 a dependency failed, 2 invalid input.")
        @OptionGroup var spec: SpecOptions
        func run() async throws {
            try await PartRun(spec: spec, env: nil, part: .dependencies, noun: "dependencies").run()
        }
    }

    struct Observe: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "observe",
            abstract: "Check that the service can be watched: metrics, logs, traces, health and the alert path.",
            discussion: """
                Runs the checks of the spec's observability section against one environment: the \
                metrics endpoint and the families it must expose (and move), structured logs and the \
                diagnosis test (a failing request found in the logs by greenlight's trace id), trace \
                propagation, health within its budget, the alert rules, and a test alert through \
                Alertmanager to the receiver that must be paged. Together they decide the \
                monitoring-hooks checklist item of `greenlight check`.

                  greenlight observe release.yaml --env staging

                Exit codes: 0 all pass, 1 a check failed, 2 invalid input.
                """)
        @OptionGroup var spec: SpecOptions
        @Option(
            help: ArgumentHelp(
                "The environment to check (default: staging, if the spec has one).", valueName: "name"))
        var env: String?
        func run() async throws {
            try await PartRun(spec: spec, env: env, part: .observability, noun: "observability section").run()
        }
    }

    struct Parity: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "parity", abstract: "Compare the environments parity.compare names, key by key.",
            discussion:
                "  greenlight parity release.yaml\n\nExit codes: 0 no undeclared drift, 1 drift, 2 invalid input.")
        @OptionGroup var spec: SpecOptions
        func run() async throws {
            try await PartRun(spec: spec, env: nil, part: .parity, noun: "parity comparison").run()
        }
    }
}
