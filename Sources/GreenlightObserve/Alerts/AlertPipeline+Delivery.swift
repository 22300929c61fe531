import Foundation
import GreenlightCore

/// What became of one test alert.
struct AlertOutcome: Sendable {
    var name: String
    var testID: String
    /// The receivers of the groups that took it.
    var receivers: [String] = []
    /// From the POST to the notification's arrival.
    var deliverySeconds: Double?
    /// Why it did not page as it must; nil when it did.
    var problem: String?
    var notes: [String] = []

    /// The alert's line in the check's details.
    var line: String {
        let id = "\(TestAlert.testIDLabel)=\(testID)"
        if let problem { return (["\(problem) (\(id))"] + notes).joined(separator: "; ") }
        return (["\(name) (\(id)) was delivered in " + Format.duration(deliverySeconds ?? 0)] + notes).joined(
            separator: "; ")
    }
}

/// Why one alert's path stopped, in words for the check's summary.
private struct Stop: Error {
    var problem: String

    init(_ problem: String) { self.problem = problem }
}

extension AlertPipeline {
    /// Sends one test alert, finds the receiver it is routed to, and waits for its delivery. Returns
    /// what became of it and, once it may have reached Alertmanager, the alert to resolve.
    func follow(
        _ alert: TestAlert, client: AlertmanagerClient, delivery: Delivery, deadline: ContinuousClock.Instant?
    ) async -> (AlertOutcome, PostableAlert?) {
        let testID = UUID().uuidString.lowercased()
        var outcome = AlertOutcome(name: alert.name, testID: testID)
        let within = alertmanager.within.seconds
        let now = Date()
        let posted = alert.postable(testID: testID, startsAt: now, endsAt: now.addingTimeInterval(within + 60))
        var sent: PostableAlert?
        do {
            var before: NotificationCounters?
            if case .counters(let integrations) = delivery {
                before = try await counters(client, integrations: integrations)
            }
            let start = ContinuousClock.now
            var until = start + .milliseconds(Int(within * 1000))
            if let deadline { until = min(until, deadline) }
            sent = posted
            try await client.post([posted])
            outcome.receivers = try await route(alert.name, testID: testID, client: client, until: until)
            if outcome.receivers.count > 1 {
                outcome.notes.append(
                    "also routed to \(AlertPipeline.list(outcome.receivers.filter { $0 != alertmanager.receiver }))")
            }
            switch delivery {
            case .webhook(let receiver):
                try await awaitNotification(alert, testID: testID, at: receiver, since: start, until: until, &outcome)
            case .counters(let integrations):
                try await awaitCounters(
                    alert.name, client: client, integrations: integrations, before: before!, since: start, until: until,
                    &outcome)
            }
            if let seconds = outcome.deliverySeconds, seconds > within {
                throw Stop(
                    "\(alert.name) was delivered in \(Format.duration(seconds)), over the budget of \(alertmanager.within)"
                )
            }
        } catch let stop as Stop {
            outcome.problem = stop.problem
        } catch is CancellationError {
            outcome.problem = "the check was cancelled before \(alert.name) was delivered"
        } catch {
            let what = sent == nil ? "reading Alertmanager's counters" : "following \(alert.name)"
            outcome.problem =
                Task.isCancelled
                ? "the check was cancelled before \(alert.name) was delivered" : "\(what) failed: \(error)"
        }
        return (outcome, sent)
    }

    /// Waits until the test alert shows in an alert group and returns the receivers of the groups
    /// holding it; throws when the expected receiver is not among them, or the alert is silenced or
    /// inhibited there.
    private func route(
        _ name: String, testID: String, client: AlertmanagerClient, until: ContinuousClock.Instant
    ) async throws -> [String] {
        let expected = alertmanager.receiver
        while true {
            let groups = try await client.groups(matching: [(TestAlert.testIDLabel, testID)])
            let holding = groups.compactMap { group in
                group.alerts.first { $0.labels[TestAlert.testIDLabel] == testID }.map { (group.receiver.name, $0) }
            }
            if !holding.isEmpty {
                var receivers: [String] = []
                for (receiver, _) in holding where !receivers.contains(receiver) { receivers.append(receiver) }
                guard let mine = holding.first(where: { $0.0 == expected })?.1 else {
                    let noun = Format.noun(receivers.count, "receiver")
                    let names = AlertPipeline.list(receivers.map { "'\($0)'" })
                    throw Stop("\(name) was routed to \(noun) \(names), not to '\(expected)'")
                }
                if !mine.status.silencedBy.isEmpty {
                    throw Stop(
                        "\(name) reached \(expected) but is silenced (silence \(mine.status.silencedBy.joined(separator: ", "))): it would not page"
                    )
                }
                if !mine.status.inhibitedBy.isEmpty {
                    throw Stop(
                        "\(name) reached \(expected) but another firing alert inhibits it (\(mine.status.inhibitedBy.joined(separator: ", "))): it would not page"
                    )
                }
                return receivers
            }
            guard ContinuousClock.now < until else {
                throw Stop("\(name) was accepted by Alertmanager but did not show in any alert group")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Waits for the notification carrying the test alert at greenlight's webhook receiver.
    private func awaitNotification(
        _ alert: TestAlert, testID: String, at receiver: WebhookReceiver, since start: ContinuousClock.Instant,
        until: ContinuousClock.Instant, _ outcome: inout AlertOutcome
    ) async throws {
        let expected = alertmanager.receiver
        let found = await receiver.notification(until: until) {
            $0.notification.receiver == expected
                && $0.notification.alert(labelled: TestAlert.testIDLabel, testID)?.status == "firing"
        }
        try Task.checkCancellation()
        guard let found, let delivered = found.notification.alert(labelled: TestAlert.testIDLabel, testID) else {
            let waited = Format.duration(AlertPipeline.seconds(ContinuousClock.now - start))
            let others = receiver.notifications.filter {
                $0.notification.alert(labelled: TestAlert.testIDLabel, testID) != nil
            }.map(\.notification.receiver)
            if !others.isEmpty {
                throw Stop(
                    "\(alert.name) reached \(expected), but the notification that came was sent by receiver \(AlertPipeline.list(others.map { "'\($0)'" }))"
                )
            }
            throw Stop(
                "\(alert.name) reached \(expected) but no notification came to greenlight's webhook on \(receiver.address) within \(waited)"
            )
        }
        outcome.deliverySeconds = AlertPipeline.seconds(found.arrived - start)
        if let runbook = alert.runbookURL {
            outcome.notes.append(
                delivered.annotations["runbook_url"] == runbook
                    ? "the page links to the runbook \(runbook)" : "the page came without the rule's runbook_url")
        } else {
            outcome.notes.append("the rule has no runbook_url annotation")
        }
    }

    /// Waits until Alertmanager's counters show a delivery to the receiver's integrations.
    private func awaitCounters(
        _ name: String, client: AlertmanagerClient, integrations: Set<String>?, before: NotificationCounters,
        since start: ContinuousClock.Instant, until: ContinuousClock.Instant, _ outcome: inout AlertOutcome
    ) async throws {
        let expected = alertmanager.receiver
        while true {
            let now = try await counters(client, integrations: integrations)
            let delivered =
                now.countsAttempts
                ? now.deliveries > before.deliveries
                : now.notifications > before.notifications && now.failedNotifications == before.failedNotifications
            if delivered {
                outcome.deliverySeconds = AlertPipeline.seconds(ContinuousClock.now - start)
                outcome.notes.append("seen in Alertmanager's notification counters, read every 0.1 s")
                return
            }
            if now.failedNotifications > before.failedNotifications {
                throw Stop(
                    "\(name) reached \(expected) but Alertmanager gave up delivering it (alertmanager_notifications_failed_total rose by \(Format.number(now.failedNotifications - before.failedNotifications)))"
                )
            }
            guard ContinuousClock.now < until else {
                let waited = Format.duration(AlertPipeline.seconds(ContinuousClock.now - start))
                if now.failedRequests > before.failedRequests {
                    let attempts = Int(now.failedRequests - before.failedRequests)
                    throw Stop(
                        "\(name) reached \(expected) but \(Format.count(attempts, "attempt")) to deliver it failed within \(waited) (alertmanager_notification_requests_failed_total); Alertmanager's log tells why"
                    )
                }
                throw Stop("\(name) reached \(expected) but Alertmanager sent no notification within \(waited)")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    private func counters(_ client: AlertmanagerClient, integrations: Set<String>?) async throws
        -> NotificationCounters
    {
        NotificationCounters.read(
            try await client.metrics(), integrations: integrations, receiver: alertmanager.receiver)
    }
}
