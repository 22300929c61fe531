/// An external dependency that must behave under production constraints.
public struct DependencySpec: SpecObject {
    public enum Kind: String, Sendable, CaseIterable {
        case dns, tcp, tls, http, postgres, redis

        /// The fields that mean something for each kind.
        public var applicableFields: [String] {
            let common = ["name", "kind", "timeout"]
            switch self {
            case .dns: return common + ["host", "expect_addresses"]
            case .tcp: return common + ["address"]
            case .tls: return common + ["host", "port", "min_days_valid", "ca", "insecure"]
            case .http:
                return common + [
                    "url", "status", "latency", "headers", "rate_limit_min_remaining", "min_days_valid", "ca",
                    "insecure",
                ]
            case .postgres: return common + ["url", "query", "ca", "insecure"]
            case .redis: return common + ["address"]
            }
        }

        /// The fields each kind cannot do without.
        public var requiredFields: [String] {
            switch self {
            case .dns, .tls: return ["host"]
            case .tcp, .redis: return ["address"]
            case .http, .postgres: return ["url"]
            }
        }
    }

    public var name: String
    public var kind: Kind?
    public var url: String?
    public var host: String?
    public var address: String?
    public var port: Int?
    public var status: Int?
    public var timeout: SpecDuration
    public var latency: DurationBudget?
    public var minDaysValid: Int?
    public var headers: [(key: String, value: String)]
    public var expectAddresses: [String]
    public var query: String?
    public var rateLimitMinRemaining: Int?
    /// A PEM file of CA certificates trusted besides the system store (relative to the spec's folder).
    public var ca: String?
    /// Skip certificate verification (a throwaway staging certificate); an expired one still warns.
    public var insecure: Bool

    public static let defaultTimeout = SpecDuration(seconds: 5)

    package static let schema = ObjectSchema(
        "a dependency", doc: "A dependency check; which fields apply depends on kind.",
        fields: [
            Field("name", .string(.identifier), required: true, "a unique name, such as orders-db"),
            Field(
                "kind", .choice(Kind.allCases.map(\.rawValue)), required: true, "dns, tcp, tls, http, postgres or redis"
            ),
            Field("url", .string(.anyURL), "http: the URL to request; postgres: the connection URL"),
            Field("host", .string(.text), "dns: the name to resolve; tls: the host to connect to"),
            Field("address", .string(.address), "tcp and redis: host:port"),
            Field("port", .integer(min: 1, max: 65535), "tls: the port; default 443"),
            Field("status", .integer(min: 100, max: 599), "http: the expected status; default any 2xx"),
            Field("timeout", .string(.duration), "how long the check may take; default 5s"),
            Field("latency", .string(.durationBudget), "http: a response-time budget, such as '< 200ms'"),
            Field("min_days_valid", .integer(min: 0), "tls: days the certificate must still be valid"),
            Field(
                "headers", .dictionary(key: .httpHeaderName, value: .string(.httpFieldValue)),
                "http: headers, such as Authorization"),
            Field("expect_addresses", .list(.string(.text)), "dns: addresses the name must resolve to"),
            Field("query", .string(.text), "postgres: a query that must succeed, besides SELECT 1"),
            Field(
                "rate_limit_min_remaining", .integer(min: 0),
                "http: warn when RateLimit-Remaining or X-RateLimit-Remaining falls below this"),
            Field(
                "ca", .string(.path),
                "tls, http, postgres: a PEM file of CA certificates to trust besides the system store"),
            Field(
                "insecure", .boolean, "tls, http, postgres: skip certificate verification (staging only); default false"
            ),
        ])

    package init(reading r: ObjectReader) {
        name = r.string("name") ?? ""
        kind = r.choice("kind")
        url = r.string("url")
        host = r.string("host")
        address = r.string("address")
        port = r.int("port")
        status = r.int("status")
        timeout = r.duration("timeout") ?? Self.defaultTimeout
        latency = r.raw("latency")?.scalar.flatMap(DurationBudget.init)
        minDaysValid = r.int("min_days_valid")
        headers = r.stringMap("headers")
        expectAddresses = r.strings("expect_addresses")
        query = r.string("query")
        rateLimitMinRemaining = r.int("rate_limit_min_remaining")
        ca = r.string("ca")
        insecure = r.bool("insecure") ?? false
    }
}
