import Foundation
import GreenlightCore
import GreenlightLedger
import GreenlightTestSupport
import Testing

@testable import GreenlightGate

/// The acceptance "no secret of the spec appears in the ledger": the report `greenlight check` records
/// comes from a run whose spec sent a `${TOKEN}` to a server that echoes it back; every byte of the
/// SQLite files is searched for it.
@Suite("Secrets and the ledger")
struct LedgerSecretTests {
    static let token = "tok-" + UUID().uuidString

    @Test("a report from a run that sent ${TOKEN} and had it echoed back is recorded without the token, in any form")
    func noSecretInLedger() async throws {
        // Every request fails with a 500 whose body echoes the request's head, Authorization included.
        let server = try await LoopbackHTTPServer(
            .respond { head in
                let echoed = head.split(separator: "\r\n").map { "\"\($0)\"" }.joined(separator: ", ")
                return .init(
                    status: 500, reason: "Internal Server Error", headers: [("Content-Type", "application/json")],
                    body: "{\"you_sent\": [\(echoed)]}")
            })
        let spec = try SpecFixtures.load(
            """
            version: 1
            service: { name: shop, version: 1.0.0, owner: shop-team }
            environments:
              staging: { url: "http://127.0.0.1:\(server.port)" }
            risk: { likelihood: 1, impact: 1 }
            signoff: { required: [engineering] }
            smoke:
              scenarios:
                - name: look
                  steps:
                    - request: { path: /orders, headers: { Authorization: "Bearer ${TOKEN}" } }
                      expect: { status: 200 }

            """, env: ["TOKEN": Self.token], file: "release.yaml")
        var run = ReadinessRun(spec: spec, policy: .standard, environment: try spec.targetEnvironment(nil))
        run.parts = [.smoke]
        let report = try await run.run()
        await server.shutdown()
        // The token reached the server, and the report holds what it echoed, masked.
        #expect(server.requests.withValue { $0.joined() }.contains("Bearer \(Self.token)"))
        let reportText = String(decoding: report.json(), as: UTF8.self)
        #expect(reportText.contains("Authorization: Bearer ***"), "\(reportText)")

        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try SQLiteLedgerStore(path: folder.appending("ledger.sqlite").path)
        let ledger = ReleaseLedger(store: store)
        try await ledger.record(
            report: report, specRoles: spec.signoff?.required ?? [],
            forbidAuthorApproval: spec.signoff?.forbidAuthorApproval ?? true)

        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        #expect(files.contains("ledger.sqlite"))
        var bytes = Data()
        for name in files where name.hasPrefix("ledger.sqlite") {
            bytes += try Data(contentsOf: folder.appending(name))
        }
        let forms = [
            Self.token, Data(Self.token.utf8).base64EncodedString(), "Bearer \(Self.token)",
            Data("Bearer \(Self.token)".utf8).base64EncodedString(),
        ]
        for form in forms {
            #expect(bytes.range(of: Data(form.utf8)) == nil, "the ledger files hold \(form)")
        }
        // The search can find what is there: the masked header is in the files as the report holds it.
        #expect(bytes.range(of: Data("Authorization: Bearer ***".utf8)) != nil)
        let recorded = try #require(try await ledger.latestReport(release: "shop@1.0.0"))
        #expect(recorded.entry.digest == report.digest)
        #expect(recorded.entry.verdict == "NO-GO")
    }
}
