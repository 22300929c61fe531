import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import GreenlightDemo

struct TraceContextTests {
    static let incoming = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"

    /// `00-<32 hex>-<16 hex>-<2 hex>` split into its fields, or nil.
    static func fields(_ traceparent: String?) -> [Substring]? {
        guard let traceparent, TraceContext.parse(traceparent) != nil else { return nil }
        return traceparent.split(separator: "-")
    }

    @Test func validTraceparentKeepsTraceIDWithNewSpan() async throws {
        try await makeShop().test(.router) { client in
            let response = try await client.execute(
                uri: "/api/products", method: .get, headers: [.traceparent: Self.incoming]
            )
            let fields = try #require(Self.fields(response.headers[.traceparent]))
            #expect(fields[0] == "00")
            #expect(fields[1] == "4bf92f3577b34da6a3ce929d0e0e4736")
            #expect(fields[2] != "00f067aa0ba902b7")
            #expect(fields[3] == "01")
        }
    }

    @Test(arguments: [
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01",
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
        "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
        "00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01",
        "garbage",
        "",
    ])
    func invalidTraceparentStartsNewTrace(header: String) async throws {
        #expect(TraceContext.parse(header) == nil)
        try await makeShop().test(.router) { client in
            let response = try await client.execute(uri: "/healthz", method: .get, headers: [.traceparent: header])
            let fields = try #require(Self.fields(response.headers[.traceparent]))
            #expect(fields[1] != "4bf92f3577b34da6a3ce929d0e0e4736")
            #expect(fields[1] != "00000000000000000000000000000000")
        }
    }

    @Test func laterVersionsAreReadForTheirFirstFields() {
        let parsed = TraceContext.parse("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00-future")
        #expect(parsed?.traceID == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(parsed?.flags == "00")
    }

    @Test func requestsWithoutTraceparentGetDistinctNewTraces() async throws {
        try await makeShop().test(.router) { client in
            var traceIDs = Set<Substring>()
            for uri in ["/healthz", "/api/products", "/no/such/route", "/api/orders/ord-404"] {
                let response = try await client.execute(uri: uri, method: .get)
                let fields = try #require(Self.fields(response.headers[.traceparent]), "\(uri)")
                traceIDs.insert(fields[1])
            }
            #expect(traceIDs.count == 4)
        }
    }

    @Test func everyResponseGetsItsOwnSpan() async throws {
        try await makeShop().test(.router) { client in
            var spans = Set<Substring>()
            for _ in 0..<5 {
                let response = try await client.execute(
                    uri: "/healthz", method: .get, headers: [.traceparent: Self.incoming]
                )
                spans.insert(try #require(Self.fields(response.headers[.traceparent]))[2])
            }
            #expect(spans.count == 5)
        }
    }
}
