import Foundation
import GreenlightCore
import GreenlightHTTP

/// Builds a load plan from a release spec's `load` section, or from command-line options.
public enum LoadPlanner {
    /// Open-model connections when none are given: enough for arrivals that take up to 100 ms each.
    public static func defaultConnections(forRate rate: Double) -> Int {
        // Clamped as a Double first: a rate too large for an Int (or not a number) must not trap.
        let wanted = (rate / 10).rounded(.up)
        guard wanted.isFinite else { return wanted > 0 ? 10_000 : 16 }
        return Int(max(16, min(10_000, wanted)))
    }

    public struct Options: Sendable {
        public var threads: Int
        public var slice = LoadResult.Slice(index: 1, count: 1)
        public var connections: Int?
        /// Replaces the spec's sustain duration, for a quick rehearsal (`--duration`).
        public var duration: Double?

        public init(threads: Int) {
            self.threads = threads
        }
    }

    /// The plan for `spec.load` against `environment`, for the slice in `options`.
    public static func plan(spec: ReleaseSpec, environment: String, options: Options) throws(LoadError) -> LoadPlan {
        guard let load = spec.load else { throw LoadError("\(spec.file) has no load section") }
        guard let env = spec.environment(named: environment) else {
            throw LoadError("\(spec.file) has no environment named '\(environment)'")
        }
        var target: LoadTarget
        do {
            target = try LoadTarget(url: env.url)
        } catch {
            throw LoadError("environments.\(environment).url: \(error)")
        }
        target.trust = TLSTrust(env, directory: spec.directory)

        let n = Double(options.slice.count)
        let sustain = options.duration ?? load.duration?.seconds ?? 60
        let rampUp = load.rampUp?.seconds ?? 0
        let rampDown = load.rampDown?.seconds ?? 0
        let model = load.model
        let peak: Double
        let profile: Profile
        let connections: Int
        switch model {
        case .open:
            peak = (spec.traffic?.expectedPeakRPS ?? 0) * load.multiplier
            guard peak > 0 else { throw LoadError("load needs traffic.expected_peak_rps to set the target rate") }
            guard peak <= LoadSpec.maximumRate else {
                throw LoadError(
                    "traffic.expected_peak_rps × load.multiplier asks for \(Format.number(peak)) requests per second; the load engine runs at most \(Format.number(LoadSpec.maximumRate))"
                )
            }
            // Every slice keeps the whole profile and takes every n-th arrival of it.
            profile = Profile(level: peak, rampUp: rampUp, sustain: sustain, rampDown: rampDown)
            connections =
                options.connections ?? load.connections.map { share($0, options.slice) }
                ?? defaultConnections(forRate: peak / n)
        case .closed:
            guard options.connections == nil else {
                throw LoadError(
                    "the closed model gives each of load.vus its own connection: --connections does not apply")
            }
            let users = load.virtualUsers ?? 1
            peak = Double(users)
            let mine = share(users, options.slice)
            profile = Profile(level: Double(mine), rampUp: rampUp, sustain: sustain, rampDown: rampDown)
            connections = mine
        }

        let variables = Dictionary(
            (spec.smoke?.variables ?? []).map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
        var rows: DataRows?
        if let data = load.data {
            do {
                rows = try DataRows.load(data, directory: spec.directory)
                    .slice(shard: options.slice.index, of: options.slice.count)
            } catch {
                throw LoadError("load.data: \(error)")
            }
        }
        let known = Set(variables.keys).union(rows?.columns ?? [])
        var actions: [LoadAction] = []
        let secrets = SecretSink()
        var weights: [Int] = []
        for (i, entry) in load.mix.enumerated() {
            if let request = entry.request {
                for name in Self.placeholders(request) where !known.contains(name) {
                    throw LoadError(
                        "load.mix[\(i)].request uses {{\(name)}}, which neither smoke.variables nor the columns of load.data (\(rows?.columns.joined(separator: ", ") ?? "none")) give"
                    )
                }
            }
            weights.append(entry.weight)
            if let name = entry.scenario {
                guard let scenario = spec.smoke?.scenarios.first(where: { $0.name == name }) else {
                    throw LoadError("load.mix[\(i)].scenario: no smoke scenario is named '\(name)'")
                }
                actions.append(
                    .session(
                        name: name,
                        script: SessionScript(scenario: scenario, baseURL: target.baseURL, directory: spec.directory)))
            } else if let request = entry.request {
                let name = "\(request.method) \(request.path ?? request.url ?? "/")"
                if Self.hasPlaceholders(request) || load.data != nil {
                    let scenario = SmokeScenario(name: name, steps: [SmokeStep(request: request)])
                    actions.append(
                        .session(
                            name: name,
                            script: SessionScript(
                                scenario: scenario, baseURL: target.baseURL, directory: spec.directory)))
                } else {
                    actions.append(
                        try fixed(
                            request, name: name, variables: variables, target: target, directory: spec.directory,
                            secrets: secrets))
                }
            }
        }
        if actions.isEmpty {
            // No mix: the environment's base URL, as a plain GET.
            actions = [fixedGet(target)]
            weights = [1]
        }

        var plan = LoadPlan(
            target: target, model: model, profile: profile, requestedPeak: peak,
            connections: max(1, connections), threads: max(1, min(options.threads, max(1, connections))),
            actions: actions, weights: weights)
        plan.secrets = secrets
        plan.thinkTime = load.thinkTime?.seconds ?? 0
        plan.requestTimeout = load.timeout?.seconds ?? 10
        plan.variables = variables
        plan.slice = options.slice
        if let data = load.data, let rows {
            guard !rows.rows.isEmpty else {
                throw LoadError(
                    "load.data: slice \(options.slice.index)/\(options.slice.count) of \(rows.source) has no rows")
            }
            plan.data = DataFeeder(rows: rows, mode: data.mode)
            plan.dataPerUser = data.per == .user
        }
        return plan
    }

    /// The plan for `greenlight load --url …`: one request, open when a rate is given, closed otherwise.
    public static func adHoc(
        url: String, method: String, headers: [(name: String, value: String)], body: Data, rate: Double?,
        connections: Int?, duration: Double, rampUp: Double, rampDown: Double, threads: Int, timeout: Double,
        slice: LoadResult.Slice
    ) throws(LoadError) -> LoadPlan {
        let target: LoadTarget
        do {
            target = try LoadTarget(url: url)
        } catch {
            throw LoadError("--url: \(error)")
        }
        if let problem = HTTPFieldSyntax.problem(method: method, headers: headers) {
            throw LoadError("--method/--header: \(problem)")
        }
        let request = RequestEncoder.encode(
            method: method, target: target.basePath.isEmpty ? "/" : target.basePath, authority: target.authority,
            headers: withDefaultHeaders(headers), body: body)
        let action = LoadAction.fixed(name: "\(method) \(url)", request: request, isHead: method == "HEAD")
        let plan: LoadPlan
        if let rate {
            let count = connections ?? defaultConnections(forRate: rate / Double(slice.count))
            plan = LoadPlan(
                target: target, model: .open,
                profile: Profile(level: rate, rampUp: rampUp, sustain: duration, rampDown: rampDown),
                requestedPeak: rate, connections: count, threads: max(1, min(threads, count)), actions: [action],
                weights: [1])
        } else {
            let users = connections ?? 10
            let mine = share(users, slice)
            plan = LoadPlan(
                target: target, model: .closed,
                profile: Profile(level: Double(mine), rampUp: rampUp, sustain: duration, rampDown: rampDown),
                requestedPeak: Double(users), connections: mine, threads: max(1, min(threads, mine)),
                actions: [action], weights: [1])
        }
        var result = plan
        result.requestTimeout = timeout
        result.slice = slice
        for header in headers { result.secrets.add(header: header.name, value: header.value) }
        return result
    }

    /// greenlight's User-Agent and Accept, unless `headers` gives them: a header given replaces its default.
    static func withDefaultHeaders(_ headers: [(name: String, value: String)]) -> [(name: String, value: String)] {
        var all = headers
        for (name, value) in [("Accept", "*/*"), ("User-Agent", "greenlight/\(GreenlightVersion.current)")]
        where !headers.contains(where: { $0.name.caseInsensitiveCompare(name) == .orderedSame }) {
            all.insert((name, value), at: 0)
        }
        return all
    }

    static func share(_ total: Int, _ slice: LoadResult.Slice) -> Int {
        max(1, total / slice.count + (slice.index - 1 < total % slice.count ? 1 : 0))
    }

    static func hasPlaceholders(_ r: HTTPRequestSpec) -> Bool { !placeholders(r).isEmpty }

    /// The `{{name}}`s a request uses, in order of first use.
    static func placeholders(_ r: HTTPRequestSpec) -> [String] {
        var texts = [r.path, r.url, r.body].compactMap { $0 }
        texts += r.headers.map(\.value) + r.query.flatMap { [$0.key, $0.value] } + r.form.map(\.value)
        texts += r.multipart.compactMap { $0.value ?? $0.file }
        if let json = r.json { texts.append(json.serialized()) }
        var seen: [String] = []
        for name in texts.flatMap({ Template.names(in: $0) }) where !seen.contains(name) { seen.append(name) }
        return seen
    }

    /// A request encoded once and sent unchanged; the credentials its headers carry go to `secrets`.
    static func fixed(
        _ request: HTTPRequestSpec, name: String, variables: [String: String], target: LoadTarget, directory: String,
        secrets: SecretSink
    ) throws(LoadError) -> LoadAction {
        let record: HTTPRequestRecord
        do {
            record = try SessionScript.build(
                request, variables: variables, baseURL: target.baseURL, directory: directory)
        } catch {
            throw LoadError("load: \(name): \(error)")
        }
        guard let path = RequestEncoder.requestTarget(of: record.url, on: target) else {
            throw LoadError("load: \(name): \(record.url) is not on the load target \(target.origin)")
        }
        for header in record.headers { secrets.add(header: header.name, value: header.value) }
        return .fixed(
            name: name,
            request: RequestEncoder.encode(
                method: record.method, target: path, authority: target.authority, headers: record.headers,
                body: record.body),
            isHead: record.method == "HEAD")
    }

    static func fixedGet(_ target: LoadTarget) -> LoadAction {
        .fixed(
            name: "GET \(target.baseURL)",
            request: RequestEncoder.encode(
                method: "GET", target: target.basePath.isEmpty ? "/" : target.basePath, authority: target.authority,
                headers: withDefaultHeaders([]), body: Data()),
            isHead: false)
    }
}
