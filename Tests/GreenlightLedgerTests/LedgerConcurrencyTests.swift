import Foundation
import GRDB
import GreenlightJSON
import GreenlightTestSupport
import Testing

@testable import GreenlightLedger

@Suite("Appending to one SQLite ledger from many writers")
struct LedgerConcurrencyTests {
    @Test("8 connections × 200 appends at once: all recorded, one linear chain")
    func concurrentAppends() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.appending("ledger.sqlite").path
        let writers = 8
        let appends = 200
        // Each writer opens the ledger itself, as a separate process would: its own connections, and the
        // first opening races the others to create the schema.
        let written = try await withThrowingTaskGroup(of: [LedgerRecord].self) { group in
            for writer in 0..<writers {
                group.addTask {
                    let store = try SQLiteLedgerStore(path: path)
                    var records: [LedgerRecord] = []
                    for index in 0..<appends {
                        records.append(
                            try await store.append(
                                kind: .signoff, release: "shop@1.4.0",
                                payload: .object([("writer", .int(writer)), ("index", .int(index))])))
                    }
                    return records
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        let store = try SQLiteLedgerStore(path: path)
        #expect(written.count == writers * appends)
        #expect(Set(written.map(\.sequence)) == Set(1...(writers * appends)))
        #expect(try await store.verify() == .intact(try await store.head()))
        #expect(try await store.head().count == writers * appends)
        let stored = try await store.records(from: 1, limit: writers * appends)
        #expect(Set(written) == Set(stored))
    }

    /// The ledger-bench executable beside the test binary: the tests' child process.
    static func bench() throws -> String {
        let bench = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("ledger-bench").path
        try #require(FileManager.default.isExecutableFile(atPath: bench), "build ledger-bench first: \(bench)")
        return bench
    }

    @Test("kill -9 in the middle of a burst of appends, 10 times: no partial record, the chain verifies")
    func killedWriter() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.appending("ledger.sqlite").path
        let bench = try Self.bench()
        var before = 0
        for round in 0..<10 {
            let child = try ChildProcess(bench, ["burst", path])
            let started = try await child.waitForOutput("appending", seconds: 30)
            try await Task.sleep(for: .milliseconds(20 + (round * 37) % 150))
            await child.kill()
            try #require(started)
            let store = try SQLiteLedgerStore(path: path)
            let head = try await store.head()
            #expect(head.count > before, "round \(round): the child appended nothing")
            before = head.count
            #expect(try await store.verify() == .intact(head), "round \(round)")
        }
        let queue = try DatabaseQueue(path: path)
        let (rows, integrity) = try await queue.read { db in
            (
                try Int.fetchOne(db, sql: "SELECT count(*) FROM ledger_record"),
                try String.fetchOne(db, sql: "PRAGMA integrity_check")
            )
        }
        #expect(rows == before)
        #expect(integrity == "ok")
    }
}
