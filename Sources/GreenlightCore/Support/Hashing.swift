import Crypto
import Foundation

/// Content digests: how greenlight names file contents, specs and reports.
package enum Hashing {
    /// The lowercase hex SHA-256 of the bytes.
    package static func sha256Hex(_ data: Data) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }
}
