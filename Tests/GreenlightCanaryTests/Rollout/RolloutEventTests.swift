import Foundation
import GreenlightLedger
import GreenlightTestSupport
import Testing

@testable import GreenlightCanary

@Suite("Rollout events in the ledger")
struct RolloutEventTests {
    @Test("weight changes, a drain and a rollback are recorded for their release and read back in order")
    func recordAndRead() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try SQLiteLedgerStore(path: folder.appending("ledger.sqlite").path)
        let log = RolloutEventLog(store: store, release: "checkout@2.14.0")
        let other = RolloutEventLog(store: store, release: "search@1.0.0")
        let events = [
            RolloutEvent(action: .weight, from: 0, to: 1, by: "admin-api 127.0.0.1"),
            RolloutEvent(action: .weight, from: 1, to: 5, by: "greenlight rollout", reason: "step 2 of 5"),
            RolloutEvent(action: .drain, from: 5, to: 0, by: "alice", reason: "error rate up"),
            RolloutEvent(action: .rollback, from: 0, to: 0, by: "greenlight rollout"),
        ]
        for event in events { try await log.record(event) }
        try await other.record(RolloutEvent(action: .weight, from: 0, to: 50, by: "bob"))
        #expect(try await log.events() == events)
        #expect(try await other.events().map(\.to) == [50])
        let history = try await ReleaseLedger(store: store).history(release: "checkout@2.14.0")
        #expect(history.map(\.kind) == Array(repeating: .rolloutEvent, count: 4))
        #expect(history[1].payload["reason"] == .string("step 2 of 5"))
        #expect(try await store.verify() == .intact(try await store.head()))
    }
}
