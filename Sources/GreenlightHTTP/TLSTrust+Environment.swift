import GreenlightCore

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
}
