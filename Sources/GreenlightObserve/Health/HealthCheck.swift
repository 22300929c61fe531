import Foundation
import GreenlightCore
import GreenlightHTTP

/// Health known within the budget (at most 30 s): the health endpoint is asked until it gives a
/// definite answer, and the time to that answer is the measurement. A 2xx is healthy; any other
/// status is a definite unhealthy answer; no answer at all (refused, timed out) is asked again
/// until the budget runs out.
public enum HealthCheck {
    /// Failures that are an answer: asking again within the budget would not change them.
    static let definite = ["the host does not resolve", "TLS handshake failed"]

    public static func run(
        session: HTTPSession, url: String, within: SpecDuration, trace: TraceStamp? = nil
    ) async -> CheckResult {
        let title = "Health known within \(within)"
        let clock = ContinuousClock()
        let start = clock.now
        let deadline = start + .milliseconds(Int64(within.seconds * 1000))
        let attemptTimeout = min(Duration.milliseconds(Int64(within.seconds * 1000)), .seconds(5))
        var attempts = 0
        var lastProblem = "no attempt"
        while clock.now < deadline {
            attempts += 1
            let record = HTTPRequestRecord(
                method: "GET", url: url, headers: [("User-Agent", "greenlight")] + (trace?.headers ?? []), body: Data())
            do {
                // One timeout for every attempt (the session keeps a client per timeout): a stalled
                // attempt may end the check up to that long after the budget, with the reason.
                let response = try await session.send(record, timeout: attemptTimeout)
                let seconds = (clock.now - start).seconds
                let measurement = CheckResult.Measurement(name: "time to health", value: seconds, unit: "s")
                if (200..<300).contains(response.status) {
                    return ObservabilityCheck.result(
                        ObservabilityCheck.health, title, .pass,
                        "GET \(url) answered \(response.status) in \(Format.duration(seconds))",
                        measurements: [measurement], durationSeconds: seconds)
                }
                return ObservabilityCheck.result(
                    ObservabilityCheck.health, title, .fail,
                    "GET \(url) answered \(response.status): the service says it is not healthy",
                    details: ["attempt \(attempts), after \(Format.duration(seconds))"], measurements: [measurement],
                    durationSeconds: seconds)
            } catch {
                lastProblem = "\(error)"
                // A name that does not resolve, a TLS failure or a bad URL will not mend within the budget.
                if Self.definite.contains(where: lastProblem.hasPrefix) || lastProblem.contains("is not a URL") {
                    return ObservabilityCheck.result(
                        ObservabilityCheck.health, title, .fail, "GET \(url): \(lastProblem)",
                        durationSeconds: (clock.now - start).seconds)
                }
            }
            // Asked again every 250 ms, the last time just before the budget runs out.
            let left = deadline - clock.now
            guard left > .milliseconds(20) else { break }
            try? await Task.sleep(for: min(.milliseconds(250), left - .milliseconds(10)))
        }
        return ObservabilityCheck.result(
            ObservabilityCheck.health, title, .fail,
            "no answer from GET \(url) within \(within): health is not known in time",
            details: ["\(Format.count(attempts, "attempt")); the last: \(lastProblem)"],
            durationSeconds: (clock.now - start).seconds)
    }
}
