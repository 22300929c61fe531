import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import GreenlightDemo

/// The SHA-256 an upload is answered with, checked against FIPS 180-4 examples and NIST's SHA-256 test set.
struct UploadDigestTests {
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        (
            "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        ),
        (
            "The quick brown fox jumps over the lazy dog",
            "d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592"
        ),
    ])
    func knownVectors(message: String, digest: String) async throws {
        try await expectUpload(of: Array(message.utf8), answeredWith: digest)
    }

    @Test func oneMillionAs() async throws {
        let message = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        try await expectUpload(
            of: message, answeredWith: "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    private func expectUpload(of content: [UInt8], answeredWith digest: String) async throws {
        var multipart = MultipartBody()
        multipart.addPart(name: "file", filename: "vector.txt", content: content)
        let (headers, body) = (multipart.headers, multipart.buffer)
        try await makeShop().test(.router) { client in
            let response = try await client.execute(uri: "/api/uploads", method: .post, headers: headers, body: body)
            #expect(response.status == .created)
            #expect(jsonObject(response.body)["sha256"] as? String == digest)
        }
    }
}
