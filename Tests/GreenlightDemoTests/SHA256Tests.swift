import Testing

@testable import GreenlightDemo

struct SHA256Tests {
    /// Vectors from FIPS 180-4 examples and NIST's SHA-256 test set.
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
    func knownVectors(message: String, digest: String) {
        #expect(SHA256.hexDigest(of: Array(message.utf8)) == digest)
    }

    @Test func oneMillionAs() {
        let message = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        #expect(SHA256.hexDigest(of: message) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func incrementalUpdatesMatchOneShot() {
        let message = Array(
            String(repeating: "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", count: 3).utf8)
        for split in [0, 1, 31, 55, 56, 63, 64, 65, 127, 128, 167, 168] {
            var hasher = SHA256()
            hasher.update(message[..<split])
            hasher.update(message[split...])
            #expect(Hex.encode(hasher.finalize()) == SHA256.hexDigest(of: message), "split at \(split)")
        }
    }

    /// Lengths around the padding boundaries (55, 56, 64 bytes) must all hash without trapping.
    @Test func paddingBoundaries() {
        var digests = Set<String>()
        for length in 54...130 {
            digests.insert(SHA256.hexDigest(of: [UInt8](repeating: 0x61, count: length)))
        }
        #expect(digests.count == 77)
        #expect(
            SHA256.hexDigest(of: [UInt8](repeating: 0x61, count: 64))
                == "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"
        )
    }
}
