import Foundation
import GreenlightCore
import GreenlightHTTP

/// The alert → page path through a real Alertmanager: each paging alert is sent as a test alert
/// (labelled with a fresh `greenlight_test_id`, its annotations saying it is a test), must be routed to
/// the expected receiver, and must be delivered within `within`: seen arriving at greenlight's own
/// webhook receiver when the spec names one, otherwise in Alertmanager's notification counters. The
/// test alerts are resolved at the end, whatever happened.
public struct AlertPipeline: Sendable {
    public var alertmanager: AlertsSpec.AlertmanagerSpec
    /// How an https Alertmanager is trusted.
    public var trust: TLSTrust

    static let title = "Alert → page through Alertmanager"

    public init(_ alertmanager: AlertsSpec.AlertmanagerSpec, trust: TLSTrust = .system) {
        self.alertmanager = alertmanager
        self.trust = trust
    }

    /// Sends `alerts` through Alertmanager and returns the `observability.alert-pipeline` check, with
    /// each alert's delivery time (POST to arrival) as a measurement in seconds. Waiting ends at
    /// `within` after each alert is sent, or at `deadline` when that comes first.
    public func check(_ alerts: [TestAlert], deadline: ContinuousClock.Instant? = nil) async -> CheckResult {
        let started = ContinuousClock.now
        var result: CheckResult
        if alerts.isEmpty {
            result = ObservabilityCheck.result(
                ObservabilityCheck.alertPipeline, Self.title, .skipped, "no paging alerts to send through Alertmanager")
        } else {
            do {
                let session = try HTTPSession(trust: trust)
                result = await run(alerts, session: session, deadline: deadline)
                await session.shutdown()
            } catch {
                result = ObservabilityCheck.result(
                    ObservabilityCheck.alertPipeline, Self.title, .error,
                    "cannot set up requests to Alertmanager: \(error)")
            }
        }
        result.durationSeconds = Self.seconds(ContinuousClock.now - started)
        return result
    }

    /// Where delivery is seen.
    enum Delivery: Sendable {
        case webhook(WebhookReceiver)
        /// Alertmanager's counters, for these integrations of the receiver (all when unknown).
        case counters(integrations: Set<String>?)
    }

    private func run(_ alerts: [TestAlert], session: HTTPSession, deadline: ContinuousClock.Instant?) async
        -> CheckResult
    {
        let expected = alertmanager.receiver
        let client = AlertmanagerClient(
            url: alertmanager.url, session: session,
            timeout: .milliseconds(Int(min(5, max(0.1, alertmanager.within.seconds)) * 1000)))
        let status: AlertmanagerStatus
        do {
            status = try await client.status()
        } catch {
            let problem = (error as? AlertmanagerError)?.problem ?? "\(error)"
            return finding(
                .fail, "Alertmanager at \(client.baseURL) does not answer: \(problem)", details: ["\(error)"])
        }
        var details = ["Alertmanager \(status.versionInfo.version) at \(client.baseURL)"]
        if let names = status.receiverNames, !names.contains(expected) {
            let known = names.isEmpty ? "it has none" : "its receivers: " + names.joined(separator: ", ")
            return finding(.fail, "Alertmanager has no receiver named '\(expected)' (\(known))", details: details)
        }

        let delivery: Delivery
        if let address = alertmanager.webhook {
            do {
                delivery = .webhook(try await WebhookReceiver.start(on: address))
                details.append("delivery is seen at greenlight's webhook receiver on \(address)")
            } catch {
                return finding(.error, "\(error)", details: details)
            }
        } else {
            let integrations = status.integrations(of: expected)
            delivery = .counters(integrations: integrations)
            let which = integrations.map { $0.sorted().joined(separator: ", ") } ?? "all integrations"
            details.append("delivery is read from Alertmanager's notification counters (\(which))")
        }

        let followed = await follow(alerts, client: client, delivery: delivery, deadline: deadline)
        let resolveProblem = await resolve(followed.compactMap(\.posted), client: client)
        if case .webhook(let receiver) = delivery {
            await receiver.stop()
            details += receiver.problems.map { "greenlight's webhook receiver refused a payload: \($0)" }
        }
        return judge(followed.map(\.outcome), details: details, resolveProblem: resolveProblem)
    }

    /// Follows every alert: at once when each is told apart by its own notification, one after the
    /// other when only Alertmanager's counters (shared by all) tell.
    private func follow(
        _ alerts: [TestAlert], client: AlertmanagerClient, delivery: Delivery, deadline: ContinuousClock.Instant?
    ) async -> [(outcome: AlertOutcome, posted: PostableAlert?)] {
        if case .counters = delivery {
            var followed: [(outcome: AlertOutcome, posted: PostableAlert?)] = []
            for alert in alerts {
                followed.append(await follow(alert, client: client, delivery: delivery, deadline: deadline))
            }
            return followed
        }
        return await withTaskGroup(of: (Int, AlertOutcome, PostableAlert?).self) { group in
            for (index, alert) in alerts.enumerated() {
                group.addTask {
                    let (outcome, posted) = await follow(alert, client: client, delivery: delivery, deadline: deadline)
                    return (index, outcome, posted)
                }
            }
            var followed: [(Int, AlertOutcome, PostableAlert?)] = []
            for await one in group { followed.append(one) }
            return followed.sorted { $0.0 < $1.0 }.map { ($0.1, $0.2) }
        }
    }

    /// Resolves the posted test alerts in one request, whether or not the check was cancelled; tells
    /// what went wrong, if anything.
    private func resolve(_ posted: [PostableAlert], client: AlertmanagerClient) async -> String? {
        guard !posted.isEmpty else { return nil }
        // A task of its own: it runs even when this one is cancelled.
        return await Task {
            do {
                try await client.post(
                    posted.map { alert in
                        var ended = alert
                        ended.endsAt = max(Date(), alert.startsAt)
                        return ended
                    })
                return nil
            } catch {
                let ends = posted.compactMap(\.endsAt).max().map {
                    " (they end by themselves at \(PostableAlert.timestamp($0)))"
                }
                return "could not resolve the test alerts: \(error)\(ends ?? "")"
            }
        }.value
    }

    /// The check, from every alert's outcome.
    private func judge(_ outcomes: [AlertOutcome], details: [String], resolveProblem: String?) -> CheckResult {
        let expected = alertmanager.receiver
        var details = details + outcomes.map(\.line)
        details.append(resolveProblem ?? "resolved the test \(Format.noun(outcomes.count, "alert"))")
        let delivered = outcomes.compactMap { outcome in outcome.deliverySeconds.map { (outcome.name, $0) } }
        var measurements: [CheckResult.Measurement] = []
        if let slowest = delivered.map(\.1).max() {
            measurements.append(.init(name: "delivery_seconds", value: slowest, unit: "s"))
        }
        if delivered.count > 1 {
            measurements += delivered.map { .init(name: "delivery_seconds.\($0.0)", value: $0.1, unit: "s") }
        }
        let failures = outcomes.compactMap(\.problem)
        if let first = failures.first {
            let summary =
                outcomes.count == 1
                ? first
                : "\(failures.count) of \(Format.count(outcomes.count, "paging alert")) did not page \(expected): \(first)"
            return finding(.fail, summary, details: details, measurements: measurements)
        }
        let names = outcomes.map(\.name)
        let slowest = Format.duration(delivered.map(\.1).max() ?? 0)
        var summary =
            names.count == 1
            ? "\(names[0]) reached \(expected) and was delivered in \(slowest)"
            : "\(Self.list(names)) reached \(expected) and were delivered in at most \(slowest)"
        if resolveProblem != nil { summary += ", but the test alerts could not be resolved" }
        return finding(resolveProblem == nil ? .pass : .warn, summary, details: details, measurements: measurements)
    }

    private func finding(
        _ status: CheckStatus, _ summary: String, details: [String], measurements: [CheckResult.Measurement] = []
    ) -> CheckResult {
        ObservabilityCheck.result(
            ObservabilityCheck.alertPipeline, Self.title, status, summary, details: details, measurements: measurements)
    }

    /// `A`, `A and B`, `A, B and C`.
    static func list(_ items: [String]) -> String {
        guard items.count > 1 else { return items.first ?? "" }
        return items.dropLast().joined(separator: ", ") + " and " + items.last!
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
