import ArgumentParser
import Foundation
import GreenlightCore
import GreenlightLoad
import GreenlightProbes

extension Greenlight {
    struct Load: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "load",
            abstract: "Load-test a service: the spec's load section at 3x peak, or one URL like wrk and k6.",
            discussion: """
                With a spec, runs its load section against an environment (default staging): the rate is
                traffic.expected_peak_rps x load.multiplier, sustained for load.duration, the traffic the
                mix of requests and smoke scenarios (sessions that sign in, browse and buy), with data
                from load.data, the target's CPU, memory and I/O watched, and the thresholds judged.

                  greenlight load release.yaml
                  greenlight load release.yaml --duration 30s --out load.json     a shorter rehearsal

                Without a spec, one URL:
                  greenlight load --url http://127.0.0.1:8080/ --rate 5000 --duration 30s
                        open model: 5,000 requests start every second whatever the response times;
                        latency counts from each request's intended start (no coordinated omission)
                  greenlight load --url http://127.0.0.1:8080/ --connections 64 --duration 10s
                        closed model: 64 connections, each sending its next request on a response

                Beyond one machine, run slices and merge them exactly (see docs/load-distributed.md):
                  greenlight load release.yaml --shard 1/4 --out slice-1.json     (… up to 4/4)
                  greenlight load merge slice-*.json --out load.json
                  greenlight check release.yaml --load-result load.json

                Exit codes: 0 every threshold held, 1 a threshold failed or the target was unreachable,
                2 invalid input or usage.
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

        func run() async throws {
            let slice = try parseShard()
            let threadCount = threads ?? ProcessInfo.processInfo.activeProcessorCount
            guard threadCount >= 1, threadCount <= 256 else { throw usage("--threads must be 1 to 256") }
            if let connections, connections < 1 || connections > 100_000 {
                throw usage("--connections must be 1 to 100000")
            }
            if let rate, !(rate > 0 && rate <= 10_000_000) {
                throw usage("--rate must be above 0 (requests per second)")
            }
            var thresholds: [Threshold] = []
            for text in threshold {
                do {
                    thresholds.append(try Threshold(parsing: text))
                } catch {
                    throw usage("--threshold '\(text)': \(error.message)")
                }
            }
            var plan: LoadPlan
            var watchSpec: WatchSpec?
            var abort = abortWhenHopeless
            var redactor = Redactor()
            if let file {
                guard url == nil else { throw usage("give a spec or --url, not both") }
                let adHocOnly: [(String, Bool)] = [
                    ("--rate", rate != nil), ("--ramp-up", rampUp != nil), ("--ramp-down", rampDown != nil),
                    ("--method", method != "GET"), ("--header", !header.isEmpty), ("--body", body != nil),
                ]
                if let (name, _) = adHocOnly.first(where: { $0.1 }) {
                    throw usage("\(name) goes with --url; with a spec, the load section decides it")
                }
                let (spec, _) = try SpecInput.load(file: file, policy: policy)
                redactor = spec.redactor
                guard let load = spec.load else {
                    Terminal.error(
                        "greenlight: \(file) has no load section; add one (see docs/release-spec.md) or use --url")
                    throw ExitCode(ExitStatus.invalidInput)
                }
                guard let environment = try Check.environment(env, in: spec, file: file) else {
                    Terminal.error("greenlight: \(file) declares no environment to load")
                    throw ExitCode(ExitStatus.invalidInput)
                }
                var options = LoadPlanner.Options(threads: threadCount)
                options.slice = slice
                options.connections = connections
                options.duration = try duration.map { try seconds($0, "--duration") }
                do {
                    plan = try LoadPlanner.plan(spec: spec, environment: environment, options: options)
                } catch {
                    Terminal.error("greenlight: \(file): \(redactor.redact(error.description))")
                    throw ExitCode(ExitStatus.invalidInput)
                }
                if let t = try timeout.map({ try seconds($0, "--timeout") }) { plan.requestTimeout = t }
                thresholds = load.thresholds + thresholds
                watchSpec = load.watch
                abort = abort || load.abortWhenHopeless
            } else {
                guard let url else {
                    throw usage("give a spec file, or --url to load one URL (greenlight load --help shows both)")
                }
                var headers: [(name: String, value: String)] = []
                for h in header {
                    guard let colon = h.firstIndex(of: ":"), colon != h.startIndex else {
                        throw usage("--header '\(h)' must be 'Name: value'")
                    }
                    headers.append(
                        (String(h[..<colon]), String(h[h.index(after: colon)...]).trimmingCharacters(in: .whitespaces)))
                }
                let sustain = try seconds(duration ?? "10s", "--duration")
                let up = try rampUp.map { try seconds($0, "--ramp-up") } ?? 0
                let down = try rampDown.map { try seconds($0, "--ramp-down") } ?? 0
                let limit = try timeout.map { try seconds($0, "--timeout") } ?? 10
                do {
                    plan = try LoadPlanner.adHoc(
                        url: url, method: method.uppercased(), headers: headers, body: Data((body ?? "").utf8),
                        rate: rate, connections: connections, duration: sustain, rampUp: up, rampDown: down,
                        threads: threadCount, timeout: limit, slice: slice)
                } catch {
                    throw usage(error.description)
                }
            }
            if let pid = watchPID {
                watchSpec = WatchSpec(pid: pid)
            } else if let name = watchProcess {
                watchSpec = WatchSpec(process: name)
            }
            let result = try await LoadCommand.execute(
                plan: plan, watch: watchSpec, thresholds: thresholds, abortWhenHopeless: abort,
                progress: quiet || json ? .none : Terminal.stderrIsTTY ? .live : .periodic, redactor: redactor)
            try LoadCommand.finish(result, out: out, json: json, quiet: quiet, redactor: redactor)
        }

        func parseShard() throws -> LoadResult.Slice {
            guard let shard else { return LoadResult.Slice(index: 1, count: 1) }
            let parts = shard.split(separator: "/")
            guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]), n >= 1, n <= 10_000, i >= 1, i <= n
            else { throw usage("--shard '\(shard)' must be i/n with 1 ≤ i ≤ n, such as 1/4") }
            return LoadResult.Slice(index: i, count: n)
        }

        func seconds(_ text: String, _ option: String) throws -> Double {
            guard let d = SpecDuration(text), d.seconds > 0 else {
                throw usage("\(option) '\(text)' is not a duration such as 500ms, 30s, 5m or 1h")
            }
            return d.seconds
        }

        func usage(_ message: String) -> ValidationError { ValidationError(message) }
    }

    struct LoadMerge: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "merge",
            abstract:
                "Merge the slices of a sharded load test exactly (histograms merged, never percentiles averaged).",
            discussion: """
                  greenlight load merge slice-1.json slice-2.json --out load.json

                Exit codes: 0 merged and every threshold held, 1 a threshold failed, 2 unreadable or
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

        func run() async throws {
            guard !files.isEmpty else { throw ValidationError("give the result files to merge") }
            let merged: LoadResult
            do {
                merged = try LoadResult.merge(try files.map { ($0, try LoadResult.read($0)) })
            } catch {
                Terminal.error("greenlight: \(error)")
                throw ExitCode(ExitStatus.invalidInput)
            }
            try LoadCommand.finish(merged, out: out, json: json, quiet: quiet, redactor: Redactor())
        }
    }
}

/// What `load` and `load merge` share: running with progress, printing, writing, the exit code.
enum LoadCommand {
    enum Progress { case none, live, periodic }

    static func execute(
        plan: LoadPlan, watch: WatchSpec?, thresholds: [Threshold], abortWhenHopeless: Bool, progress: Progress,
        redactor: Redactor
    ) async throws -> LoadResult {
        var watcher: ResourceWatcher?
        if let watch {
            do {
                watcher = try ResourceWatcher.start(watch)
            } catch {
                Terminal.error("greenlight: watch: \(error)")
                throw ExitCode(ExitStatus.invalidInput)
            }
        }
        let reporter: (@Sendable (LoadProgress) -> Void)?
        switch progress {
        case .none: reporter = nil
        case .live: reporter = { Terminal.progress(line($0)) }
        case .periodic:
            let last = LastPrinted()
            reporter = { p in
                if last.due(p.elapsed) { Terminal.error(line(p)) }
            }
        }
        if progress != .none {
            Terminal.error("greenlight load: \(plan.target.baseURL): \(describe(plan))")
        }
        do {
            let result = try await LoadEngine(plan: plan).run(
                watch: watcher, thresholds: thresholds, abortWhenHopeless: abortWhenHopeless, progress: reporter)
            if progress == .live { Terminal.clearProgress() }
            return result
        } catch {
            if progress == .live { Terminal.clearProgress() }
            _ = await watcher?.stop()
            Terminal.error("greenlight: \(redactor.redact("\(error)"))")
            throw ExitCode(ExitStatus.notReady)
        }
    }

    static func describe(_ plan: LoadPlan) -> String {
        let shape =
            plan.model == .open
            ? "\(fixedText(plan.requestedPeak)) req/s (open model)"
            : "\(Int(plan.requestedPeak)) virtual users (closed model)"
        let slice = plan.slice.count > 1 ? ", slice \(plan.slice.index)/\(plan.slice.count)" : ""
        return
            "\(shape) for \(fixedText(plan.profile.totalSeconds)) s over \(plan.connections) connections on \(plan.threads) thread\(plan.threads == 1 ? "" : "s")\(slice)"
    }

    static func line(_ p: LoadProgress) -> String {
        "[\(pad(fixedText(p.elapsed.rounded(.down)), 4)) s / \(fixedText(p.total)) s] \(pad(fixedText(p.currentRate), 7)) req/s · p99 \(String(format: "%.1f", p.lastSecondP99)) ms · \(p.responses) responses · errors \(p.errors) · dropped \(p.dropped) · \(p.connectionsOpen) open"
    }

    static func pad(_ s: String, _ n: Int) -> String { String(repeating: " ", count: max(0, n - s.count)) + s }

    static func fixedText(_ v: Double) -> String { v == v.rounded() ? String(Int(v)) : String(format: "%.1f", v) }

    static func finish(_ result: LoadResult, out: String?, json: Bool, quiet: Bool, redactor: Redactor) throws {
        let result = result.redacted(redactor.redact)
        if let out {
            do {
                try result.encoded().write(to: URL(fileURLWithPath: out))
            } catch {
                Terminal.error("greenlight: cannot write \(out): \(error.localizedDescription)")
                throw ExitCode(ExitStatus.invalidInput)
            }
        }
        if json {
            Terminal.out(String(decoding: result.encoded(), as: UTF8.self))
        } else if !quiet {
            for line in result.summaryLines() { Terminal.out(redactor.redact(line)) }
            if let out { Terminal.out("wrote       \(out)") }
        }
        if result.thresholds.contains(where: { !$0.passed }) || result.summary.requests == 0 {
            throw ExitCode(ExitStatus.notReady)
        }
    }
}

/// Prints a plain progress line every 10 s when stderr is not a terminal.
final class LastPrinted: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 10.0

    func due(_ elapsed: Double) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard elapsed >= next else { return false }
        next = (elapsed / 10).rounded(.down) * 10 + 10
        return true
    }
}
