import AsyncHTTPClient
import Foundation
import GreenlightJSON
import GreenlightServer
import GreenlightTestSupport
import GreenlightWebhooks
import NIOCore
import NIOHTTP1
import Testing

@testable import GreenlightCore
@testable import GreenlightLedger

/// A team server on loopback over a real SQLite ledger in a temporary folder, with an admin key,
/// registered signers and a token each.
struct ServerSetup: Sendable {
    static let release = "checkout@2.14.0"
    static let date = Date(timeIntervalSince1970: 1_950_000_000)

    let folder: TemporaryFolder
    let path: String
    let ledger: ReleaseLedger
    let admin: SigningKey
    let keys: [String: SigningKey]
    let tokens: [String: String]
    let server: RunningTeamServer

    /// erin signs for engineering, sam for sre, pat for product; each gets a token.
    static func start(
        signers: [(name: String, roles: [String])] = [
            ("erin", ["engineering"]), ("sam", ["sre"]), ("pat", ["product"]),
        ],
        log: (@Sendable (String) -> Void)? = nil, webhooks: [WebhookTarget] = [], routers: [String] = [],
        deliveries: DashboardDeliveries? = nil, store given: (any LedgerStore)? = nil
    ) async throws -> ServerSetup {
        let folder = try TemporaryFolder()
        let path = folder.appending("ledger.sqlite").path
        let store = try given ?? SQLiteLedgerStore(path: path)
        let ledger = ReleaseLedger(store: store)
        let admin = SigningKey.generate(name: "admin")
        try await ledger.initialize(admin: admin)
        var keys: [String: SigningKey] = [:]
        var tokens: [String: String] = [:]
        for (name, roles) in signers {
            let key = SigningKey.generate(name: name)
            try await ledger.addSigner(
                SignerRegistration.register(name: name, roles: roles, key: key.publicKey, at: date, admin: admin))
            keys[name] = key
            tokens[name] = try await ledger.issueToken(signer: name, admin: admin, expires: nil).text
        }
        var configuration = TeamServerConfiguration(host: "127.0.0.1", port: 0, log: log)
        configuration.webhooks = webhooks
        configuration.webhookState = folder.appending("webhooks.state").path
        configuration.routers = routers
        configuration.deliveries = deliveries
        let server = try await TeamServer(store: store, configuration: configuration).start()
        return ServerSetup(
            folder: folder, path: path, ledger: ledger, admin: admin, keys: keys, tokens: tokens, server: server)
    }

    func stop() async {
        await server.stop()
        folder.remove()
    }

    /// A GO report of checkout 2.14.0 by alice needing `roles`, recorded; returns its digest.
    @discardableResult
    func recordReport(
        go: Bool = true, roles: [String] = ["engineering", "sre"], generatedAt: String = "2031-10-12T08:00:00Z"
    )
        async throws -> String
    {
        let report = Self.report(go: go, generatedAt: generatedAt)
        try await ledger.record(report: report, specRoles: roles, forbidAuthorApproval: true)
        return try #require(report.digest)
    }

    static func report(go: Bool = true, generatedAt: String = "2031-10-12T08:00:00Z") -> Report {
        var spec = RiskSpec(reading: ObjectReader(nil, RiskSpec.schema))
        spec.likelihood = 1
        spec.impact = 1
        var report = Report(
            generator: .init(name: "greenlight", version: "0.1.0"), generatedAt: generatedAt,
            release: .init(
                service: "checkout", version: "2.14.0", owner: "payments", author: "alice",
                ticket: "https://github.com/acme/checkout/issues/42"),
            spec: .init(file: "release.yaml", sha256: String(repeating: "c3", count: 32)), policy: "built-in",
            verdict: .init(decision: go ? .go : .noGo, reasons: go ? [] : ["Smoke: fail"], counts: ["pass": 1]),
            risk: RiskAssessment(spec: spec, policy: .standard),
            checks: [
                CheckResult(
                    id: "smoke.sign-in", title: "Sign in", category: .smoke, status: go ? .pass : .fail,
                    summary: "200 in 12 ms")
            ], digest: nil)
        report.digest = report.computeDigest()
        return report
    }

    /// `name`'s signed sign-off of `digest`.
    func signOff(
        _ name: String, _ role: String, _ digest: String, decision: SignOff.Decision = .approve,
        comment: String = "dashboards checked", at date: Date = ServerSetup.date
    ) throws -> SignedSignOff {
        let key = try #require(keys[name])
        return try SignOff(
            signer: name, role: role, decision: decision, comment: comment, at: date, release: Self.release,
            reportDigest: digest
        ).signed(by: key)
    }

    /// One HTTP exchange with the server.
    func call(
        _ method: HTTPMethod, _ path: String, token: String?, json: JSONValue? = nil, body: String? = nil,
        headers: [(String, String)] = []
    ) async throws -> APIAnswer {
        var request = HTTPClientRequest(url: server.baseURL + path)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let text = json.map({ $0.serialized() }) ?? body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: text))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 16 << 20)
        return APIAnswer(
            status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) },
            text: String(buffer: bytes))
    }

    /// The JSON body of a signed sign-off as the API takes it.
    static func json(_ signed: SignedSignOff) throws -> JSONValue {
        try JSONValue(parsing: signed.json())
    }
}

struct APIAnswer: Sendable {
    var status: Int
    var headers: [(String, String)]
    var text: String

    var json: JSONValue? { try? JSONValue(parsing: Data(text.utf8)) }

    /// A problem document's detail.
    var detail: String {
        if case .string(let detail)? = json?["detail"] { return detail }
        return text
    }

    func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }
}
