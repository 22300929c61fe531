import Foundation
import GreenlightTestSupport
import Testing

@testable import GreenlightLedger

@Suite("Signing keys and their files")
struct KeyFileTests {
    @Test("a key pair written and read back signs and verifies as before")
    func roundTrip() throws {
        try withTemporaryFolder { folder in
            let key = SigningKey.generate(name: "alice")
            let privatePath = folder.appending("alice.key").path
            let publicPath = folder.appending("alice.pub").path
            try key.write(privateTo: privatePath, publicTo: publicPath)

            let readKey = try SigningKey.read(path: privatePath)
            let readPublic = try PublicKey.read(path: publicPath)
            #expect(readKey.name == "alice")
            #expect(readPublic.name == "alice")
            #expect(readKey.keyID == key.keyID)
            #expect(readPublic == key.publicKey)
            #expect(readPublic.keyID.count == 64)
            #expect(readPublic.shortKeyID == String(key.keyID.prefix(16)))

            let message = Data("release checkout@2.14.0".utf8)
            #expect(readPublic.verify(try readKey.sign(message), for: message))
            #expect(key.publicKey.verify(try readKey.sign(message), for: message))
        }
    }

    @Test("the key id is the hex SHA-256 of the raw public key")
    func keyID() throws {
        let key = try PublicKey(name: "zero", rawRepresentation: Data(repeating: 0x11, count: 32))
        // python3 -c "import hashlib; print(hashlib.sha256(b'\x11' * 32).hexdigest())"
        #expect(key.keyID == "02d449a31fbb267c8f352e9968a79e3e5fc95c1bbeaa502fd6454ebde5a4bedc")
    }

    @Test("the private key file is created with mode 0600 and the public one readable by all")
    func modes() throws {
        try withTemporaryFolder { folder in
            let previous = umask(0)
            defer { umask(previous) }
            let key = SigningKey.generate(name: "bob")
            let privatePath = folder.appending("bob.key").path
            let publicPath = folder.appending("bob.pub").path
            try key.write(privateTo: privatePath, publicTo: publicPath)
            #expect(try SigningFixtures.mode(privatePath) == 0o600)
            #expect(try SigningFixtures.mode(publicPath) == 0o644)
            let text = try String(contentsOfFile: privatePath, encoding: .utf8)
            #expect(text.hasPrefix("-----BEGIN GREENLIGHT ED25519 PRIVATE KEY-----\nName: bob\n"))
            #expect(text.hasSuffix("-----END GREENLIGHT ED25519 PRIVATE KEY-----\n"))
        }
    }

    @Test("an existing key file is never overwritten")
    func noOverwrite() throws {
        try withTemporaryFolder { folder in
            let existing = try folder.write("keep me", to: "carol.key")
            let key = SigningKey.generate(name: "carol")
            let error = #expect(throws: KeyError.self) {
                try key.write(privateTo: existing.path, publicTo: folder.appending("carol.pub").path)
            }
            #expect(error?.description.contains("never overwrites") == true)
            #expect(try String(contentsOf: existing, encoding: .utf8) == "keep me")
        }
    }

    @Test(
        "a private key that group or others may read is refused, naming the file and the fix",
        arguments: [0o644, 0o640, 0o604])
    func openModeRefused(mode: Int) throws {
        try withTemporaryFolder { folder in
            let key = SigningKey.generate(name: "dave")
            let privatePath = folder.appending("dave.key").path
            try key.write(privateTo: privatePath, publicTo: folder.appending("dave.pub").path)
            #expect(chmod(privatePath, mode_t(mode)) == 0)
            let error = #expect(throws: KeyError.self) { try SigningKey.read(path: privatePath) }
            #expect(error?.description.contains(privatePath) == true)
            #expect(error?.description.contains("chmod 600 \(privatePath)") == true)
            #expect(chmod(privatePath, 0o600) == 0)
            #expect(try SigningKey.read(path: privatePath).keyID == key.keyID)
        }
    }

    @Test("when the public file cannot be written, no private file is left")
    func pairOrNothing() throws {
        try withTemporaryFolder { folder in
            let existing = try folder.write("someone else's", to: "hana.pub")
            let privatePath = folder.appending("hana.key").path
            #expect(throws: KeyError.self) {
                try SigningKey.generate(name: "hana").write(privateTo: privatePath, publicTo: existing.path)
            }
            #expect(!FileManager.default.fileExists(atPath: privatePath))
        }
    }

    @Test("a missing or garbled key file is refused, naming the file")
    func unreadable() throws {
        try withTemporaryFolder { folder in
            let missing = folder.appending("none.key").path
            let error = #expect(throws: KeyError.self) { try SigningKey.read(path: missing) }
            #expect(error?.description.contains(missing) == true)

            let begin = "-----BEGIN GREENLIGHT ED25519 PUBLIC KEY-----\nName: x\n"
            let end = "\n-----END GREENLIGHT ED25519 PUBLIC KEY-----\n"
            let garbled = try folder.write(begin + "not base64!" + end, to: "x.pub")
            let garbledError = #expect(throws: KeyError.self) { try PublicKey.read(path: garbled.path) }
            #expect(garbledError?.description.contains(garbled.path) == true)

            let short = try folder.write(begin + "AAAA" + end, to: "short.pub")
            let shortError = #expect(throws: KeyError.self) { try PublicKey.read(path: short.path) }
            #expect(shortError?.description.contains("32 expected") == true)
        }
    }

    @Test("a public key file is not read as a private key")
    func wrongKind() throws {
        try withTemporaryFolder { folder in
            let key = SigningKey.generate(name: "erin")
            let publicPath = folder.appending("erin.pub").path
            try key.write(privateTo: folder.appending("erin.key").path, publicTo: publicPath)
            #expect(chmod(publicPath, 0o600) == 0)
            let error = #expect(throws: KeyError.self) { try SigningKey.read(path: publicPath) }
            #expect(error?.description.contains("holds a public key") == true)
        }
    }

    @Test("the private key appears in no description, debug description or dump")
    func neverPrinted() throws {
        try withTemporaryFolder { folder in
            let key = SigningKey.generate(name: "frank")
            let privatePath = folder.appending("frank.key").path
            try key.write(privateTo: privatePath, publicTo: folder.appending("frank.pub").path)
            let base64 = try String(contentsOfFile: privatePath, encoding: .utf8).split(separator: "\n")[2]
            let raw = try #require(Data(base64Encoded: String(base64)))
            let hex = raw.map { String(format: "%02x", $0) }.joined()
            var dumped = ""
            dump(key, to: &dumped)
            var dumpedRead = ""
            dump(try SigningKey.read(path: privatePath), to: &dumpedRead)
            let texts = [
                "\(key)", String(describing: key), String(reflecting: key), dumped, dumpedRead,
                "\([key])", "\(Optional(key) as Any)",
            ]
            for text in texts {
                #expect(!text.contains(String(base64)), "\(text)")
                #expect(!text.lowercased().contains(hex), "\(text)")
                #expect(!text.contains(raw.base64EncodedString().prefix(16)), "\(text)")
            }
            #expect("\(key)".contains(key.publicKey.shortKeyID))
        }
    }

    @Test("a signature verifies, and fails once a byte of the signature or of the message flips")
    func flippedByte() throws {
        let key = SigningKey.generate(name: "gina")
        let message = Data("approve sha256:5e5e".utf8)
        let signature = try key.sign(message)
        #expect(signature.count == 64)
        #expect(key.publicKey.verify(signature, for: message))
        for index in [0, 31, 63] {
            var flipped = signature
            flipped[index] ^= 0x01
            #expect(!key.publicKey.verify(flipped, for: message))
        }
        var otherMessage = message
        otherMessage[3] ^= 0x20
        #expect(!key.publicKey.verify(signature, for: otherMessage))
        #expect(!SigningKey.generate(name: "gina").publicKey.verify(signature, for: message))
    }
}
