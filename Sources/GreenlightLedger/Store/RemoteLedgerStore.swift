import AsyncHTTPClient
import Foundation
import GreenlightHTTP
import GreenlightJSON
import NIOCore
import NIOHTTP1

/// The server has no such record (the latest of a kind, when there is none).
struct RemoteNotFound: Error {}

/// A ledger kept by a team server (`greenlight serve`), reached over its API (docs/openapi.yaml,
/// `/api/v1/ledger`): `--ledger https://greenlight.example.com` with a token in `GREENLIGHT_TOKEN`.
///
/// The server applies each kind's rules before it appends (a sign-off's signature, a registration's
/// admin signature, a report's digest, the operator roles), stamps its own time, and answers the record
/// as stored. Each record read back is rebuilt from its canonical form and must match its hash.
public final class RemoteLedgerStore: LedgerStore {
    public let base: URL
    private let token: String?
    private let client: HTTPClient
    /// Whether ``client`` is this store's own (shut down by ``close()``) rather than the shared one.
    private let ownsClient: Bool

    /// `base` is the server's URL (`https://host:port`, any path prefix kept); `token` the personal token;
    /// `caFile` a PEM file of certificates to trust besides the system's (a team's own CA).
    public init(base: URL, token: String?, caFile: String? = nil) {
        self.base = base
        self.token = token
        if let caFile {
            var configuration = HTTPClient.Configuration()
            configuration.tlsConfiguration = TLSTrust.clientConfiguration(trustRoots: [caFile], insecure: false)
            client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
            ownsClient = true
        } else {
            client = HTTPClient.shared
            ownsClient = false
        }
    }

    public func close() async {
        if ownsClient { try? await client.shutdown() }
    }

    public func append(
        kind: LedgerRecord.Kind, release: String?, payload: JSONValue, signature: LedgerSignature?, at time: Date
    ) async throws -> LedgerRecord {
        var members: [(String, JSONValue)] = [
            ("kind", .string(kind.rawValue)), ("payload", .string(payload.canonicalSerialized())),
        ]
        if let release { members.append(("release", .string(release))) }
        if let signature { members.append(("signature", signature.wireJSON)) }
        let answer = try await call(.POST, "api/v1/ledger/records", body: .object(members))
        let record = try Self.record(answer)
        // The server stamps its time and the chain link; what the record says is what was sent, except
        // where the server decides (a gate) or names the sender (who a rollout event or flag change is by).
        let decidedByServer: Set<LedgerRecord.Kind> = [.gate, .rolloutEvent, .flagChange]
        guard record.kind == kind, record.release == release,
            decidedByServer.contains(kind) || record.payload.canonicalSerialized() == payload.canonicalSerialized()
        else {
            throw LedgerError(
                .storage,
                "the ledger server \(base.absoluteString) answered record \(record.sequence), which is not the one sent"
            )
        }
        return record
    }

    public func records(from sequence: Int, limit: Int) async throws -> [LedgerRecord] {
        let records = try await list([("after", String(max(1, sequence) - 1)), ("limit", String(Self.page(limit)))])
        // A page of the chain starts where asked, and each record follows the one before and names its hash.
        if let first = records.first, first.sequence < max(1, sequence) {
            throw Self.notAsked(first)
        }
        for (earlier, later) in zip(records, records.dropFirst())
        where later.sequence != earlier.sequence + 1 || later.previousHash != earlier.hash {
            throw LedgerError(
                .unreadableRecord,
                "the ledger server sent record \(later.sequence), which does not follow record \(earlier.sequence)",
                sequence: later.sequence)
        }
        return records
    }

    public func records(release: String?, kind: LedgerRecord.Kind?, after sequence: Int, limit: Int) async throws
        -> [LedgerRecord]
    {
        var query = [release.map { ("release", $0) } ?? ("scope", "ledger"), ("after", String(max(0, sequence)))]
        if let kind { query.append(("kind", kind.rawValue)) }
        query.append(("limit", String(Self.page(limit))))
        let records = try await list(query)
        var previous = sequence
        for record in records {
            guard record.release == release, kind.map({ record.kind == $0 }) ?? true, record.sequence > previous else {
                throw Self.notAsked(record)
            }
            previous = record.sequence
        }
        return records
    }

    public func latest(release: String, kind: LedgerRecord.Kind) async throws -> LedgerRecord? {
        do {
            let record = try Self.record(
                try await call(
                    .GET, "api/v1/ledger/latest", query: [("release", release), ("kind", kind.rawValue)], body: nil))
            guard record.release == release, record.kind == kind else { throw Self.notAsked(record) }
            return record
        } catch let error as RemoteNotFound {
            _ = error
            return nil
        }
    }

    public func head() async throws -> LedgerHead {
        let answer = try await call(.GET, "api/v1/ledger/head", body: nil)
        guard case .int(let count)? = answer["count"], case .string(let hash)? = answer["hash"] else {
            throw LedgerError(.storage, "the server at \(base.absoluteString) answered a head without count and hash")
        }
        return LedgerHead(count: count, hash: hash)
    }

    private static func notAsked(_ record: LedgerRecord) -> LedgerError {
        LedgerError(
            .unreadableRecord, "the ledger server sent record \(record.sequence), which is not one asked for",
            sequence: record.sequence)
    }

    /// The API serves at most 1,024 records a call; the protocol's callers page on.
    private static func page(_ limit: Int) -> Int { min(max(limit, 1), 1024) }

    private func list(_ query: [(String, String)]) async throws -> [LedgerRecord] {
        let answer = try await call(.GET, "api/v1/ledger/records", query: query, body: nil)
        guard case .array(let items)? = answer["records"] else {
            throw LedgerError(.storage, "the server at \(base.absoluteString) answered records without a list")
        }
        return try items.map(Self.record)
    }

    static func record(_ value: JSONValue) throws -> LedgerRecord {
        guard case .string(let canonical)? = value["canonical"], case .string(let hash)? = value["hash"] else {
            throw LedgerError(.unreadableRecord, "a record the server sent has no canonical form and hash")
        }
        return try LedgerRecord(canonical: canonical, hash: hash)
    }

    private func call(_ method: HTTPMethod, _ path: String, query: [(String, String)] = [], body: JSONValue?)
        async throws -> JSONValue
    {
        var components = URLComponents(url: base.appendingPathComponent(path), resolvingAgainstBaseURL: false)
        if !query.isEmpty { components?.queryItems = query.map { URLQueryItem(name: $0.0, value: $0.1) } }
        // `+` in a release name (semver build metadata) would read as a space.
        let encoded = components?.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
        components?.percentEncodedQuery = encoded
        guard let url = components?.url else {
            throw LedgerError(.storage, "cannot make a URL of \(base.absoluteString) and \(path)")
        }
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = method
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "User-Agent", value: "greenlight")
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body.serialized()))
        }
        let where_ = "the ledger server \(base.absoluteString)"
        let response: HTTPClientResponse
        let bytes: ByteBuffer
        do {
            response = try await client.execute(request, timeout: .seconds(30))
            bytes = try await response.body.collect(upTo: 64 << 20)
        } catch {
            throw LedgerError(.storage, "\(where_) did not answer: \(error)")
        }
        let value = try? JSONValue(parsing: Data(buffer: bytes))
        var detail: String {
            if case .string(let text)? = value?["detail"] { return text }
            return String(buffer: bytes).prefix(300).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        switch response.status.code {
        case 200..<300:
            guard let value else { throw LedgerError(.storage, "\(where_) answered something that is not JSON") }
            return value
        case 401:
            throw LedgerError(
                .storage,
                token == nil
                    ? "\(where_) needs a token: set GREENLIGHT_TOKEN (greenlight token new --signer NAME makes one)"
                    : "\(where_) refused the token in GREENLIGHT_TOKEN (unknown, revoked or expired): \(detail)")
        case 404 where path == "api/v1/ledger/latest":
            throw RemoteNotFound()
        case 403, 409, 422:
            throw LedgerError(.invalidRecord, "\(where_) refused: \(detail)")
        default:
            throw LedgerError(.storage, "\(where_) answered \(response.status.code): \(detail)")
        }
    }
}
