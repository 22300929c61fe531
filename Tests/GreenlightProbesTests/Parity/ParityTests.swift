import Foundation
import GreenlightCore
import GreenlightDemo
import GreenlightHTTP
import GreenlightTestSupport
import Testing

@testable import GreenlightProbes

@Suite("Environment parity")
struct ParityTests {
    let staging = Descriptor(values: [
        "os.name": "debian", "runtime.swift": "6.3.1", "config.max_connections": "200", "hostname": "stg-1",
        "secrets.stripe_key": "sk_live_AAAA", "database.password": "hunter2-staging",
        "feature_flags.checkout-v2": "true",
    ])

    func production(_ changes: [String: String?]) -> Descriptor {
        var values = staging.values
        for (k, v) in changes { values[k] = v }
        return Descriptor(values: values)
    }

    @Test("undeclared drift fails and is listed key by key; ignored keys pass")
    func drift() {
        let prod = production([
            "hostname": "prd-7", "config.max_connections": "100", "runtime.swift": nil, "os.version": "12",
        ])
        let check = ParityComparison(
            left: ("staging", staging), right: ("production", prod), ignore: ["hostname"], redactor: Redactor()
        ).check()
        #expect(check.status == .fail)
        #expect(
            check.summary
                == "3 undeclared differences: config.max_connections, os.version, runtime.swift; add expected ones to parity.ignore"
        )
        let table = check.details.joined(separator: "\n")
        #expect(table.contains("config.max_connections  200"))
        #expect(table.contains("100"))
        #expect(table.contains("(absent)"))
        #expect(table.contains("ignored (parity.ignore): hostname"))

        let ignored = ParityComparison(
            left: ("staging", staging), right: ("production", prod),
            ignore: ["hostname", "config.*", "runtime", "os.version"], redactor: Redactor()
        ).check()
        #expect(ignored.status == .pass, "\(ignored.summary)")
    }

    @Test("secret values are compared by hash and never shown")
    func secrets() {
        let prod = production(["secrets.stripe_key": "sk_live_BBBB", "database.password": "hunter2-production"])
        let check = ParityComparison(
            left: ("staging", staging), right: ("production", prod), ignore: [], redactor: Redactor()
        ).check()
        #expect(check.status == .fail)
        let all = check.summary + check.details.joined(separator: "\n")
        for secret in ["sk_live_AAAA", "sk_live_BBBB", "hunter2-staging", "hunter2-production"] {
            #expect(!all.contains(secret), "\(secret) shown")
        }
        #expect(all.contains("secret sha256:"))
        let same = ParityComparison(
            left: ("staging", staging), right: ("production", staging), ignore: [], redactor: Redactor()
        ).check()
        #expect(same.status == .pass)
    }

    @Test(
        "ignore patterns",
        arguments: [
            ("secrets.*", "secrets.stripe_key", true), ("secrets.*", "secrets", false),
            ("database", "database.host", true),
            ("database.host", "database.hostname", false), ("*.host", "db.host", true),
            ("endpoints", "endpoints[0]", true),
        ])
    func patterns(pattern: String, key: String, matches: Bool) {
        #expect(ParityComparison.matches(pattern, key) == matches)
    }

    @Test("descriptors from JSON, YAML and .env files flatten to the same keys")
    func fileFormats() async throws {
        let folder = try TemporaryFolder("parity")
        defer { folder.remove() }
        try Data(#"{"os": {"name": "debian"}, "replicas": 3, "endpoints": ["a", "b"]}"#.utf8).write(
            to: folder.appending("d.json"))
        try Data("os:\n  name: debian\nreplicas: 3\nendpoints: [a, b]\n".utf8).write(
            to: folder.appending("d.yaml"))
        try Data("# comment\nexport os.name=debian\nreplicas=\"3\"\nendpoints[0]=a\nendpoints[1]=b # trailing\n".utf8)
            .write(to: folder.appending("d.env"))
        let session = try HTTPSession()
        let loader = DescriptorLoader(directory: folder.path)
        let json = try await loader.load(.file("d.json"), session: session)
        let yaml = try await loader.load(.file("d.yaml"), session: session)
        let env = try await loader.load(.file("d.env"), session: session)
        await session.shutdown()
        #expect(json.values == ["os.name": "debian", "replicas": "3", "endpoints[0]": "a", "endpoints[1]": "b"])
        #expect(yaml == json)
        #expect(env == json)
    }

    @Test("live descriptors from DemoShop's /internal/info: equal shops pass, a drifted one fails")
    func liveEndpoints() async throws {
        let a = try await DemoShop.start(DemoShopConfiguration())
        var drifted = DemoShopConfiguration()
        drifted.descriptor = ["config.max_connections": "100"]
        let b = try await DemoShop.start(drifted)
        let text = """
            \(SpecFixtures.header(name: "demoshop", owner: "shop"))
            environments:
              staging: { url: "\(a.baseURL)", descriptor: { url: "\(a.baseURL)/internal/info" } }
              production: { url: "\(b.baseURL)", descriptor: { url: "\(b.baseURL)/internal/info" } }
            parity: { compare: [staging, production], ignore: [hostname] }

            """
        let spec = try SpecFixtures.load(text, file: "p.yaml")
        let session = try HTTPSession()
        let results = await ParityRunner(spec: spec).run(session: session)
        await session.shutdown()
        await a.stop()
        await b.stop()
        #expect(results.count == 1)
        #expect(results[0].status == .fail)
        #expect(
            results[0].summary.hasPrefix("1 undeclared difference: config.max_connections"), "\(results[0].summary)")
    }
}
