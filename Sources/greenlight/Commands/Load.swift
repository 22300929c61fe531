import ArgumentParser
import Foundation
import GreenlightCore
import GreenlightGate
import GreenlightLoad
import GreenlightProbes
import GreenlightReports
import Synchronization

extension Greenlight {
    struct Load: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "load",
            abstract: "Load-test a service: the spec's load section at 3x peak, or one URL like wrk and k6.",
            discussion: """
                With a spec, runs its load section against an environment (default staging): the rate is \
                traffic.expected_peak_rps x load.multiplier, sustained for load.duration, the traffic the \
                mix of requests and smoke scenarios (sessions that sign in, browse and buy), with data \
                from load.data, the target's CPU, memory and I/O watched, and the thresholds judged.

                  greenlight load release.yaml
                  greenlight load release.yaml --duration 30s --out load.json
                        a shorter rehearsal, its result written for merge or check

                Without a spec, one URL:
                  greenlight load --url http://127.0.0.1:8080/ --rate 5000 --duration 30s
                        open model: 5,000 requests start every second, whatever the
                        response times; latency counts from each request's intended
                        start (no coordinated omission)
                  greenlight load --url http://127.0.0.1:8080/ --connections 64 --duration 10s
                        closed model: 64 connections, each sending its next request
                        when the last response arrives

                Beyond one machine, run slices and merge them exactly (see docs/load-distributed.md):
                  greenlight load release.yaml --shard 1/4 --out slice-1.json     (… up to 4/4)
                  greenlight load merge slice-*.json --out load.json
                  greenlight check release.yaml --load-result load.json

                Ctrl-C (or SIGTERM) stops the run early: the summary is printed and --out written, marked \
                stopped early, and the exit code is 130 (143). A second Ctrl-C quits at once.

                Exit codes: 0 every threshold held, 1 a threshold failed or the target was unreachable, \
                2 invalid input or usage, 130 or 143 stopped by SIGINT or SIGTERM.
                """,
            subcommands: [LoadRun.self, LoadMerge.self],
            defaultSubcommand: LoadRun.self
        )
    }

    struct LoadRun: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "run", abstract: "Run a load test (the default: `greenlight load …` runs this).")

        @Argument(
            help: ArgumentHelp("The release spec whose load section to run (or give --url).", valueName: "file"),
            completion: .file(extensions: ["yaml", "yml"]))
        var file: String?

        @Option(
            help: ArgumentHelp("The spec's environment to load (default: staging, if it has one).", valueName: "name"))
        var env: String?

        @Option(help: ArgumentHelp("A risk policy file overriding the built-in policy.", valueName: "file"))
        var policy: String?

        @Option(help: ArgumentHelp("Load this URL instead of a spec.", valueName: "url"))
        var url: String?

        @Option(help: ArgumentHelp("Requests per second to start (open model); without it, closed.", valueName: "n"))
        var rate: Double?

        @Option(help: ArgumentHelp("Keep-alive connections (closed model: one per virtual user).", valueName: "n"))
        var connections: Int?

        @Option(
            help: ArgumentHelp(
                "How long to sustain the load, such as 30s or 5m (with a spec: replaces load.duration).",
                valueName: "duration"))
        var duration: String?

        @Option(
            name: .customLong("ramp-up"),
            help: ArgumentHelp("Time to ramp up to the rate (with --url).", valueName: "duration"))
        var rampUp: String?

        @Option(
            name: .customLong("ramp-down"),
            help: ArgumentHelp("Time to ramp back down (with --url).", valueName: "duration"))
        var rampDown: String?

        @Option(help: ArgumentHelp("Event-loop threads (default: the number of cores).", valueName: "n"))
        var threads: Int?

        @Option(help: ArgumentHelp("The HTTP method (with --url).", valueName: "method"))
        var method = "GET"

        @Option(
            name: [.customShort("H"), .long],
            help: ArgumentHelp("A request header, 'Name: value' (with --url; repeatable).", valueName: "header"))
        var header: [String] = []

        @Option(help: ArgumentHelp("A request body (with --url).", valueName: "text"))
        var body: String?

        @Option(
            help: ArgumentHelp(
                "A request without a complete response by then is an error (default 10s).", valueName: "duration"))
        var timeout: String?

        @Option(
            help: ArgumentHelp(
                "A threshold such as 'p99 < 300ms' or 'error_rate < 0.1%' (repeatable; added to the spec's).",
                valueName: "threshold"))
        var threshold: [String] = []

        @Option(
            name: .customLong("watch-pid"),
            help: ArgumentHelp("Sample this process's CPU, memory and I/O.", valueName: "pid"))
        var watchPID: Int?

        @Option(
            name: .customLong("watch-process"),
            help: ArgumentHelp("Sample the process with this name.", valueName: "name"))
        var watchProcess: String?

        @Flag(name: .customLong("abort-when-hopeless"), help: "Stop as soon as a threshold can no longer pass.")
        var abortWhenHopeless = false

        @Option(help: ArgumentHelp("Run slice i of n: 1/n of the rate, connections and data.", valueName: "i/n"))
        var shard: String?

        @Option(
            help: ArgumentHelp(
                "Write the result as JSON, histograms included (for `load merge` and `check --load-result`).",
                valueName: "file"))
        var out: String?

        @Flag(name: .shortAndLong, help: "No progress and no summary; only errors (and --out).")
        var quiet = false

        @Flag(help: "Print the result as JSON instead of the summary.")
        var json = false

        func validate() throws { try OutputPath.checkFile(out, option: "--out") }

        func run() async throws {
            var options = LoadOptions(threads: threads ?? ProcessInfo.processInfo.activeProcessorCount)
            options.url = url
            options.environment = env
            options.rate = rate
            options.connections = connections
            options.duration = duration
            options.rampUp = rampUp
            options.rampDown = rampDown
            options.method = method
            options.headers = header
            options.body = body
            options.timeout = timeout
            options.thresholds = threshold
            options.watchPID = watchPID
            options.watchProcess = watchProcess
            options.abortWhenHopeless = abortWhenHopeless
            options.shard = shard
            let job: LoadJob
            do {
                if file != nil { try options.checkForSpec() }
                let spec = try file.map { try SpecInput.load(file: $0, policy: policy).0 }
                job = try options.job(spec: spec)
            } catch let error as GateError {
                guard error.usage else { throw error.exit() }
                // Thrown from here, a ValidationError would carry the root command's usage line.
                Terminal.error("Error: \(error.message)\n  See 'greenlight load --help' for the options.")
                throw ExitCode.validationFailure
            }
            // Like k6 and wrk: the first Ctrl-C (or SIGTERM) ends the run with its summary and --out file,
            // a second one exits at once.
            let stop = LoadStop()
            let quiet = quiet
            Interrupts.onFirstSignal { signal in
                if !quiet {
                    Terminal.clearProgress()
                    Terminal.error(
                        "greenlight load: \(Interrupts.name(signal)): stopping; the summary follows (Ctrl-C again to quit at once)"
                    )
                }
                stop.request("interrupted by \(Interrupts.name(signal))")
            }
            let result = try await LoadCommand.execute(
                job, progress: quiet || json ? .none : Terminal.stderrIsTTY ? .live : .periodic, stop: stop)
            try LoadCommand.finish(result, out: out, json: json, quiet: quiet, interrupted: Interrupts.received)
        }
    }

    struct LoadMerge: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "merge",
            abstract:
                "Merge the slices of a sharded load test exactly (histograms merged, never percentiles averaged).",
            discussion: """
                  greenlight load merge slice-1.json slice-2.json --out load.json

                Exit codes: 0 merged and every threshold held, 1 a threshold failed, 2 unreadable or \
                mismatched slices.
                """)

        @Argument(
            help: ArgumentHelp("Result files written by `greenlight load --shard i/n --out FILE`.", valueName: "file"))
        var files: [String]

        @Option(help: ArgumentHelp("Write the merged result here.", valueName: "file"))
        var out: String?

        @Flag(name: .shortAndLong, help: "Print nothing but errors.")
        var quiet = false

        @Flag(help: "Print the merged result as JSON.")
        var json = false

        func validate() throws { try OutputPath.checkFile(out, option: "--out") }

        func run() async throws {
            guard !files.isEmpty else { throw ValidationError("give the result files to merge") }
            let merged: LoadResult
            do {
                merged = try LoadResult.merge(try files.map { ($0, try LoadResult.read($0)) })
            } catch {
                Terminal.error("greenlight: \(error)")
                throw ExitCode(ExitStatus.invalidInput)
            }
            try LoadCommand.finish(merged, out: out, json: json, quiet: quiet)
        }
    }
}

/// What `load` and `load merge` share: running with progress, printing, writing, the exit code.
enum LoadCommand {
    enum Progress { case none, live, periodic }

    /// Runs the job with progress on stderr, until its end or `stop`; the result comes back masked.
    static func execute(_ job: LoadJob, progress: Progress, stop: LoadStop? = nil) async throws -> LoadResult {
        let reporter: (@Sendable (LoadProgress) -> Void)?
        switch progress {
        case .none: reporter = nil
        case .live: reporter = { Terminal.progress($0.line) }
        case .periodic:
            let last = LastPrinted()
            reporter = { p in
                if last.due(p.elapsed) { Terminal.error(p.line) }
            }
        }
        if progress != .none {
            Terminal.error(job.boundary.text("greenlight load: \(job.plan.target.baseURL): \(job.plan.shape)"))
        }
        do {
            let result = try await job.run(stop: stop, progress: reporter)
            if progress == .live { Terminal.clearProgress() }
            return result
        } catch LoadExecution.Failure.watch(let reason) {
            if progress == .live { Terminal.clearProgress() }
            throw GateError("watch: \(reason)").exit()
        } catch let error as GateError {
            if progress == .live { Terminal.clearProgress() }
            throw error.exit()
        } catch {
            if progress == .live { Terminal.clearProgress() }
            Terminal.error("greenlight: \(error)")
            throw ExitCode(ExitStatus.notReady)
        }
    }

    /// Writes `--out`, prints the summary or the JSON, and exits 1 when a threshold failed or nothing
    /// answered, 130 or 143 when the run was `interrupted` by SIGINT or SIGTERM: an interrupted run is
    /// not a pass, whatever its thresholds say. `result` is masked already.
    static func finish(_ result: LoadResult, out: String?, json: Bool, quiet: Bool, interrupted: Int32? = nil) throws {
        if let out {
            do {
                try result.encoded().write(to: URL(fileURLWithPath: out))
            } catch {
                throw GateError(OutputPath.writeFailure(out, error)).exit()
            }
        }
        if json {
            Terminal.out(String(decoding: result.encoded(), as: UTF8.self))
        } else if !quiet {
            for line in result.summaryLines() { Terminal.out(TerminalText.clean(line)) }
            if let out { Terminal.out("wrote       \(out)") }
        }
        if let interrupted { throw ExitCode(Interrupts.exitStatus(interrupted)) }
        if result.thresholds.contains(where: { !$0.passed }) || result.summary.requests == 0 {
            throw ExitCode(ExitStatus.notReady)
        }
    }
}

/// Prints a plain progress line every 10 s when stderr is not a terminal.
final class LastPrinted: Sendable {
    private let next = Mutex(10.0)

    func due(_ elapsed: Double) -> Bool {
        next.withLock { next in
            guard elapsed >= next else { return false }
            next = (elapsed / 10).rounded(.down) * 10 + 10
            return true
        }
    }
}
