/// A release as described in `release.yaml`: the service, how to test it and how to ship it.
public struct ReleaseSpec: Sendable {
    public var version: Int
    public var service: ServiceSpec
    public var environments: [(name: String, value: EnvironmentSpec)]
    public var parity: ParitySpec?
    public var traffic: TrafficSpec?
    public var checklist: ChecklistSpec
    public var smoke: SmokeSpec?
    public var load: LoadSpec?
    public var dependencies: [DependencySpec]
    public var observability: ObservabilitySpec?
    public var risk: RiskSpec
    public var rollout: RolloutSpec?
    public var rollback: RollbackSpec?
    public var signoff: SignoffSpec?

    /// Where the spec came from, as the user named it, and the folder its relative paths start from.
    public var file: String = ""
    public var directory: String = "."
    /// SHA-256 of the file's bytes.
    public var sha256: String = ""
    /// Values taken from the environment, which outputs must never show.
    public var redactor = Redactor()
    /// The tree the spec was read from, for locating fields in later messages.
    package var source: SpecValue?

    public func environment(named name: String) -> EnvironmentSpec? {
        environments.first { $0.name == name }?.value
    }
}

extension ReleaseSpec: SpecObject {
    public static let currentFormatVersion = 1

    package static let schema = ObjectSchema(
        "a release spec",
        doc: "A greenlight release spec: the service, the evidence that it is ready, and how it is shipped.",
        fields: [
            Field(
                "version", .integer(min: 1, max: 1, why: "this greenlight reads spec format version 1"), required: true,
                "the spec format version, 1"),
            Field("service", ServiceSpec.schemaType, required: true, "the service being released"),
            Field(
                "environments", .dictionary(key: .identifier, value: EnvironmentSpec.schemaType),
                "named environments (staging, production, …): base URL and parity descriptor"),
            Field("parity", ParitySpec.schemaType, "which environments must match, and which keys may differ"),
            Field("traffic", TrafficSpec.schemaType, "the traffic the service expects at peak"),
            Field(
                "checklist", ChecklistSpec.schemaType,
                "custom readiness items and waivers; the four non-negotiable items are always present"),
            Field("smoke", SmokeSpec.schemaType, "end-to-end user workflows that must work"),
            Field("load", LoadSpec.schemaType, "the load test: at least 3x expected peak, sustained"),
            Field(
                "dependencies", .list(DependencySpec.schemaType, unique: .field("name")),
                "external dependencies that must behave: DNS, TCP, TLS, HTTP, PostgreSQL, Redis"),
            Field("observability", ObservabilitySpec.schemaType, "metrics, logs, traces, health and the alert path"),
            Field(
                "risk", RiskSpec.schemaType, required: true,
                "likelihood and impact of a failure; decides how cautious the rollout must be"),
            Field(
                "rollout", RolloutSpec.schemaType, "how the release reaches users: canary steps, analysis, kill switch"),
            Field("rollback", RollbackSpec.schemaType, "how the release is undone, and when that was last rehearsed"),
            Field("signoff", SignoffSpec.schemaType, "who must approve the readiness report"),
        ]
    )

    package init(reading r: ObjectReader) {
        version = r.int("version") ?? 0
        service = r.object("service") ?? ServiceSpec(reading: ObjectReader(nil, ServiceSpec.schema))
        environments = r.namedObjects("environments")
        parity = r.object("parity")
        traffic = r.object("traffic")
        checklist = r.object("checklist") ?? ChecklistSpec(reading: ObjectReader(nil, ChecklistSpec.schema))
        smoke = r.object("smoke")
        load = r.object("load")
        dependencies = r.list("dependencies")
        observability = r.object("observability")
        risk = r.object("risk") ?? RiskSpec(reading: ObjectReader(nil, RiskSpec.schema))
        rollout = r.object("rollout")
        rollback = r.object("rollback")
        signoff = r.object("signoff")
    }
}

/// The service being released.
public struct ServiceSpec: SpecObject {
    public var name: String
    public var version: String
    public var owner: String
    public var author: String?
    public var ticket: String?

    package static let schema = ObjectSchema(
        "service", doc: "The service being released.",
        fields: [
            Field("name", .string(.identifier), required: true, "the service's name, such as checkout"),
            Field("version", .string(.text), required: true, "the version being released, such as 2.14.0"),
            Field("owner", .string(.text), required: true, "the team that owns the service, such as payments-team"),
            Field("author", .string(.text), "who made the change; may be barred from approving it"),
            Field("ticket", .string(.url), "the release ticket's URL, where sign-off is traced"),
        ])

    package init(reading r: ObjectReader) {
        name = r.string("name") ?? ""
        version = r.string("version") ?? ""
        owner = r.string("owner") ?? ""
        author = r.string("author")
        ticket = r.string("ticket")
    }
}

/// The expected peak the load test multiplies.
public struct TrafficSpec: SpecObject {
    public var expectedPeakRPS: Double

    package static let schema = ObjectSchema(
        "traffic", doc: "The traffic the service expects at peak.",
        fields: [
            Field(
                "expected_peak_rps", .number(min: 0, exclusiveMinimum: true), required: true,
                "requests per second at the expected peak, such as 400")
        ])

    package init(reading r: ObjectReader) {
        expectedPeakRPS = r.double("expected_peak_rps") ?? 0
    }
}
