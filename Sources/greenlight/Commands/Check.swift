import ArgumentParser
import Foundation
import GreenlightCore
import GreenlightGate
import GreenlightLoad
import GreenlightReports

extension Greenlight {
    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check",
            abstract: "Run the readiness gate: GO or NO-GO.",
            discussion: """
                Validates the spec, collects the evidence of the checklist, applies waivers, assesses the \
                risk and compares the declared rollout with what the risk class requires. A required item \
                that nothing checked is "not run", and not run means NO-GO.

                  greenlight check release.yaml
                  greenlight check release.yaml --env staging --report-dir out
                  greenlight check release.yaml --load-result load.json

                A spec with a load section runs its load test against the environment (at least 5m by the \
                built-in policy). --load-result judges a result recorded earlier instead, such as slices \
                run on several machines and merged with `greenlight load merge`.

                The report is recorded in the release ledger (.greenlight/ledger.sqlite beside the spec, \
                --ledger or GREENLIGHT_LEDGER for another; --no-record to skip), where sign-offs bind to its \
                digest and `greenlight gate` finds it.

                --report-dir writes report.json (versioned schema, with the digest sign-offs bind to), \
                report.md (also appended to $GITHUB_STEP_SUMMARY when set), junit.xml and report.html.

                Exit codes: 0 GO, 1 NO-GO, 2 invalid input or usage, 130 or 143 interrupted by SIGINT \
                (Ctrl-C) or SIGTERM.
                """
        )

        @OptionGroup var spec: SpecOptions

        @Option(
            name: .long,
            help: ArgumentHelp("The environment to check (default: staging, if the spec has one).", valueName: "name"))
        var env: String?

        @Option(
            name: .long,
            help: ArgumentHelp("Write report.json, report.md, junit.xml and report.html here.", valueName: "dir"))
        var reportDir: String?

        @Option(
            name: .customLong("load-result"),
            help: ArgumentHelp(
                "Judge this recorded load result (greenlight load --out / load merge) instead of running the load test.",
                valueName: "file"))
        var loadResult: String?

        @OptionGroup var ledger: LedgerOptions

        @Flag(help: "Do not record the report in the release ledger.")
        var noRecord = false

        @Flag(name: .shortAndLong, help: "Print only the verdict line.")
        var quiet = false

        @Flag(help: "Print the report as JSON instead of the summary.")
        var json = false

        func validate() throws {
            try ReportOutput.check(reportDir)
            if !noRecord { try ledger.checkNew() }
        }

        func run() async throws {
            let (spec, policy) = try self.spec.load()
            let environment: String?
            do {
                environment = try spec.targetEnvironment(env)
            } catch {
                throw error.exit()
            }
            let showProgress = !quiet && !json
            var run = ReadinessRun(spec: spec, policy: policy, environment: environment)
            if showProgress {
                run.progress = { Terminal.progress($0) }
                run.loadProgress = { Terminal.progress("load test: " + $0.line) }
            }
            if let loadResult {
                guard spec.load != nil else {
                    throw GateError("--load-result: \(self.spec.file) has no load section to judge it by").exit()
                }
                do {
                    run.loadResult = try LoadResult.read(loadResult)
                } catch {
                    throw GateError("--load-result: \(error)").exit()
                }
            }
            let report: Report
            do {
                report = try await run.run()
            } catch {
                if showProgress { Terminal.clearProgress() }
                throw error.exit()
            }
            if showProgress { Terminal.clearProgress() }
            try ReportOutput.write(report, to: reportDir, announce: !quiet && !json)
            if !noRecord {
                let announce = !quiet && !json
                try await ledger.with(besideSpec: self.spec.file, create: true) { open in
                    let record = try await open.ledger.record(
                        report: report, specRoles: spec.signoff?.required ?? [],
                        forbidAuthorApproval: spec.signoff?.forbidAuthorApproval ?? true)
                    if announce {
                        Terminal.error(
                            "recorded report \(report.digest ?? report.computeDigest()) in \(open.location) (record \(record.sequence))"
                        )
                    }
                }
            }
            if json {
                Terminal.out(String(decoding: report.json(), as: UTF8.self))
            } else {
                Terminal.out(TerminalRenderer.render(report, color: Terminal.colorEnabled(), quiet: quiet))
            }
            if !report.isGo { throw ExitCode(ExitStatus.notReady) }
        }
    }
}
