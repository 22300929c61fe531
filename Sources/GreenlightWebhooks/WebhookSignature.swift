import Crypto
import Foundation

/// The Standard Webhooks signature (https://www.standardwebhooks.com): HMAC-SHA256 over
/// `webhook-id.webhook-timestamp.body`, sent as `webhook-signature: v1,<base64>`.
public enum WebhookSignature {
    /// The key bytes of `secret`: the base64 after `whsec_`, or else the text's UTF-8 bytes; nil when
    /// `whsec_` is followed by something that is not base64.
    public static func key(secret: String) -> SymmetricKey? {
        if secret.hasPrefix("whsec_") {
            return Data(base64Encoded: String(secret.dropFirst(6))).map { SymmetricKey(data: $0) }
        }
        return SymmetricKey(data: Data(secret.utf8))
    }

    /// `v1,<base64 of HMAC-SHA256(key, "id.timestamp.body")>`.
    public static func sign(id: String, timestamp: Int, body: Data, key: SymmetricKey) -> String {
        var content = Data("\(id).\(timestamp).".utf8)
        content.append(body)
        let mac = HMAC<SHA256>.authenticationCode(for: content, using: key)
        return "v1," + Data(mac).base64EncodedString()
    }

    /// Whether `header` (space-separated `v1,<base64>` signatures) holds one that matches, compared in
    /// constant time, and `timestamp` is within `tolerance` seconds of `now`: what a receiver checks.
    public static func verify(
        id: String, timestamp: Int, body: Data, header: String, key: SymmetricKey, now: Date = Date(),
        tolerance: TimeInterval = 300
    ) -> Bool {
        guard abs(now.timeIntervalSince1970 - Double(timestamp)) <= tolerance else { return false }
        var content = Data("\(id).\(timestamp).".utf8)
        content.append(body)
        for signature in header.split(separator: " ") where signature.hasPrefix("v1,") {
            if let mac = Data(base64Encoded: String(signature.dropFirst(3))),
                HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: content, using: key)
            {
                return true
            }
        }
        return false
    }
}
