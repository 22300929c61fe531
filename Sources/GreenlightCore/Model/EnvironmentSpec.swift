/// One environment the release runs in: its base URL and where its parity descriptor comes from.
public struct EnvironmentSpec: SpecObject {
    public var url: String
    public var descriptor: DescriptorSource?
    /// A PEM file of CA certificates trusted besides the system store (relative to the spec's folder).
    public var ca: String?
    /// Skip certificate verification: for staging servers with throwaway certificates only.
    public var insecure: Bool

    public enum DescriptorSource: Sendable, Hashable {
        /// A JSON, YAML or `.env` file, relative to the spec's folder.
        case file(String)
        /// A live endpoint answering JSON, such as `/internal/info`.
        case endpoint(url: String, headers: [String: String])
    }

    package static let descriptorEndpoint = ObjectSchema(
        "descriptor", doc: "A live endpoint answering the environment's descriptor as JSON.",
        fields: [
            Field("url", .string(.url), required: true, "the endpoint's URL"),
            Field(
                "headers", .dictionary(key: .httpHeaderName, value: .string(.httpFieldValue)),
                "headers to send, such as Authorization"),
        ])

    package static let schema = ObjectSchema(
        "an environment", doc: "An environment: base URL and parity descriptor.",
        fields: [
            Field("url", .string(.url), required: true, "the base URL requests are sent to"),
            Field(
                "descriptor", .scalarOrObject(.path, descriptorEndpoint),
                "the parity descriptor: a file (JSON, YAML, .env) or a live endpoint"),
            Field("ca", .string(.path), "a PEM file of CA certificates to trust besides the system store"),
            Field("insecure", .boolean, "skip TLS certificate verification (staging only); default false"),
        ])

    package init(reading r: ObjectReader) {
        url = r.string("url") ?? ""
        ca = r.string("ca")
        insecure = r.bool("insecure") ?? false
        if let raw = r.raw("descriptor") {
            if let path = raw.scalar {
                descriptor = .file(path)
            } else {
                let inner = ObjectReader(raw, Self.descriptorEndpoint)
                descriptor = .endpoint(
                    url: inner.string("url") ?? "",
                    headers: Dictionary(
                        inner.stringMap("headers").map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a }))
            }
        }
    }
}

/// Which environments must match, and which keys are expected to differ.
public struct ParitySpec: SpecObject {
    public var compare: [String]
    public var ignore: [String]

    package static let schema = ObjectSchema(
        "parity", doc: "Environment parity: which environments to compare and which keys may differ.",
        fields: [
            Field(
                "compare", .list(.string(.identifier), minItems: 2, unique: .value), required: true,
                "two environments to compare, such as [staging, production]"),
            Field(
                "ignore", .list(.string(.text), unique: .value),
                "keys expected to differ; '*' matches within one segment, as in secrets.*"),
        ])

    package init(reading r: ObjectReader) {
        compare = r.strings("compare")
        ignore = r.strings("ignore")
    }
}
