import Crypto
import Foundation
import Testing

@testable import GreenlightLedger

@Suite("DSSE envelopes")
struct DSSETests {
    @Test("PAE of the DSSE protocol's test vector")
    func paeVector() {
        let pae = DSSEEnvelope.pae(type: "http://example.com/HelloWorld", body: Data("hello world".utf8))
        #expect(String(decoding: pae, as: UTF8.self) == "DSSEv1 29 http://example.com/HelloWorld 11 hello world")
    }

    @Test("the DSSE protocol's example signature (ECDSA P-256) verifies over our PAE")
    func specSignature() throws {
        // The spec's X and Y (decimal) as 32-byte big-endian hex, and its signature (base64, r || s) as hex.
        let point = Self.bytes(
            "67cd390f77aa359cb08c2235f652270493a9ed832b0abcc01f70954c0390d238"
                + "0c782bd54e269125a44f4433aff1432ce94e12bca73aa67ac80cea12608ddf74")
        let key = try P256.Signing.PublicKey(rawRepresentation: point)
        let signature = try P256.Signing.ECDSASignature(
            rawRepresentation: try #require(
                Data(
                    base64Encoded:
                        "A3JqsQGtVsJ2O2xqrI5IcnXip5GToJ3F+FnZ+O88SjtR6rDAajabZKciJTfUiHqJPcIAriEGAHTVeCUjW2JIZA==")))
        let pae = DSSEEnvelope.pae(type: "http://example.com/HelloWorld", body: Data("hello world".utf8))
        #expect(key.isValidSignature(signature, for: pae))
        #expect(!key.isValidSignature(signature, for: pae.dropLast()))
    }

    @Test("lengths count UTF-8 bytes, in decimal without leading zeros")
    func paeLengths() {
        let body = Data(repeating: 0x41, count: 1234)
        let pae = DSSEEnvelope.pae(type: "application/vnd.é+json", body: body)
        let head = String(decoding: pae.prefix(50), as: UTF8.self)
        #expect(head.hasPrefix("DSSEv1 23 application/vnd.é+json 1234 AAAA"))
        #expect(DSSEEnvelope.pae(type: "", body: Data()) == Data("DSSEv1 0  0 ".utf8))
    }

    @Test("an envelope verifies with its key only, and not once its payload changes")
    func verify() throws {
        let key = SigningKey.generate(name: "ci")
        let envelope = try DSSEEnvelope.sign(body: Data("{\"a\":1}".utf8), payloadType: "application/x-test", with: key)
        #expect(try envelope.verifiedBody(with: key.publicKey) == Data("{\"a\":1}".utf8))
        #expect(envelope.signatures.first?.keyid == key.keyID)

        #expect(throws: AttestationError.self) {
            try envelope.verifiedBody(with: SigningKey.generate(name: "x").publicKey)
        }
        var changed = envelope
        changed.payload = Data("{\"a\":2}".utf8).base64EncodedString()
        #expect(throws: AttestationError.self) { try changed.verifiedBody(with: key.publicKey) }
        var retyped = envelope
        retyped.payloadType = "application/x-other"
        #expect(throws: AttestationError.self) { try retyped.verifiedBody(with: key.publicKey) }
    }

    @Test("URL-safe and unpadded base64 are accepted, as DSSE requires")
    func base64Variants() {
        let data = Data([0xfb, 0xff, 0xfe, 0x01])
        #expect(DSSEEnvelope.base64(data.base64EncodedString()) == data)
        let urlSafe = data.base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        #expect(DSSEEnvelope.base64(urlSafe) == data)
    }

    static func bytes(_ hex: String) -> Data {
        var data = Data()
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            data.append(UInt8(hex[index..<next], radix: 16)!)
            index = next
        }
        return data
    }
}
