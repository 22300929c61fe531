import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting

@testable import GreenlightDemo

/// A DemoShop application with the defaults changed by `configure`.
func makeShop(_ configure: (inout DemoShopConfiguration) -> Void = { _ in }) -> some ApplicationProtocol {
    var configuration = DemoShopConfiguration()
    configure(&configuration)
    return buildDemoShopApplication(configuration)
}

/// A response body parsed as a JSON object (empty when it is not one).
func jsonObject(_ body: ByteBuffer) -> [String: Any] {
    let data = Data(body.readableBytesView)
    return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
}

/// The `error` code of an API error body.
func errorCode(_ response: TestResponse) -> String? {
    jsonObject(response.body)["error"] as? String
}

extension TestClientProtocol {
    func postJSON(_ uri: String, _ json: String, headers: HTTPFields = [:]) async throws -> TestResponse {
        var headers = headers
        headers[.contentType] = "application/json"
        return try await execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: json))
    }

    /// Signs in and returns the session token.
    func signIn(user: String = "demo@example.com", password: String = "demo-password") async throws -> String {
        let response = try await postJSON("/api/login", #"{"user":"\#(user)","password":"\#(password)"}"#)
        return jsonObject(response.body)["token"] as? String ?? ""
    }
}

/// A `multipart/form-data` body builder for upload tests.
struct MultipartBody {
    var boundary = "greenlight-test-boundary-7MA4YWxk"
    var bytes: [UInt8] = []

    var contentType: String { "multipart/form-data; boundary=\(boundary)" }

    mutating func addPart(name: String, filename: String? = nil, content: [UInt8]) {
        var disposition = "Content-Disposition: form-data; name=\"\(name)\""
        if let filename { disposition += "; filename=\"\(filename)\"" }
        bytes += Array("--\(boundary)\r\n\(disposition)\r\nContent-Type: application/octet-stream\r\n\r\n".utf8)
        bytes += content
        bytes += Array("\r\n".utf8)
    }

    func finished() -> [UInt8] {
        bytes + Array("--\(boundary)--\r\n".utf8)
    }

    var headers: HTTPFields { [.contentType: contentType] }
    var buffer: ByteBuffer { ByteBuffer(bytes: finished()) }
}
