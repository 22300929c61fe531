import Foundation
import GreenlightCanary
import GreenlightJSON
import GreenlightTestSupport
import Testing

@testable import GreenlightLedger
@testable import GreenlightServer

/// The server against its own document: schemathesis (PyPI) generates requests from docs/openapi.yaml
/// and checks every answer; and the 405 table matches the document.
@Suite("The team server against docs/openapi.yaml", .serialized)
struct ServerSchemaTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let document = root.appendingPathComponent("docs/openapi.yaml").path

    @Test("schemathesis finds no 5xx, no undocumented status, content type, header or body that breaks the schema")
    func schemathesis() async throws {
        let setup = try await ServerSetup.start()
        defer { Task { await setup.stop() } }
        let digest = try await setup.recordReport()
        try await setup.ledger.record(signOff: setup.signOff("erin", "engineering", digest))
        try await FlagStore(ledger: setup.ledger.store).set(
            FeatureFlag(key: "new-checkout", variants: ["on": .bool(true), "off": .bool(false)], defaultVariant: "on"),
            by: "test")
        let tool = try #require(
            ["/usr/local/bin/schemathesis", "/usr/bin/schemathesis"].first(where: FileManager.default.isExecutableFile)
                ?? Self.which("schemathesis"),
            "schemathesis is not installed: python3 -m pip install schemathesis (scripts/test installs it)")
        let output = try await ChildProcess.run(
            tool,
            [
                "run", Self.document, "--url", setup.server.baseURL, "-H",
                "Authorization: Bearer \(setup.tokens["sam"]!)", "--max-examples", "25", "--seed", "1",
                "--checks",
                "not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance",
                "--no-color",
            ], timeout: 600)
        // Every operation of the document was exercised.
        let selected = output.firstMatch(of: /Selected: (\d+)\/(\d+)/)
        #expect(selected != nil && selected?.1 == selected?.2, "\(output.suffix(3000))")
        #expect(selected.map { output.contains("Tested: \($0.2)") } == true, "\(output.suffix(3000))")
        #expect(!output.contains("Failures:"), "\(output.suffix(6000))")
    }

    @Test("a known path asked with a method it does not have is 405 with Allow; the table matches the document")
    func methodNotAllowed() async throws {
        let setup = try await ServerSetup.start()
        defer { Task { await setup.stop() } }
        let answer = try await setup.call(
            .DELETE, "/api/v1/releases/checkout@2.14.0/signoffs", token: setup.tokens["sam"])
        #expect(answer.status == 405)
        #expect(answer.header("Allow") == "GET, POST")
        #expect(try await setup.call(.GET, "/api/v1/nothing-here", token: setup.tokens["sam"]).status == 404)

        let script = """
            import sys, yaml
            paths = yaml.safe_load(open(sys.argv[1]))["paths"]
            for path, ops in paths.items():
                print(path, ",".join(sorted(m.upper() for m in ops if m in ("get", "post", "put", "patch", "delete"))))
            """
        let listed = try await ChildProcess.run("/usr/bin/env", ["python3", "-c", script, Self.document])
        let fromDocument = Set(listed.split(separator: "\n").map(String.init))
        let fromTable = Set(APIRoutes.table.map { "\($0.template) \($0.methods.joined(separator: ","))" })
        #expect(fromDocument == fromTable)
    }

    static func which(_ name: String) -> String? {
        for folder in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let path = "\(folder)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }
}
