import NIOSSL

/// Names what went wrong in a TLS handshake from BoringSSL's error stack.
package enum TLSErrorText {
    /// The BoringSSL reason codes in an error, such as `CERTIFICATE_VERIFY_FAILED`.
    package static func codes(_ error: any Error) -> [String] {
        let text = String(describing: error)
        var codes: [String] = []
        // Each entry reads "error:10000086:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED at …".
        for part in text.components(separatedBy: "OPENSSL_internal:").dropFirst() {
            let code = part.prefix { $0.isUppercase || $0.isNumber || $0 == "_" }
            if !code.isEmpty { codes.append(String(code)) }
        }
        return codes
    }

    package static func isVerificationFailure(_ error: any Error) -> Bool {
        if let extra = error as? NIOSSLExtraError, extra == .failedToValidateHostname { return true }
        return codes(error).contains("CERTIFICATE_VERIFY_FAILED")
    }

    package static func reason(_ error: any Error) -> String {
        let codes = codes(error)
        if codes.contains("WRONG_VERSION_NUMBER") || codes.contains("PACKET_LENGTH_TOO_LONG") {
            return "the server does not speak TLS (\(codes.joined(separator: ", ")))"
        }
        if let error = error as? NIOSSLError, case .uncleanShutdown = error {
            return "the server closed the connection during the handshake"
        }
        if let error = error as? NIOSSLError, case .handshakeFailed(.sslError(let stack)) = error,
            stack.contains(.eofDuringHandshake)
        {
            return "the server closed the connection during the handshake"
        }
        if !codes.isEmpty { return codes.joined(separator: ", ").lowercased().replacingOccurrences(of: "_", with: " ") }
        return String(describing: error)
    }
}
