import ArgumentParser
import Foundation
import GreenlightCanary
import GreenlightCore
import GreenlightDemo
import GreenlightGate
import GreenlightLedger
import GreenlightReports
import GreenlightServer

extension Greenlight {
    struct Demo: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "demo",
            abstract: "Run the whole gate against DemoShop, the embedded sample service.",
            discussion: """
                Starts DemoShop twice on free loopback ports (as staging and as production), runs the \
                gate with a release spec built into greenlight, prints the report and stops the shops. \
                Then the report goes into a release ledger, three demo signers (engineering, product, SRE) \
                sign off on its digest with their own Ed25519 keys, and `gate` decides. Nothing else needs \
                to run.

                  greenlight demo                 a ready release: GO
                  greenlight demo --broken        a regressed, drifted release: NO-GO, and why
                  greenlight demo --print-spec    the spec the demo runs (and --print-policy)
                  greenlight demo --serve         then serve the demo's ledger (API, dashboard)
                                                  on http://127.0.0.1:8080/ until Ctrl-C
                  greenlight demo --ledger demo.sqlite    keep the demo's ledger, then:
                  greenlight ledger verify --ledger demo.sqlite
                  greenlight demo shop --port 8080 --version v2 \\
                      --error-rate 0.05 --added-latency 80ms
                """,
            subcommands: [Run.self, Shop.self],
            defaultSubcommand: Run.self
        )
    }
}

extension Greenlight.Demo {
    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "run", abstract: "Run the gate against DemoShop (the default).")

        @Flag(help: "Show a NO-GO: staging runs v2 with a regression, production's configuration drifted.")
        var broken = false

        @Flag(help: "Print the demo's release spec and exit.")
        var printSpec = false

        @Flag(help: "Print the demo's policy file (the built-in one with a 4 s load minimum) and exit.")
        var printPolicy = false

        @Option(help: ArgumentHelp("Write report.json, report.md, junit.xml and report.html here.", valueName: "dir"))
        var reportDir: String?

        @Option(
            help: ArgumentHelp(
                "Keep the demo's release ledger in this new SQLite file (default: a throwaway one).", valueName: "path")
        )
        var ledger: String?

        @Flag(name: .shortAndLong, help: "Print only the verdict line.")
        var quiet = false

        @Flag(help: "After the GO, roll out a healthy v2: it is promoted to 100 %.")
        var goodCanary = false

        @Flag(help: "Stop after the gate: no canary rollout.")
        var noCanary = false

        @Flag(
            help:
                "Serve the demo's ledger with greenlight serve (API and dashboard) from the sign-offs on, and keep it running after the demo until Ctrl-C."
        )
        var serve = false

        @Option(help: ArgumentHelp("The port for --serve (127.0.0.1; 0 picks a free one).", valueName: "port"))
        var servePort = 8080

        func validate() throws {
            try ReportOutput.check(reportDir)
            try OutputPath.checkFile(ledger, option: "--ledger")
            if let ledger, FileManager.default.fileExists(atPath: ledger) {
                throw ValidationError(
                    "--ledger \(ledger) exists; the demo writes a new ledger (remove it, or name another file).")
            }
        }

        func run() async throws {
            if printPolicy {
                Terminal.out(DemoRelease.policyYAML)
                return
            }
            if printSpec {
                Terminal.out(
                    DemoRun.spec(
                        stagingPort: 8080, productionPort: 8081, stagingPID: Int(getpid()), today: CalendarDate(Date()))
                )
                return
            }
            let show = !quiet && Terminal.stderrIsTTY
            var demo = DemoRun(executable: Bundle.main.executablePath ?? CommandLine.arguments[0])
            demo.broken = broken
            demo.notice = { note in
                Terminal.clearProgress()
                Terminal.error(note)
            }
            if show {
                demo.progress = { Terminal.progress($0) }
                demo.loadProgress = { Terminal.progress("load test: " + $0.line) }
            }
            let report: Report
            do {
                report = try await demo.run()
            } catch {
                Terminal.clearProgress()
                throw error.exit()
            }
            if show { Terminal.clearProgress() }
            try ReportOutput.write(report, to: reportDir, announce: !quiet)
            Terminal.out(TerminalRenderer.render(report, color: Terminal.colorEnabled(), quiet: quiet))
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
                "greenlight-demo-ledger-\(UUID().uuidString)")
            let leftover = Leftovers.add { try? FileManager.default.removeItem(at: folder) }
            defer {
                try? FileManager.default.removeItem(at: folder)
                Leftovers.forget(leftover)
            }
            try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let path = ledger ?? folder.appendingPathComponent("ledger.sqlite").path
            let (gateOpen, admin) = try await signOff(report, path: path)
            let server = serve ? try await startServer(path: path, admin: admin) : nil
            var status: Int32 = 0
            if !report.isGo || !gateOpen {
                status = ExitStatus.notReady
            } else if !noCanary, try await !canary(path: path) {
                status = ExitStatus.notReady
            }
            if let server {
                Terminal.error(
                    "\ngreenlight serve is still running: \(server.baseURL)/ (the demo's ledger); Ctrl-C stops it")
                let stopped = AsyncStream<Void>.makeStream()
                Interrupts.onFirstSignal { _ in stopped.continuation.yield() }
                var signals = stopped.stream.makeAsyncIterator()
                _ = await signals.next()
                await server.stop()
            }
            if status != 0 { throw ExitCode(status) }
        }

        /// `--serve`: the team server on the demo's ledger, with a token for its SRE signer to sign in with.
        private func startServer(path: String, admin: SigningKey) async throws -> RunningTeamServer {
            do {
                let store = try SQLiteLedgerStore(path: path)
                let ledger = ReleaseLedger(store: store)
                let sre = DemoSignOff.signers.first { $0.role == "sre" }!.name
                let token = try await ledger.issueToken(
                    signer: sre, admin: admin, expires: Date().addingTimeInterval(86_400)
                ).text
                var server: RunningTeamServer
                do {
                    server = try await TeamServer(
                        store: store, configuration: .init(host: "127.0.0.1", port: servePort, log: nil)
                    ).start()
                } catch  where servePort != 0 {
                    server = try await TeamServer(
                        store: store, configuration: .init(host: "127.0.0.1", port: 0, log: nil)
                    ).start()
                }
                Terminal.out(
                    """

                    Dashboard: \(server.baseURL)/ (API: \(server.baseURL)/api/v1, docs/openapi.yaml)
                      sign in as \(sre) (sre) with the token: \(token)
                      or from a shell: export GREENLIGHT_LEDGER=\(server.baseURL) GREENLIGHT_TOKEN=\(token)
                    """)
                return server
            } catch {
                throw GateError("the demo's server could not start: \(error)", isInput: false).exit()
            }
        }

        /// After the GO: v2 as a canary behind the router; true when the rollout ended as it should (a bad
        /// canary rolled back, a good one promoted).
        private func canary(path: String) async throws -> Bool {
            let show = !quiet
            if show {
                Terminal.out(
                    "\nCanary: DemoShop v2 \(goodCanary ? "(healthy)" : "(5 % of product and order requests fail, 80 ms slower)") "
                        + "behind greenlight's router, steps \(DemoCanary.steps.map { "\(Format.number($0)) %" }.joined(separator: " → "))"
                )
            }
            let store: SQLiteLedgerStore
            do {
                store = try SQLiteLedgerStore(path: path)
            } catch {
                throw GateError("the demo's ledger cannot be opened again: \(error)", isInput: false).exit()
            }
            var demo = DemoCanary(store: store)
            demo.good = goodCanary
            let printer = RolloutPrinter(
                json: false,
                plan: RolloutPlan(steps: DemoCanary.steps, bake: .seconds(3), interval: .seconds(1), metrics: []))
            if show { demo.progress = { printer.show($0) } }
            let outcome: DemoCanary.Outcome
            do {
                outcome = try await demo.run()
            } catch {
                throw GateError("the demo's canary failed: \(error)", isInput: false).exit()
            }
            let expected: Bool
            switch outcome.outcome {
            case .promoted: expected = goodCanary
            case .rolledBack: expected = !goodCanary
            case .failed: expected = false
            }
            Terminal.out(
                String(
                    format: "canary: %@ after %.1f s; %llu requests, %llu failed on the canary (%.3f %% of all)",
                    Self.describe(outcome.outcome), outcome.seconds, outcome.requests, outcome.canaryFailures,
                    outcome.damage * 100))
            return expected
        }

        static func describe(_ outcome: RolloutOutcome) -> String {
            switch outcome {
            case .promoted: return "promoted to 100 %"
            case .rolledBack(_, let seconds):
                return String(format: "rolled back (weight 0 %.2f s after the failing interval)", seconds)
            case .failed(let reason): return "failed: \(reason)"
            }
        }

        /// Records the report in a ledger, has the demo signers approve it, and prints what the gate says.
        /// Returns whether the gate opened, and the demo ledger's admin key.
        private func signOff(_ report: Report, path: String) async throws -> (Bool, SigningKey) {
            let outcome: DemoSignOff.Outcome
            do {
                let store = try SQLiteLedgerStore(path: path)
                outcome = try await DemoSignOff.run(
                    report: report, specRoles: DemoSignOff.signers.map(\.role), store: store)
            } catch {
                throw GateError("the demo's sign-off failed: \(error)", isInput: false).exit()
            }
            if quiet {
                Terminal.out("gate: \(outcome.decision.isOpen ? "OPEN" : "CLOSED")")
                return (outcome.decision.isOpen, outcome.admin)
            }
            var lines = [
                "",
                "Sign-off: report recorded in \(ledger ?? "a throwaway ledger (--ledger FILE keeps it)") (record \(outcome.reportRecord.sequence))",
            ]
            for record in outcome.signOffs { lines.append("  #\(record.sequence) \(HistoryLine.summary(record))") }
            lines.append("")
            lines.append(Greenlight.GateCommand.render(outcome.decision, attestation: nil, requested: nil))
            Terminal.out(lines.joined(separator: "\n"))
            return (outcome.decision.isOpen, outcome.admin)
        }
    }

    struct Shop: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "shop",
            abstract: "Run DemoShop alone, in the foreground, until interrupted.",
            discussion: """
                  greenlight demo shop --port 8080
                  greenlight demo shop --port 8081 --version v2 \\
                      --error-rate 0.05 --added-latency 80ms
                """)

        @Option(help: "The port to listen on (127.0.0.1); 0 picks a free one.")
        var port = 8080

        @Option(help: "v1 (healthy) or v2 (carries the regression below).")
        var version = "v1"

        @Option(help: "v2: the share of requests on regressed routes that answer 500, 0 to 1.")
        var errorRate = 0.0

        @Option(help: ArgumentHelp("v2: extra latency on regressed routes, such as 80ms.", valueName: "duration"))
        var addedLatency = "0ms"

        @Option(help: ArgumentHelp("Path prefixes the regression applies to (repeatable).", valueName: "prefix"))
        var route: [String] = []

        @Option(help: ArgumentHelp("Append JSON log lines to this file.", valueName: "file"))
        var log: String?

        /// Set by `greenlight demo` for its staging shop: stdin is a pipe that closes when the demo ends,
        /// however it ends (SIGKILL included), and the shop must not outlive it.
        @Flag(help: .hidden)
        var exitOnStdinClose = false

        func validate() throws {
            guard (0...65535).contains(port) else { throw ValidationError("--port must be 0 to 65535, got \(port).") }
            guard ["v1", "v2"].contains(version) else {
                throw ValidationError("--version must be v1 or v2, got '\(version)'.")
            }
            guard (0...1).contains(errorRate) else {
                throw ValidationError("--error-rate must be from 0 to 1, got \(errorRate).")
            }
            guard SpecDuration(addedLatency) != nil else {
                throw ValidationError("--added-latency must be a duration such as 80ms or 1s, got '\(addedLatency)'.")
            }
        }

        func run() async throws {
            var config = DemoShopConfiguration()
            config.port = port
            config.version = version
            config.errorRate = errorRate
            config.addedLatency = .milliseconds(Int64((SpecDuration(addedLatency)?.seconds ?? 0) * 1000))
            if !route.isEmpty { config.regressedRoutes = route }
            config.logPath = log
            let version = self.version
            if exitOnStdinClose { Self.exitWhenStdinCloses() }
            // DemoShop shuts down gracefully on SIGINT and SIGTERM itself; then the exit code says which.
            Interrupts.onFirstSignal { _ in }
            try await DemoShop.run(config) { port in
                Terminal.error("DemoShop \(version) on http://127.0.0.1:\(port); Ctrl-C stops it")
            }
            if let signal = Interrupts.received { throw ExitCode(Interrupts.exitStatus(signal)) }
        }

        /// Exits as soon as stdin reaches its end (or fails), watching it on a thread of its own.
        static func exitWhenStdinCloses() {
            Thread {
                var byte: UInt8 = 0
                while true {
                    let count = read(STDIN_FILENO, &byte, 1)
                    if count == 0 || (count < 0 && errno != EINTR) { break }
                }
                Foundation.exit(Interrupts.exitStatus(SIGTERM))  // as if terminated: what it was there for is gone
            }.start()
        }
    }
}
