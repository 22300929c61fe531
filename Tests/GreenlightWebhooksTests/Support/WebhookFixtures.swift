import Foundation
import GreenlightJSON
import GreenlightLedger
import GreenlightTestSupport
import Logging

@testable import GreenlightWebhooks

/// Real ledgers for the webhook tests: a SQLite file in a temporary folder, with records shaped as the
/// command line and the rollout controller write them.
struct WebhookLedger {
    static let release = "checkout@2.14.0"
    static let digest = "sha256:" + String(repeating: "ab", count: 32)

    let folder: TemporaryFolder
    let store: any LedgerStore

    init(_ folder: TemporaryFolder) async throws {
        self.folder = folder
        store = try await LedgerLocation.file(folder.appending("ledger.sqlite").path).open()
    }

    @discardableResult
    func releaseRecord(ticket: String?, release: String = Self.release) async throws -> LedgerRecord {
        var members: [(String, JSONValue)] = [
            ("format", .string("greenlight-release")), ("service", .string("checkout")),
            ("version", .string("2.14.0")), ("owner", .string("payments")), ("author", .string("carol@example.com")),
        ]
        if let ticket { members.append(("ticket", .string(ticket))) }
        return try await store.append(kind: .release, release: release, payload: .object(members))
    }

    @discardableResult
    func report(verdict: String = "GO") async throws -> LedgerRecord {
        try await store.append(
            kind: .report, release: Self.release,
            payload: .object([
                ("format", .string("greenlight-report-entry")), ("digest", .string(Self.digest)),
                ("verdict", .string(verdict)), ("risk_class", .string("high")),
                ("required_roles", .array([.string("engineering"), .string("sre")])),
                ("forbid_author_approval", .bool(true)), ("author", .string("carol@example.com")),
                ("generated_at", .string("2026-12-01T01:00:00Z")), ("waivers", .array([])),
                ("report", .object([("verdict", .object([("decision", .string(verdict))]))])),
            ]))
    }

    @discardableResult
    func signOff(signer: String, role: String, decision: String = "approve", comment: String = "") async throws
        -> LedgerRecord
    {
        try await store.append(
            kind: .signoff, release: Self.release,
            payload: .object([
                ("format", .string("greenlight-signoff")), ("signer", .string(signer)), ("role", .string(role)),
                ("decision", .string(decision)), ("comment", .string(comment)),
                ("signed_at", .string("2026-12-01T01:05:00Z")), ("release", .string(Self.release)),
                ("report_digest", .string(Self.digest)),
            ]))
    }

    @discardableResult
    func gate(open: Bool, missing: [String] = []) async throws -> LedgerRecord {
        var members: [(String, JSONValue)] = [
            ("open", .bool(open)), ("by", .string("ci deploy #812")),
            ("missing", .array(missing.map { .string($0) })),
            (
                "approvals",
                .array(
                    open
                        ? [
                            .object([
                                ("role", .string("engineering")), ("signer", .string("alice")), ("record", .int(3)),
                            ]),
                            .object([("role", .string("sre")), ("signer", .string("bob")), ("record", .int(4))]),
                        ] : [])
            ),
        ]
        members.append(("report_digest", .string(Self.digest)))
        return try await store.append(kind: .gate, release: Self.release, payload: .object(members))
    }

    @discardableResult
    func rollout(_ action: String, from: JSONValue, to: JSONValue, reason: String? = nil) async throws -> LedgerRecord {
        var members: [(String, JSONValue)] = [
            ("action", .string(action)), ("by", .string("greenlight rollout")), ("from", from), ("to", to),
        ]
        if let reason { members.append(("reason", .string(reason))) }
        return try await store.append(kind: .rolloutEvent, release: Self.release, payload: .object(members))
    }
}

/// Runs `dispatcher` while `body` runs, then cancels it and waits for it to end.
func running<T>(_ dispatcher: WebhookDispatcher, _ body: () async throws -> T) async throws -> T {
    let task = Task { try await dispatcher.run() }
    defer { task.cancel() }
    do {
        let value = try await body()
        task.cancel()
        try await task.value
        return value
    } catch {
        task.cancel()
        _ = try? await task.value
        throw error
    }
}

/// Waits until `condition` holds, checking every 20 ms, for at most `seconds`; returns whether it held.
@discardableResult
func eventually(seconds: Double = 10, _ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while ContinuousClock.now < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return condition()
}

extension WebhookDispatcher.Configuration {
    /// Quick polls and tiny back-off delays.
    static func fast(attempts: Int = 4, statePath: String? = nil) -> Self {
        Self(
            pollInterval: .milliseconds(20),
            retry: WebhookRetryPolicy(
                attempts: attempts, initialDelay: .milliseconds(10), maximumDelay: .milliseconds(80)),
            requestTimeout: .seconds(5), statePath: statePath)
    }
}

extension WebhookDispatcher {
    /// A dispatcher whose log goes nowhere (the tests read its deliveries instead).
    static func quiet(
        store: any LedgerStore, targets: [WebhookTarget], configuration: Configuration
    ) throws -> WebhookDispatcher {
        try WebhookDispatcher(
            store: store, targets: targets, configuration: configuration,
            logger: Logger(label: "greenlight.webhooks.test", factory: { _ in SwiftLogNoOpLogHandler() }))
    }
}
