/// The client's address as RFC 7239's `Forwarded` gives it; the rest of a proxy's header rules (RFC 9110
/// §7.6) are applied to the bytes by ``HeadRewriter``.
enum ForwardingHeaders {
    /// `for=` of RFC 7239: IPv6 addresses bracketed and quoted, "unknown" when there is none.
    static func forwardedNode(_ ip: String?) -> String {
        guard let ip else { return "for=unknown" }
        return ip.contains(":") ? "for=\"[\(ip)]\"" : "for=\(ip)"
    }
}
