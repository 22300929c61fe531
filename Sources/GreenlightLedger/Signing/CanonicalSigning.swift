import Foundation
import GreenlightCore

/// The bytes greenlight signs for a record: its canonical JSON, the same form
/// `Report.canonicalJSON()` digests (sorted keys, snake_case, no whitespace), with the signature left out.
enum CanonicalSigning {
    static func bytes<T: Encodable>(of value: T) throws -> Data {
        try Report.encoder(pretty: false).encode(value)
    }

    /// Reads what ``bytes(of:)`` wrote (snake_case keys).
    static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(type, from: data)
    }

    /// The ISO 8601 UTC time greenlight records, to the second.
    static func utc(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle())  // 2026-11-30T15:45:10Z
    }
}

/// A signature, registration or sign-off that does not hold, saying which and why.
public struct SignatureError: Error, CustomStringConvertible, Sendable {
    public var description: String
    init(_ description: String) { self.description = description }
}
