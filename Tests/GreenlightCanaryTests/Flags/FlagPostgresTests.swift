import Foundation
import GreenlightJSON
import GreenlightLedger
import GreenlightTestSupport
import Testing

@testable import GreenlightCanary

/// Flags in a PostgreSQL ledger (the suite's throwaway cluster): what a team running several
/// routers and `flag serve` processes against one shared ledger relies on.
@Suite("Flags in a PostgreSQL ledger", .postgresServer, .serialized)
struct FlagPostgresTests {
    @Test(
        "set, kill and revive on PostgreSQL; another handle (as another process) sees each change at its next refresh")
    func sharedLedger() async throws {
        let server = try #require(PostgresServer.current, "the suite's PostgreSQL server did not start")
        let location = try LedgerLocation(server.url)
        let writer = FlagStore(ledger: try await location.open())
        let reader = FlagStore(ledger: try await location.open())
        defer {
            Task {
                await writer.ledger.close()
                await reader.ledger.close()
            }
        }
        let flag = FeatureFlag(
            key: "new-checkout", variants: ["on": .bool(true), "off": .bool(false)], defaultVariant: "off",
            rollout: .init(percentage: 5, variant: "on"))
        let set = try await writer.set(flag, by: "alice", reason: "canary 2.14.0")
        var seen = try await reader.refresh()
        #expect(seen["new-checkout"]?.rollout?.percentage == 5)
        #expect(seen["new-checkout"]?.killed == false)
        #expect(seen.etag == "\"\(set.sequence)\"")

        let killed = try #require(try await writer.kill("new-checkout", by: "carol", reason: "5xx on canary"))
        seen = try await reader.refresh()
        #expect(seen["new-checkout"]?.killed == true)
        #expect(seen.entries["new-checkout"]?.by == "carol")
        #expect(seen.etag == "\"\(killed.sequence)\"")
        // Evaluated as a client would be: killed means the default variant for everyone.
        let result = FlagEvaluator.evaluate("new-checkout", in: seen, context: EvaluationContext(targetingKey: "u1"))
        guard case .success(_, let value, let variant, let reason, _) = result else {
            Issue.record("a killed flag did not evaluate: \(result)")
            return
        }
        #expect(value == .bool(false))
        #expect(variant == "off")
        #expect(reason == .disabled)

        await #expect(throws: FlagError.self) { try await writer.set(flag, by: "alice") }
        _ = try await writer.set(flag, by: "alice", revive: true)
        #expect(try await reader.refresh()["new-checkout"]?.killed == false)

        let records = try await reader.ledger.records(release: nil, kind: .flagChange, after: 0, limit: 100)
        #expect(records.map { $0.payload["action"] } == [.string("set"), .string("kill"), .string("set")])
    }
}
