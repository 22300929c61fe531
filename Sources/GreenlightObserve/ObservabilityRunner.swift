import Foundation
import GreenlightCore
import GreenlightHTTP

/// Runs every observability check the spec's `observability` section asks for, against one
/// environment, and returns their results (raw: the redaction boundary masks them). Together they
/// decide the `monitoring-hooks` checklist item.
///
/// The order matters: metrics are scraped first (the "before" of a family that must move), then
/// health, the failing diagnosis request and greenlight's own requests, then the metrics again, the
/// logs, traces and the alert path.
public struct ObservabilityRunner: Sendable {
    public var observability: ObservabilitySpec
    /// The environment's base URL.
    public var baseURL: String
    /// The spec's folder: relative files and commands resolve there.
    public var directory: String
    /// Called with a short note as each check starts.
    public var progress: @Sendable (String) -> Void = { _ in }
    /// How many requests greenlight sends so that a family required to move has something to count.
    public var ownRequests = 10
    /// How HTTPS servers are trusted (the environment's CA, or insecure), for requests of their own.
    public var trust: TLSTrust = .system
    /// The checked environment's name: `{{environment}}` in a Prometheus label value stands for it, so
    /// one spec selects staging's series when staging is checked and production's for production.
    public var environment: String?

    public init(observability: ObservabilitySpec, baseURL: String, directory: String) {
        self.observability = observability
        self.baseURL = baseURL
        self.directory = directory
    }

    /// The metrics spec with `{{environment}}` in its Prometheus label values replaced by `environment`.
    static func labelled(_ spec: MetricsSpec, _ environment: String?) -> MetricsSpec {
        guard let environment, var prometheus = spec.prometheus else { return spec }
        prometheus.labels = prometheus.labels.map {
            (key: $0.key, value: $0.value.replacingOccurrences(of: "{{environment}}", with: environment))
        }
        var spec = spec
        spec.prometheus = prometheus
        return spec
    }

    /// The URL of a path (or an absolute URL) against the environment.
    func url(_ pathOrURL: String) -> String {
        if pathOrURL.hasPrefix("http://") || pathOrURL.hasPrefix("https://") { return pathOrURL }
        let base = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        return base + (pathOrURL.hasPrefix("/") ? pathOrURL : "/" + pathOrURL)
    }

    public func run(session: HTTPSession) async -> [CheckResult] {
        var checks: [CheckResult] = []
        let o = observability
        let propagation = TraceStamp.Propagation(rawValue: o.traces?.propagation ?? "w3c") ?? .w3c

        // The metrics' "before", ahead of any request greenlight sends.
        let metrics = o.metrics.map { MetricsSource(Self.labelled($0, environment), baseURL: baseURL, trust: trust) }
        var before: Result<Exposition, MetricsReadError>?
        if let metrics, o.metrics?.require.contains(where: \.moves) == true {
            progress("reading the metrics from \(metrics.name)…")
            before = await metrics.read()
        }

        if let health = o.health {
            progress("asking \(health.path) for health…")
            var result = await HealthCheck.run(
                session: session, url: url(health.path), within: health.within,
                trace: TraceStamp(propagation: propagation))
            if let prometheus = o.metrics?.prometheus, let job = prometheus.job {
                let interval = await ScrapeInterval.of(job: job, prometheus: prometheus.url, session: session)
                result = ScrapeInterval.judge(result, interval: interval, job: job, within: health.within)
            }
            checks.append(result)
        }

        var sent: DiagnosisProbe.Sent?
        var probe: DiagnosisProbe?
        if o.logs != nil || o.traces != nil {
            let diagnosis = DiagnosisProbe(baseURL: baseURL, path: o.logs?.diagnosis.path, propagation: propagation)
            progress("sending a failing request with trace \(diagnosis.stamp.traceID)…")
            sent = await diagnosis.send(session: session)
            probe = diagnosis
        }

        if let spec = o.metrics, let metrics {
            checks.append(await metricsCheck(spec, metrics, before: before, session: session))
            await metrics.shutdown()
        }

        let logs = o.logs.map { LogSource($0, directory: directory) }
        if let spec = o.logs, let logs {
            progress("reading the logs from \(logs.name)…")
            do {
                checks.append(
                    LogsCheck.check(try await logs.read(), source: logs.name, requireFields: spec.requireFields))
            } catch {
                checks.append(
                    ObservabilityCheck.result(ObservabilityCheck.logs, "Structured logs", .fail, error.description))
            }
            if let probe, let sent {
                progress("looking for trace \(probe.stamp.traceID) in the logs…")
                checks.append(await probe.diagnose(sent, logs: logs, within: spec.diagnosis.within))
            }
        }
        if let traces = o.traces, let probe, let sent {
            progress("checking that traces carry greenlight's trace id…")
            checks.append(await probe.traces(sent, logs: logs, backend: traces.backend, session: session))
        }
        if let alerts = o.alerts {
            checks += await alertChecks(alerts, session: session)
        }
        return checks
    }

    /// The metrics check: greenlight's own requests between the two readings when a family must move.
    func metricsCheck(
        _ spec: MetricsSpec, _ metrics: MetricsSource, before: Result<Exposition, MetricsReadError>?,
        session: HTTPSession
    ) async -> CheckResult {
        let clock = ContinuousClock()
        let start = clock.now
        var previous: Exposition?
        if let before {
            switch before {
            case .success(let exposition): previous = exposition
            case .failure(let error): return MetricsCheck.unreadable("\(metrics.name): \(error.description)")
            }
            progress("sending \(ownRequests) requests for the metrics to count…")
            let target = url(o.health?.path ?? "/")
            for _ in 0..<ownRequests {
                _ = try? await session.send(
                    HTTPRequestRecord(
                        method: "GET", url: target, headers: [("User-Agent", "greenlight")], body: Data()),
                    timeout: .seconds(5))
            }
        }
        progress("reading the metrics from \(metrics.name)…")
        let check = MetricsCheck(required: spec.require)
        // A Prometheus server shows the requests after its next scrape: read again until they show (or 30 s).
        let patience: Duration = metrics.isPrometheus && previous != nil ? .seconds(30) : .zero
        while true {
            switch await metrics.read() {
            case .failure(let error):
                return MetricsCheck.unreadable(
                    "\(metrics.name): \(error.description)", durationSeconds: (clock.now - start).seconds)
            case .success(let after):
                let result = check.run(
                    after, before: previous, requests: previous == nil ? 0 : ownRequests, source: metrics.name,
                    durationSeconds: (clock.now - start).seconds)
                if result.status == .pass || clock.now - start >= patience { return result }
            }
            try? await Task.sleep(for: .seconds(1))
        }
    }

    private var o: ObservabilitySpec { observability }

    /// The rules, their routes (offline) and a test alert per paging rule through Alertmanager.
    func alertChecks(_ alerts: AlertsSpec, session: HTTPSession) async -> [CheckResult] {
        var checks: [CheckResult] = []
        if !alerts.rules.isEmpty {
            progress("checking \(Format.count(alerts.rules.count, "alert rule file"))…")
            checks.append(await AlertRulesCheck(alerts: alerts, directory: directory).run(session: session))
        }
        if alerts.alertmanager?.config != nil {
            checks.append(AlertRoutesCheck.run(alerts: alerts, directory: directory))
        }
        if let alertmanager = alerts.alertmanager {
            let testAlerts = Self.testAlerts(alerts, directory: directory)
            progress("sending \(Format.count(testAlerts.count, "test alert")) through Alertmanager…")
            checks.append(await AlertPipeline(alertmanager, trust: trust).check(testAlerts))
        }
        return checks
    }

    /// A test alert per paging rule, with the rule's labels and annotations (so the routing tested is
    /// the routing a real alert takes); without rules that page, one generic page.
    static func testAlerts(_ alerts: AlertsSpec, directory: String) -> [TestAlert] {
        let rules = (try? RuleFiles.load(paths: alerts.rules, directory: directory)) ?? []
        let paging = PagingRules(from: rules, paging: alerts.paging).rules
        guard !paging.isEmpty else {
            var annotations: [(String, String)] = []
            if let runbook = alerts.runbook { annotations.append(("runbook_url", runbook)) }
            return [
                TestAlert(name: "GreenlightReadinessTest", labels: [("severity", "page")], annotations: annotations)
            ]
        }
        var seen = Set<String>()
        return paging.compactMap { rule in
            let labels = rule.alertLabels.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
            // One alert per distinct label set: two rules of one name and severity page the same way.
            guard seen.insert(labels.map { "\($0.0)=\($0.1)" }.joined(separator: ",")).inserted else { return nil }
            let annotations = rule.annotations.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
            return TestAlert(labels: labels, annotations: annotations)
        }
    }
}

/// Where the metrics are read: the service's endpoint, or a Prometheus server's API.
struct MetricsSource: Sendable {
    let name: String
    let isPrometheus: Bool
    private let read: @Sendable () async -> Result<Exposition, MetricsReadError>
    private let close: @Sendable () async -> Void

    init(_ spec: MetricsSpec, baseURL: String, trust: TLSTrust) {
        if let prometheus = spec.prometheus {
            let names = spec.require.map(\.name)
            let reader = Result { () throws(MetricsReadError) in try PrometheusMetricsReader(prometheus, trust: trust) }
            name = "Prometheus at \(prometheus.url)"
            isPrometheus = true
            read = {
                switch reader {
                case .success(let reader):
                    do throws(MetricsReadError) { return .success(try await reader.read(names)) } catch {
                        return .failure(error)
                    }
                case .failure(let error): return .failure(error)
                }
            }
            close = { if case .success(let reader) = reader { await reader.shutdown() } }
        } else {
            let url = MetricsScraper.url(of: spec.endpoint ?? "/metrics", base: baseURL)
            let scraper = Result { () throws(MetricsReadError) in try MetricsScraper(trust: trust) }
            name = url
            isPrometheus = false
            read = {
                switch scraper {
                case .success(let scraper):
                    do throws(MetricsReadError) { return .success(try await scraper.scrape(url)) } catch {
                        return .failure(error)
                    }
                case .failure(let error): return .failure(error)
                }
            }
            close = { if case .success(let scraper) = scraper { await scraper.shutdown() } }
        }
    }

    func read() async -> Result<Exposition, MetricsReadError> { await read() }
    func shutdown() async { await close() }
}
