import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import GreenlightDemo

struct UploadTests {
    @Test func uploadReportsSizeAndSHA256() async throws {
        var multipart = MultipartBody()
        multipart.addPart(name: "note", content: Array("ignored".utf8))
        multipart.addPart(name: "file", filename: "hello.txt", content: Array("hello greenlight\n".utf8))
        let (headers, body) = (multipart.headers, multipart.buffer)
        try await makeShop().test(.router) { client in
            let response = try await client.execute(
                uri: "/api/uploads", method: .post, headers: headers, body: body
            )
            #expect(response.status == .created)
            let body = jsonObject(response.body)
            #expect(body["filename"] as? String == "hello.txt")
            #expect(body["bytes"] as? Int == 17)
            // sha256("hello greenlight\n"), as computed by `sha256sum`.
            #expect(body["sha256"] as? String == "4d24683c9923e8f7c59b2f53891c2b0a374ab4e8cc3e461d9704d3e184825598")
            #expect((body["id"] as? String)?.isEmpty == false)
        }
    }

    /// The part body keeps bytes that look like line breaks and partial boundaries.
    @Test func binaryContentSurvivesIntact() async throws {
        let content: [UInt8] = Array("\r\n--greenlight\r\n\r\n".utf8) + (0...255).map(UInt8.init) + [0x0D]
        var multipart = MultipartBody()
        multipart.addPart(name: "file", filename: "blob.bin", content: content)
        let (headers, body) = (multipart.headers, multipart.buffer)
        try await makeShop().test(.router) { client in
            let response = try await client.execute(
                uri: "/api/uploads", method: .post, headers: headers, body: body
            )
            #expect(response.status == .created)
            let body = jsonObject(response.body)
            #expect(body["bytes"] as? Int == content.count)
            // sha256 of the content, as computed by `sha256sum`.
            #expect(body["sha256"] as? String == "7b3cd8477700fe38ad0fc419eb57bed9c93f28fa5f189cb3b470b2665518319a")
        }
    }

    @Test func exactlyOneMebibyteIsAcceptedOneMoreByteIsNot() async throws {
        try await makeShop().test(.router) { client in
            for (size, status) in [(1_048_576, HTTPResponse.Status.created), (1_048_577, .contentTooLarge)] {
                var multipart = MultipartBody()
                multipart.addPart(name: "file", filename: "big.bin", content: [UInt8](repeating: 0x61, count: size))
                let response = try await client.execute(
                    uri: "/api/uploads", method: .post, headers: multipart.headers, body: multipart.buffer
                )
                #expect(response.status == status, "\(size) bytes")
                if status == .contentTooLarge {
                    #expect(errorCode(response) == "too_large")
                }
            }
        }
    }

    @Test func hugeBodyIsTooLarge() async throws {
        var multipart = MultipartBody()
        multipart.addPart(name: "file", filename: "huge.bin", content: [UInt8](repeating: 1, count: 3 * 1_048_576))
        let (headers, body) = (multipart.headers, multipart.buffer)
        try await makeShop().test(.live) { client in
            let response = try await client.execute(
                uri: "/api/uploads", method: .post, headers: headers, body: body
            )
            #expect(response.status == .contentTooLarge)
            #expect(errorCode(response) == "too_large")
            let health = try await client.execute(uri: "/healthz", method: .get)
            #expect(health.status == .ok)
        }
    }

    @Test func missingFilePartIsInvalidRequest() async throws {
        var multipart = MultipartBody()
        multipart.addPart(name: "attachment", filename: "a.txt", content: Array("x".utf8))
        let (headers, body) = (multipart.headers, multipart.buffer)
        try await makeShop().test(.router) { client in
            let response = try await client.execute(
                uri: "/api/uploads", method: .post, headers: headers, body: body
            )
            #expect(response.status == .badRequest)
            #expect(errorCode(response) == "invalid_request")
        }
    }

    @Test(arguments: [nil, "application/json", "text/plain", "multipart/mixed; boundary=abc"] as [String?])
    func notFormDataIsUnsupportedMediaType(contentType: String?) async throws {
        try await makeShop().test(.router) { client in
            var headers: HTTPFields = [:]
            headers[.contentType] = contentType
            let response = try await client.execute(
                uri: "/api/uploads", method: .post, headers: headers, body: ByteBuffer(string: #"{"file":"x"}"#)
            )
            #expect(response.status == .unsupportedMediaType)
            #expect(errorCode(response) == "unsupported_media_type")
        }
    }

    @Test(arguments: [
        "multipart/form-data",
        "multipart/form-data; boundary=",
        "multipart/form-data; boundary=\"\"",
        "multipart/form-data; boundary=\(String(repeating: "b", count: 71))",
    ])
    func formDataWithoutUsableBoundaryIsInvalidRequest(contentType: String) async throws {
        try await makeShop().test(.router) { client in
            let response = try await client.execute(
                uri: "/api/uploads", method: .post, headers: [.contentType: contentType],
                body: MultipartBody().buffer
            )
            #expect(response.status == .badRequest)
            #expect(errorCode(response) == "invalid_request")
        }
    }
}
