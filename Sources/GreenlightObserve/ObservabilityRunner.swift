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

    public init(observability: ObservabilitySpec, baseURL: String, directory: String) {
        self.observability = observability
        self.baseURL = baseURL
        self.directory = directory
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

        if let health = o.health {
            progress("asking \(health.path) for health…")
            checks.append(
                await HealthCheck.run(
                    session: session, url: url(health.path), within: health.within,
                    trace: TraceStamp(propagation: propagation)))
        }

        var sent: DiagnosisProbe.Sent?
        var probe: DiagnosisProbe?
        if o.logs != nil || o.traces != nil {
            let diagnosis = DiagnosisProbe(baseURL: baseURL, path: o.logs?.diagnosis.path, propagation: propagation)
            progress("sending a failing request with trace \(diagnosis.stamp.traceID)…")
            sent = await diagnosis.send(session: session)
            probe = diagnosis
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
        return checks
    }
}
