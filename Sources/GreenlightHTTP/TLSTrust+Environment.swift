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
    /// the system store, plus the CA file's certificates, or no verification.
    public func clientConfiguration() throws(HTTPFailure) -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        switch self {
        case .system: break
        case .customCA(let path):
            do {
                tls.additionalTrustRoots = [.certificates(try NIOSSLCertificate.fromPEMFile(path))]
            } catch {
                throw HTTPFailure(description: "cannot read the CA certificates in \(path): \(error)")
            }
        case .insecure:
            tls.certificateVerification = .none
        }
        return tls
    }
}
