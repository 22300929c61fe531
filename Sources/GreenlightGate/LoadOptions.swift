import Foundation
import GreenlightCore
import GreenlightLoad
import GreenlightProbes

/// The options of `greenlight load` as given, checked and turned into a ``LoadJob``: with a spec,
/// they adjust its load section; without one, they describe an ad-hoc test of one URL.
public struct LoadOptions: Sendable {
    public var url: String?
    public var environment: String?
    public var rate: Double?
    public var connections: Int?
    public var duration: String?
    public var rampUp: String?
    public var rampDown: String?
    public var threads: Int
    public var method = "GET"
    /// "Name: value".
    public var headers: [String] = []
    public var body: String?
    public var timeout: String?
    public var thresholds: [String] = []
    public var watchPID: Int?
    public var watchProcess: String?
    public var abortWhenHopeless = false
    /// "i/n".
    public var shard: String?

    public init(threads: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.threads = threads
    }

    /// The job for `spec` (nil: ad hoc, with ``url``). Every message names the option at fault.
    public func job(spec: ReleaseSpec?) throws(GateError) -> LoadJob {
        let slice = try self.slice()
        guard threads >= 1, threads <= 256 else { throw GateError("--threads must be 1 to 256", usage: true) }
        if let connections, connections < 1 || connections > 100_000 {
            throw GateError("--connections must be 1 to 100000", usage: true)
        }
        if let rate, !(rate > 0 && rate <= 10_000_000) {
            throw GateError(
                "--rate must be above 0 and at most 10000000 requests per second, got \(Format.number(rate))",
                usage: true)
        }
        var extra: [Threshold] = []
        for text in thresholds {
            do {
                extra.append(try Threshold(parsing: text))
            } catch {
                throw GateError("--threshold '\(text)': \(error.message)", usage: true)
            }
        }
        var job: LoadJob
        if let spec {
            try checkForSpec()
            var options = LoadPlanner.Options(threads: threads)
            options.slice = slice
            options.connections = connections
            options.duration = try duration.map { text throws(GateError) in try Self.seconds(text, "--duration") }
            job = try LoadJob(spec: spec, environment: environment, options: options)
            if let timeout { job.plan.requestTimeout = try Self.seconds(timeout, "--timeout") }
            job.thresholds += extra
            job.abortWhenHopeless = job.abortWhenHopeless || abortWhenHopeless
        } else {
            guard let url else {
                throw GateError(
                    "give a spec file, or --url to load one URL (greenlight load --help shows both)", usage: true)
            }
            var parsed: [(name: String, value: String)] = []
            for h in headers {
                guard let colon = h.firstIndex(of: ":"), colon != h.startIndex else {
                    throw GateError("--header '\(h)' must be 'Name: value'", usage: true)
                }
                parsed.append(
                    (String(h[..<colon]), String(h[h.index(after: colon)...]).trimmingCharacters(in: .whitespaces)))
            }
            do {
                let plan = try LoadPlanner.adHoc(
                    url: url, method: method.uppercased(), headers: parsed, body: Data((body ?? "").utf8), rate: rate,
                    connections: connections, duration: try Self.seconds(duration ?? "10s", "--duration"),
                    rampUp: try rampUp.map { text throws(GateError) in try Self.seconds(text, "--ramp-up") } ?? 0,
                    rampDown: try rampDown.map { text throws(GateError) in try Self.seconds(text, "--ramp-down") } ?? 0,
                    threads: threads,
                    timeout: try timeout.map { text throws(GateError) in try Self.seconds(text, "--timeout") } ?? 10,
                    slice: slice)
                job = LoadJob(plan: plan, thresholds: extra, abortWhenHopeless: abortWhenHopeless)
            } catch let error as GateError {
                throw error
            } catch {
                throw GateError("\(error)", usage: true)
            }
        }
        let planned = job.plan.profile.totalArrivals / Double(job.plan.slice.count)
        if job.plan.model == .open, planned < 1 {
            let shape =
                "\(Format.number(job.plan.requestedPeak)) requests per second for \(Format.duration(job.plan.profile.totalSeconds))"
            throw GateError(
                "\(shape) plans \(Format.number(planned)) requests\(job.plan.slice.count > 1 ? " in this slice" : ""), fewer than one: raise \(spec == nil ? "--rate" : "the rate") or \(spec == nil ? "--duration" : "the duration")",
                usage: true)
        }
        if let watchPID {
            job.watch = WatchSpec(pid: watchPID)
        } else if let watchProcess {
            job.watch = WatchSpec(process: watchProcess)
        }
        return job
    }

    /// Refuses what goes only with `--url` when a spec gives the load; call it before reading the spec,
    /// so that the usage error comes first.
    public func checkForSpec() throws(GateError) {
        guard url == nil else { throw GateError("give a spec or --url, not both", usage: true) }
        let adHocOnly: [(String, Bool)] = [
            ("--rate", rate != nil), ("--ramp-up", rampUp != nil), ("--ramp-down", rampDown != nil),
            ("--method", method != "GET"), ("--header", !headers.isEmpty), ("--body", body != nil),
        ]
        if let (name, _) = adHocOnly.first(where: { $0.1 }) {
            throw GateError("\(name) goes with --url; with a spec, the load section decides it", usage: true)
        }
    }

    func slice() throws(GateError) -> LoadResult.Slice {
        guard let shard else { return LoadResult.Slice(index: 1, count: 1) }
        let parts = shard.split(separator: "/")
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]), n >= 1, n <= 10_000, i >= 1, i <= n
        else { throw GateError("--shard '\(shard)' must be i/n with 1 ≤ i ≤ n, such as 1/4", usage: true) }
        return LoadResult.Slice(index: i, count: n)
    }

    static func seconds(_ text: String, _ option: String) throws(GateError) -> Double {
        guard let d = SpecDuration(text), d.seconds > 0 else {
            throw GateError("\(option) '\(text)' is not a duration such as 500ms, 30s, 5m or 1h", usage: true)
        }
        return d.seconds
    }
}
