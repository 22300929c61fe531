import Foundation
import GreenlightJSON
import GreenlightLedger
import GreenlightTestSupport
import Testing

@testable import GreenlightWebhooks

/// Retries, failures, the per-target queues and the cursor, against real receivers and a real ledger.
@Suite struct WebhookDeliveryTests {
    static let secret = "raw-hmac-secret-value"

    @Test func retriesAfterTwo500sThenDelivers() async throws {
        try await withTemporaryFolder { folder in
            let ledger = try await WebhookLedger(folder)
            let receiver = try await RecordingReceiver { index in
                index < 2 ? .init(status: 500, body: "try later") : .init(status: 204)
            }
            defer { Task { await receiver.shutdown() } }
            let target = try WebhookTarget.json(name: "audit", url: receiver.url, secret: Self.secret)
            let dispatcher = try WebhookDispatcher.quiet(
                store: ledger.store, targets: [target], configuration: .fast().startingFromFirstRecord)
            try await running(dispatcher) {
                try await ledger.report()
                #expect(await eventually { dispatcher.deliveries().first?.status == .delivered })
            }
            let delivery = try #require(dispatcher.deliveries().first)
            #expect(delivery.attempts == 3)
            #expect(delivery.httpStatus == 204)
            #expect(delivery.error == nil)
            #expect(delivery.event == .reportRecorded)
            #expect(receiver.count == 3)
            // Each attempt carries the same id (a receiver drops duplicates by it).
            #expect(Set(receiver.requests.current.compactMap { $0.header("webhook-id") }).count == 1)
            #expect(dispatcher.failureCount == 0)
        }
    }

    @Test func a400IsNotRetried() async throws {
        try await withTemporaryFolder { folder in
            let ledger = try await WebhookLedger(folder)
            let receiver = try await RecordingReceiver { _ in .init(status: 400, body: #"{"message":"bad"}"#) }
            defer { Task { await receiver.shutdown() } }
            let target = try WebhookTarget.json(name: "audit", url: receiver.url, secret: Self.secret)
            let dispatcher = try WebhookDispatcher.quiet(
                store: ledger.store, targets: [target], configuration: .fast().startingFromFirstRecord)
            try await running(dispatcher) {
                try await ledger.signOff(signer: "alice", role: "engineering")
                #expect(await eventually { dispatcher.deliveries().first?.status == .failed })
                // Time for a retry to show, were there one.
                try await Task.sleep(for: .milliseconds(200))
            }
            let delivery = try #require(dispatcher.deliveries().first)
            #expect(delivery.attempts == 1)
            #expect(delivery.httpStatus == 400)
            #expect(delivery.error == #"HTTP 400: {"message":"bad"}"#)
            #expect(receiver.count == 1)
            #expect(dispatcher.failureCount == 1)
        }
    }

    @Test func a429WithRetryAfterIsRetried() async throws {
        try await withTemporaryFolder { folder in
            let ledger = try await WebhookLedger(folder)
            let receiver = try await RecordingReceiver { index in
                index == 0 ? .init(status: 429, headers: [("Retry-After", "0")]) : .init(status: 200)
            }
            defer { Task { await receiver.shutdown() } }
            let target = try WebhookTarget.slack(name: "chat", url: receiver.url + "/services/x")
            let dispatcher = try WebhookDispatcher.quiet(
                store: ledger.store, targets: [target], configuration: .fast().startingFromFirstRecord)
            try await running(dispatcher) {
                try await ledger.rollout("promote", from: .int(50), to: .int(100))
                #expect(await eventually { dispatcher.deliveries().first?.status == .delivered })
            }
            #expect(dispatcher.deliveries().first?.attempts == 2)
        }
    }

    @Test func aDeadTargetFailsAfterItsAttemptsWithoutHoldingBackAnother() async throws {
        try await withTemporaryFolder { folder in
            let ledger = try await WebhookLedger(folder)
            let live = try await RecordingReceiver()
            defer { Task { await live.shutdown() } }
            let deadPort = Loopback.closedPort()
            let dead = try WebhookTarget.json(name: "dead", url: "http://127.0.0.1:\(deadPort)/in", secret: Self.secret)
            let alive = try WebhookTarget.json(name: "alive", url: live.url, secret: Self.secret)
            var configuration = WebhookDispatcher.Configuration.fast(attempts: 3).startingFromFirstRecord
            // The dead target's three attempts take at least 0.6 s of back-off.
            configuration.retry = WebhookRetryPolicy(
                attempts: 3, initialDelay: .milliseconds(300), maximumDelay: .seconds(1))
            let dispatcher = try WebhookDispatcher.quiet(
                store: ledger.store, targets: [dead, alive], configuration: configuration)
            try await running(dispatcher) {
                try await ledger.gate(open: true)
                try await ledger.rollout("step", from: .int(5), to: .int(25))
                #expect(await eventually { live.count == 2 })
                #expect(await eventually { dispatcher.deliveries().filter { $0.status == .failed }.count == 2 })
            }
            let deliveries = dispatcher.deliveries()
            let failed = deliveries.filter { $0.target == "dead" }
            #expect(failed.count == 2)
            #expect(failed.allSatisfy { $0.status == .failed && $0.attempts == 3 && $0.httpStatus == nil })
            #expect(failed.allSatisfy { $0.error == "connection refused" })
            #expect(dispatcher.failureCount == 2)
            let delivered = deliveries.filter { $0.target == "alive" }
            #expect(delivered.map(\.status) == [WebhookDelivery.Status.delivered, .delivered])
            #expect(delivered.map(\.attempts) == [1, 1])
            // Both live deliveries landed before the dead target gave up on its first event.
            let firstFailure = try #require(failed.map(\.time).min())
            #expect(live.requests.current.allSatisfy { $0.time < firstFailure })
        }
    }

    @Test func aRestartResumesAfterTheSavedCursorWithoutResending() async throws {
        try await withTemporaryFolder { folder in
            let ledger = try await WebhookLedger(folder)
            let receiver = try await RecordingReceiver()
            defer { Task { await receiver.shutdown() } }
            let statePath = folder.appending("state/webhooks.json").path
            let target = try WebhookTarget.json(name: "audit", url: receiver.url, secret: Self.secret)
            try await ledger.releaseRecord(ticket: "acme/checkout#1")
            try await ledger.report()  // history before the first start: not delivered

            let first = try WebhookDispatcher.quiet(
                store: ledger.store, targets: [target], configuration: .fast(statePath: statePath))
            try await running(first) {
                #expect(await eventually { first.cursor == 2 })
                try await ledger.signOff(signer: "alice", role: "engineering")
                try await ledger.signOff(signer: "bob", role: "sre")
                #expect(await eventually { receiver.count == 2 && first.cursor == 4 })
            }
            let saved = try JSONValue(parsing: Data(contentsOf: URL(fileURLWithPath: statePath)))
            #expect(saved["sequence"] == .int(4))

            // Written while no dispatcher runs: the restarted one delivers it, and only it.
            try await ledger.gate(open: true)
            let second = try WebhookDispatcher.quiet(
                store: ledger.store, targets: [target], configuration: .fast(statePath: statePath))
            try await running(second) {
                #expect(await eventually { receiver.count == 3 && second.cursor == 5 })
                try await Task.sleep(for: .milliseconds(200))
            }
            let types = try receiver.requests.current.map { try JSONValue(parsing: $0.body)["type"] }
            #expect(types == [.string("signoff.recorded"), .string("signoff.recorded"), .string("gate.decided")])
        }
    }

    /// The cursor does not pass an event still being retried: stopped then, the next start delivers it
    /// again, with the same id.
    @Test func anEventInFlightAtAStopIsDeliveredAfterTheRestart() async throws {
        try await withTemporaryFolder { folder in
            let ledger = try await WebhookLedger(folder)
            let failing = try await RecordingReceiver { _ in .init(status: 503) }
            defer { Task { await failing.shutdown() } }
            let working = try await RecordingReceiver()
            defer { Task { await working.shutdown() } }
            let statePath = folder.appending("webhooks.json").path
            try await ledger.releaseRecord(ticket: nil)

            let first = try WebhookDispatcher.quiet(
                store: ledger.store,
                targets: [try WebhookTarget.json(name: "audit", url: failing.url, secret: Self.secret)],
                configuration: .fast(attempts: 1000, statePath: statePath))
            try await running(first) {
                #expect(await eventually { first.cursor == 1 })
                try await ledger.gate(open: true)
                #expect(await eventually { failing.count >= 3 })
                #expect(first.deliveries().first?.status == .retrying)
                #expect(first.cursor == 1)
            }
            let saved = try JSONValue(parsing: Data(contentsOf: URL(fileURLWithPath: statePath)))
            #expect(saved["sequence"] == .int(1))

            let second = try WebhookDispatcher.quiet(
                store: ledger.store,
                targets: [try WebhookTarget.json(name: "audit", url: working.url, secret: Self.secret)],
                configuration: .fast(statePath: statePath))
            try await running(second) {
                #expect(await eventually { working.count == 1 && second.cursor == 2 })
            }
            let firstID = failing.requests.current.first?.header("webhook-id")
            #expect(firstID != nil)
            #expect(working.requests.current.first?.header("webhook-id") == firstID)
        }
    }

    @Test func noSecretInErrorTexts() async throws {
        try await withTemporaryFolder { folder in
            let ledger = try await WebhookLedger(folder)
            let token = "ghp_TOKEN0123456789"
            let deadSlack = "http://127.0.0.1:\(Loopback.closedPort())/services/T1/B2/SLACKSECRET"
            // Slack's URL is the secret: a server quoting its path back is masked too.
            let slack = try await RecordingReceiver { _ in
                .init(status: 404, body: "no_service for /services/T1/B2/SLACKSECRET")
            }
            defer { Task { await slack.shutdown() } }
            let echo = try await RecordingReceiver { _ in .init(status: 401, body: "") }
            defer { Task { await echo.shutdown() } }
            // A server that quotes the request's credentials back in its error, as some proxies do.
            let echoing = try await RecordingReceiver { _ in
                .init(status: 403, body: "refused Authorization: Bearer \(token)")
            }
            defer { Task { await echoing.shutdown() } }
            let targets = [
                try WebhookTarget.slack(name: "chat", url: deadSlack),
                try WebhookTarget.slack(name: "chat-live", url: slack.url + "/services/T1/B2/SLACKSECRET"),
                try WebhookTarget.github(name: "gh", token: token, api: echoing.url, repository: "acme/r", issue: 1),
                try WebhookTarget.json(
                    name: "audit", url: echo.url + "/in?key=QUERYSECRET", secret: "whsec_c2VjcmV0LXZhbHVl"),
            ]
            let dispatcher = try WebhookDispatcher.quiet(
                store: ledger.store, targets: targets, configuration: .fast(attempts: 2).startingFromFirstRecord)
            try await running(dispatcher) {
                try await ledger.gate(open: true)
                #expect(
                    await eventually(seconds: 20) { dispatcher.deliveries().filter { $0.status == .failed }.count == 4 }
                )
            }
            let errors = dispatcher.deliveries().compactMap(\.error)
            #expect(errors.count == 4)
            for error in errors {
                for secret in [token, "SLACKSECRET", "QUERYSECRET", "c2VjcmV0LXZhbHVl", "/services/T1"] {
                    #expect(!error.contains(secret), "\(error) shows \(secret)")
                }
            }
            #expect(errors.contains("HTTP 403: refused Authorization: Bearer ***"))
            #expect(errors.contains("HTTP 404: no_service for ***"))
            for target in targets { #expect(!target.description.contains("SECRET")) }
        }
    }

    @Test func firstStartBeginsAtTheHead() async throws {
        try await withTemporaryFolder { folder in
            let ledger = try await WebhookLedger(folder)
            let receiver = try await RecordingReceiver()
            defer { Task { await receiver.shutdown() } }
            try await ledger.report()
            try await ledger.gate(open: false, missing: ["no approval by sre"])
            let target = try WebhookTarget.json(name: "audit", url: receiver.url, secret: Self.secret)
            let dispatcher = try WebhookDispatcher.quiet(store: ledger.store, targets: [target], configuration: .fast())
            try await running(dispatcher) {
                #expect(await eventually { dispatcher.cursor == 2 })
                try await ledger.rollout("step", from: .int(0), to: .int(5))
                try await ledger.rollout("analysis", from: .int(5), to: .int(5))  // not an event
                #expect(await eventually { receiver.count == 1 && dispatcher.cursor == 4 })
            }
            #expect(receiver.count == 1)
            let body = try JSONValue(parsing: try #require(receiver.requests.current.first).body)
            #expect(body["type"] == .string("rollout.step"))
            #expect(body["summary"] == .string("checkout@2.14.0: canary step to 5 % (from 0 %)"))
        }
    }

    @Test func backOffDoublesUpToItsCapAndHonoursASmallRetryAfter() {
        let policy = WebhookRetryPolicy(
            attempts: 6, initialDelay: .seconds(1), maximumDelay: .seconds(8), maximumRetryAfter: .seconds(30))
        #expect((1...5).map { policy.delay(after: $0, retryAfter: nil) } == [1, 2, 4, 8, 8].map { .seconds($0) })
        #expect(policy.delay(after: 1, retryAfter: "20") == .seconds(20))
        #expect(policy.delay(after: 2, retryAfter: "3600") == .seconds(2))
        #expect(policy.delay(after: 3, retryAfter: "Wed, 21 Oct 2015 07:28:00 GMT") == .seconds(4))
        #expect([500, 502, 503, 408, 429].allSatisfy(WebhookRetryPolicy.isRetryable(status:)))
        #expect(![400, 401, 403, 404, 410, 422].contains(where: WebhookRetryPolicy.isRetryable(status:)))
    }
}
