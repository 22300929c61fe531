import Foundation
import GreenlightJSON
import GreenlightLedger
import GreenlightTestSupport

@testable import GreenlightCanary

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A ledger file in a temporary folder, its flag store, and the flags the OFREP tests serve.
struct FlagLedger {
    let folder: TemporaryFolder
    let path: String
    let store: FlagStore

    init() throws {
        folder = try TemporaryFolder("greenlight-flags")
        path = folder.appending("ledger.sqlite").path
        store = FlagStore(ledger: try SQLiteLedgerStore(path: path))
    }

    /// Another handle on the same ledger file, as another process would have.
    func otherHandle() throws -> FlagStore { FlagStore(ledger: try SQLiteLedgerStore(path: path)) }

    /// Sets the flags every OFREP test uses: one of each type, a split, rules.
    func seed() async throws {
        try await store.set(
            FeatureFlag(
                key: "new-checkout", variants: ["on": .bool(true), "off": .bool(false)], defaultVariant: "off",
                rollout: .init(percentage: 30, variant: "on"),
                rules: [.init(attribute: "plan", operator: .in, values: ["pro", "team"], variant: "on")]),
            by: "alice", reason: "canary 2.14.0")
        try await store.set(
            FeatureFlag(
                key: "theme", variants: ["blue": .string("blue"), "green": .string("green")], defaultVariant: "blue"),
            by: "bob")
        try await store.set(
            FeatureFlag(key: "max-items", variants: ["small": .int(10), "large": .int(50)], defaultVariant: "large"),
            by: "bob")
        try await store.set(
            FeatureFlag(key: "ratio", variants: ["low": .double(0.25), "high": .double(0.75)], defaultVariant: "low"),
            by: "bob")
        try await store.set(
            FeatureFlag(
                key: "limits", variants: ["basic": .object([("requests", .int(100)), ("burst", .bool(false))])],
                defaultVariant: "basic"),
            by: "bob")
    }

    func remove() { folder.remove() }
}

/// A plain HTTP exchange with the loopback server.
struct HTTPAnswer {
    var status: Int
    var headers: [String: String]
    var body: Data

    var json: JSONValue? { try? JSONValue(parsing: body) }
    func header(_ name: String) -> String? {
        headers.first { $0.key.lowercased() == name.lowercased() }?.value
    }
}

enum LoopbackClient {
    static let session: URLSession = {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = 10
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.urlCache = nil
        return URLSession(configuration: configuration)
    }()

    static func post(_ url: String, _ body: String, headers: [String: String] = [:]) async throws -> HTTPAnswer {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = "POST"
        request.httpBody = Data(body.utf8)
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let (data, response) = try await session.data(for: request)
        let http = response as! HTTPURLResponse
        var fields: [String: String] = [:]
        for (name, value) in http.allHeaderFields { fields["\(name)"] = "\(value)" }
        return HTTPAnswer(status: http.statusCode, headers: fields, body: data)
    }
}

/// The fixtures folder of this test target.
enum FlagFixtures {
    static var folder: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures")
    }
    static var openAPI: String { folder.appendingPathComponent("ofrep/openapi.yaml").path }
    static func script(_ name: String) -> String { folder.appendingPathComponent("flags/\(name)").path }
}
