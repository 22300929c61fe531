import Foundation
import NIOSSL

/// What a certificate says about itself: names, issuer, validity. Enough to explain why it was refused.
struct CertificateFacts: Sendable {
    var subject: String
    var issuer: String
    var commonName: String?
    var dnsNames: [String]
    var ipAddresses: [String]
    /// Seconds since 1970, UTC.
    var notBefore: Int
    var notAfter: Int
    var selfSigned: Bool

    init(_ certificate: NIOSSLCertificate) {
        subject = Self.distinguishedName(certificate.subjectName)
        issuer = Self.distinguishedName(certificate.issuerName)
        commonName = certificate.subjectName.last { $0.type == .commonName }?.value
        var dnsNames: [String] = []
        var ipAddresses: [String] = []
        for name in certificate._subjectAlternativeNames() {
            let bytes = Array(name.contents)
            switch name.nameType {
            case .dnsName: dnsNames.append(String(decoding: bytes, as: UTF8.self))
            case .ipAddress: ipAddresses.append(Self.ipText(bytes))
            default: break
            }
        }
        self.dnsNames = dnsNames
        self.ipAddresses = ipAddresses
        notBefore = Int(certificate.notValidBefore)
        notAfter = Int(certificate.notValidAfter)
        selfSigned = certificate.subjectName == certificate.issuerName
    }

    /// The names the certificate is for: its subject alternative names, or else its common name.
    var names: [String] {
        let alternatives = dnsNames + ipAddresses
        if !alternatives.isEmpty { return alternatives }
        return commonName.map { [$0] } ?? []
    }

    /// Whether the certificate is for `host` (RFC 6125: SANs when present, one-label wildcards).
    func matches(host: String) -> Bool {
        if let bytes = Resolver.addressBytes(host) {
            return ipAddresses.contains { Resolver.addressBytes($0) == bytes }
        }
        let host = host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "."))
        let candidates = dnsNames.isEmpty && ipAddresses.isEmpty ? commonName.map { [$0] } ?? [] : dnsNames
        return candidates.contains { Self.name($0.lowercased(), matches: host) }
    }

    static func name(_ pattern: String, matches host: String) -> Bool {
        guard pattern.hasPrefix("*.") else { return pattern == host }
        guard let dot = host.firstIndex(of: ".") else { return false }
        return host[host.index(after: dot)...] == pattern.dropFirst(2) && dot != host.startIndex
    }

    /// Whole days left until expiry; negative once expired.
    func daysLeft(at now: Int) -> Int {
        Int((Double(notAfter - now) / 86_400).rounded(.down))
    }

    var details: [String] {
        [
            "subject: \(subject)",
            "issuer: \(issuer)\(selfSigned ? " (self-signed)" : "")",
            "names: \(names.isEmpty ? "none" : names.joined(separator: ", "))",
            "valid from \(Self.day(notBefore)) to \(Self.day(notAfter))",
        ]
    }

    /// A time as a UTC calendar day, `2026-05-01`.
    static func day(_ time: Int) -> String {
        var seconds = time_t(time)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(format: "%04d-%02d-%02d", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday))
    }

    static func distinguishedName(_ names: [SSLCertificateName]) -> String {
        names.map { "\(label($0.type))=\($0.value)" }.joined(separator: ", ")
    }

    static func label(_ type: SSLCertificateNameType) -> String {
        switch type {
        case .commonName: return "CN"
        case .organization: return "O"
        case .organizationalUnit: return "OU"
        case .country: return "C"
        case .state: return "ST"
        case .city: return "L"
        case .emailAddress: return "emailAddress"
        case .userId: return "UID"
        default: return "?"
        }
    }

    static func ipText(_ bytes: [UInt8]) -> String {
        if bytes.count == 4 { return bytes.map(String.init).joined(separator: ".") }
        guard bytes.count == 16 else { return bytes.map { String($0, radix: 16) }.joined(separator: ":") }
        var address = in6_addr()
        withUnsafeMutableBytes(of: &address) { $0.copyBytes(from: bytes) }
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        guard inet_ntop(AF_INET6, &address, &buffer, socklen_t(buffer.count)) != nil else { return "?" }
        return Resolver.cString(buffer)
    }
}
