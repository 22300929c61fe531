import GreenlightCore
import NIOSSL

extension TLSTrust {
    /// How an environment's HTTPS servers are trusted: `insecure` wins, then its `ca` (relative to the
    /// spec's folder), else the system store. Smoke, parity, the load engine and the certificate check
    /// all take their trust from here.
    public init(_ environment: EnvironmentSpec, directory: String) {
        if environment.insecure {
            self = .insecure
        } else if let ca = environment.ca {
            self = .customCA(path: SpecPath.resolve(ca, in: directory))
        } else {
            self = .system
        }
    }

    /// The CA files to trust besides the system store.
    public var trustRoots: [String] {
        if case .customCA(let path) = self { return [path] }
        return []
    }

    public var isInsecure: Bool { self == .insecure }

    /// The client TLS configuration of this trust, the same for the HTTP session and the load engine:
    /// the system store, plus the CA file's certificates, or no verification. An unreadable CA file is
    /// reported here, before any connection.
    public func clientConfiguration() throws(HTTPFailure) -> TLSConfiguration {
        if case .customCA(let path) = self {
            do {
                _ = try NIOSSLCertificate.fromPEMFile(path)
            } catch {
                throw HTTPFailure(description: "cannot read the CA certificates in \(path): \(error)")
            }
        }
        return Self.clientConfiguration(trustRoots: trustRoots, insecure: isInsecure)
    }

    /// The client TLS configuration: the system trust store plus the PEM files in `trustRoots`, or no
    /// verification at all. The dependency probes, which add a dependency's own `ca` to the
    /// environment's, build theirs here too.
    public static func clientConfiguration(trustRoots: [String], insecure: Bool) -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.additionalTrustRoots = trustRoots.map { .file($0) }
        if insecure { tls.certificateVerification = .none }
        return tls
    }
}
