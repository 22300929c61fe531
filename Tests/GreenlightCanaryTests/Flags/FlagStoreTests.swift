import Foundation
import GreenlightJSON
import GreenlightLedger
import Testing

@testable import GreenlightCanary

@Suite("Flags in the ledger")
struct FlagStoreTests {
    @Test("set and kill append ledger-wide flag-change records; the latest per key is the state")
    func latestWins() async throws {
        let ledger = try FlagLedger()
        defer { ledger.remove() }
        try await ledger.seed()
        var flag = try #require(ledger.store.snapshot["new-checkout"])
        flag.rollout = .init(percentage: 60, variant: "on")
        let changed = try await ledger.store.set(flag, by: "alice", reason: "steady")
        let killed = try #require(try await ledger.store.kill("new-checkout", by: "carol", reason: "5xx"))
        #expect(killed.sequence == changed.sequence + 1)

        let records = try await ledger.store.ledger.records(release: nil, kind: .flagChange, after: 0, limit: 100)
        #expect(records.count == 7)
        #expect(records.allSatisfy { $0.release == nil })
        #expect(records.last?.payload["action"] == .string("kill"))
        #expect(records.last?.payload["by"] == .string("carol"))
        #expect(records.last?.payload["reason"] == .string("5xx"))

        // A fresh reader sees the same state.
        let fresh = try await ledger.otherHandle().refresh()
        #expect(fresh.entries.count == 5)
        #expect(fresh["new-checkout"]?.killed == true)
        #expect(fresh["new-checkout"]?.rollout?.percentage == 60)
        #expect(fresh.entries["new-checkout"]?.by == "carol")
        #expect(fresh.etag == "\"\(killed.sequence)\"")
        // Killing again changes nothing.
        #expect(try await ledger.store.kill("new-checkout", by: "carol") == nil)
        let verification = try await ledger.store.ledger.records(from: 1, limit: 100)
        #expect(verification.count == 7)
    }

    @Test("a killed flag is set again only with revive; an unknown flag cannot be killed")
    func revive() async throws {
        let ledger = try FlagLedger()
        defer { ledger.remove() }
        try await ledger.seed()
        try await ledger.store.kill("theme", by: "carol")
        let theme = try #require(ledger.store.snapshot["theme"])
        await #expect(throws: FlagError.self) { try await ledger.store.set(theme, by: "alice") }
        let revived = try await ledger.store.set(theme, by: "alice", revive: true)
        #expect(revived.flag.killed == false)
        await #expect(throws: FlagError.self) { try await ledger.store.kill("nope", by: "carol") }
        await #expect(throws: FlagError.self) {
            try await ledger.store.set(
                FeatureFlag(key: "x", variants: ["a": .bool(true)], defaultVariant: "b"), by: "a")
        }
    }

    @Test("a refresh reads only flag changes after the last one seen, and skips other ledger-wide records")
    func incremental() async throws {
        let ledger = try FlagLedger()
        defer { ledger.remove() }
        try await ledger.seed()
        let reader = try ledger.otherHandle()
        let first = try await reader.refresh()
        #expect(first.sequence == 5)
        // A ledger-wide record of another kind (as an admin key or a signer would be) is not a flag.
        _ = try await ledger.store.ledger.append(
            kind: .signer, release: nil, payload: .object([("name", .string("x"))]))
        try await ledger.store.kill("ratio", by: "carol")
        let second = try await reader.refresh()
        #expect(second.sequence == 7)
        #expect(second.lastChange == 7)
        #expect(second.problems.isEmpty)
        #expect(second["ratio"]?.killed == true)
        #expect(second.etag != first.etag)
        // Nothing new: the same snapshot, the same ETag.
        #expect(try await reader.refresh().etag == second.etag)
    }
}
