import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import GreenlightDemo

/// Whatever a client sends, the shop answers with a JSON error and keeps serving.
struct MalformedInputTests {
    static let jsonEndpoints = ["/api/login", "/api/orders"]

    @Test(arguments: jsonEndpoints)
    func hugeJSONBodyIsTooLarge(uri: String) async throws {
        let huge = ByteBuffer(string: #"{"user":""# + String(repeating: "x", count: 4 * 1_048_576) + #""}"#)
        try await makeShop().test(.live) { client in
            let response = try await client.execute(
                uri: uri, method: .post, headers: [.contentType: "application/json"], body: huge
            )
            #expect(response.status == .contentTooLarge)
            #expect(errorCode(response) == "too_large")
            #expect(try await client.execute(uri: "/healthz", method: .get).status == .ok)
        }
    }

    @Test func garbageBodiesNeverCrash() async throws {
        var random = SeededRandom(seed: 99)
        var bodies: [[UInt8]] = [
            [], [0], [0xFF, 0xFE, 0x00], Array("{\"sku\":".utf8), Array("null".utf8), Array("\"string\"".utf8),
            Array(#"{"sku":"SKU-1","quantity":99999999999999999999999,"card":"4242424242424242"}"#.utf8),
            Array(#"{"sku":"SKU-1","quantity":9223372036854775807,"card":"4242424242424242"}"#.utf8),
            Array(String(repeating: "[", count: 10_000).utf8),
        ]
        for _ in 0..<20 {
            bodies.append((0..<Int(random.next() % 512)).map { _ in UInt8(truncatingIfNeeded: random.next()) })
        }
        let garbage = bodies
        try await makeShop().test(.router) { client in
            for body in garbage {
                for uri in Self.jsonEndpoints + ["/api/uploads"] {
                    let response = try await client.execute(
                        uri: uri, method: .post, headers: [.contentType: "multipart/form-data; boundary=b"],
                        body: ByteBuffer(bytes: body)
                    )
                    #expect((400..<500).contains(response.status.code), "\(uri) answered \(response.status)")
                    #expect(errorCode(response) != nil)
                }
            }
            #expect(try await client.execute(uri: "/healthz", method: .get).status == .ok)
        }
    }

    @Test func garbageMultipartOverTheWire() async throws {
        let bodies = [
            "--b\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nunterminated",
            "--b\r\n\r\n\r\n--b--",
            String(repeating: "--b\r\n", count: 5_000),
            "\u{0}\u{1}\u{2}--b--",
        ]
        try await makeShop().test(.live) { client in
            for body in bodies {
                let response = try await client.execute(
                    uri: "/api/uploads", method: .post, headers: [.contentType: "multipart/form-data; boundary=b"],
                    body: ByteBuffer(string: body)
                )
                #expect(response.status == .badRequest)
                #expect(errorCode(response) == "invalid_request")
            }
            #expect(try await client.execute(uri: "/healthz", method: .get).status == .ok)
        }
    }

    @Test func hostileHeadersAreHarmless() async throws {
        try await makeShop().test(.router) { client in
            let headers: HTTPFields = [
                .traceparent: String(repeating: "00-", count: 2_000),
                .authorization: "Bearer " + String(repeating: "9", count: 5_000) + ".x",
                .cookie: "session=; session==; ;;",
            ]
            let me = try await client.execute(uri: "/api/me", method: .get, headers: headers)
            #expect(me.status == .unauthorized)
            #expect(me.headers[.traceparent].flatMap(TraceContext.parse) != nil)
        }
    }
}
