/// The release's risk: likelihood of a problem times its impact, given or derived.
public struct RiskSpec: SpecObject {
    /// How far a failure reaches, from one component to the whole platform.
    public enum BlastRadius: String, Sendable, CaseIterable, Codable {
        case component, feature, service, product, platform

        public var level: Int {
            switch self {
            case .component: return 1
            case .feature: return 2
            case .service: return 3
            case .product: return 4
            case .platform: return 5
            }
        }
    }

    public var summary: String?
    public var likelihood: Int
    public var impact: Int?
    public var blastRadius: BlastRadius?
    public var recoveryMinutes: Double?
    public var usersAffectedPercent: Double?
    public var revenuePerMinute: Double?

    package static let schema = ObjectSchema(
        "risk", doc: "Risk assessment: likelihood x impact decides how cautious the rollout must be.",
        fields: [
            Field("summary", .string(.text), "what changes and what could break, in a sentence"),
            Field(
                "likelihood", .integer(min: 1, max: 5), required: true,
                "how likely a problem is, 1 (rare) to 5 (almost certain)"),
            Field(
                "impact", .integer(min: 1, max: 5),
                "how bad a problem would be, 1 to 5; derived from the fields below when absent"),
            Field(
                "blast_radius", .choice(BlastRadius.allCases.map(\.rawValue)),
                "what breaks if it fails: component, feature, service, product or platform"),
            Field("recovery_minutes", .number(min: 0), "minutes to fix or roll back"),
            Field("users_affected_percent", .number(min: 0, max: 100), "the share of users a failure would reach"),
            Field("revenue_per_minute", .number(min: 0), "revenue lost per minute of downtime"),
        ])

    package init(reading r: ObjectReader) {
        summary = r.string("summary")
        likelihood = r.int("likelihood") ?? 0
        impact = r.int("impact")
        blastRadius = r.choice("blast_radius")
        recoveryMinutes = r.double("recovery_minutes")
        usersAffectedPercent = r.double("users_affected_percent")
        revenuePerMinute = r.double("revenue_per_minute")
    }
}

/// How the release reaches users.
public struct RolloutSpec: SpecObject {
    public enum Strategy: String, Sendable, CaseIterable { case canary }
    public enum Router: String, Sendable, CaseIterable { case builtin, command }

    public var strategy: Strategy
    public var router: Router
    public var command: String?
    public var stickyKey: StickyKey?
    public var steps: [Double]
    public var bake: SpecDuration?
    public var interval: SpecDuration?
    public var featureFlag: String?
    public var manualApproval: Bool
    public var analysis: AnalysisSpec?
    /// The Prometheus that answers the analysis metrics' queries.
    public var prometheus: String?
    /// Where the built-in router listens and what it sits in front of; optional, for `greenlight router FILE`.
    public var proxy: ProxySpec?

    /// The built-in router's place in the traffic: where it listens, the two upstreams, its admin listener.
    public struct ProxySpec: SpecObject {
        public var listen: String
        public var baseline: String
        public var canary: String
        public var adminListen: String?
        public var adminToken: String?

        package static let schema = ObjectSchema(
            "proxy", doc: "Where greenlight's router listens and the baseline and canary it splits traffic between.",
            fields: [
                Field(
                    "listen", .string(.address), required: true,
                    "host:port the router accepts clients on, such as 0.0.0.0:8080"),
                Field("baseline", .string(.url), required: true, "the baseline upstream, such as http://10.0.0.5:8080"),
                Field("canary", .string(.url), required: true, "the canary upstream, such as http://10.0.0.6:8080"),
                Field(
                    "admin_listen", .string(.address),
                    "host:port of the admin API and /metrics; default 127.0.0.1 on the next port"),
                Field(
                    "admin_token", .string(.text),
                    "the bearer token the admin API requires when not on loopback, such as ${ROUTER_TOKEN}"),
            ])

        package init(reading r: ObjectReader) {
            listen = r.string("listen") ?? ""
            baseline = r.string("baseline") ?? ""
            canary = r.string("canary") ?? ""
            adminListen = r.string("admin_listen")
            adminToken = r.string("admin_token")
        }
    }

    public struct StickyKey: SpecObject {
        public var header: String?
        public var cookie: String?

        package static let schema = ObjectSchema(
            "sticky_key", doc: "What keeps a user on the same side of the split.",
            fields: [
                Field("header", .string(.httpHeaderName), "a request header, such as X-User-Id"),
                Field("cookie", .string(.text), "a cookie's name"),
            ],
            exactlyOneOf: ["header", "cookie"])

        package init(reading r: ObjectReader) {
            header = r.string("header")
            cookie = r.string("cookie")
        }
    }

    package static let schema = ObjectSchema(
        "rollout", doc: "The canary rollout.",
        fields: [
            Field("strategy", .choice(Strategy.allCases.map(\.rawValue)), "canary; default canary"),
            Field(
                "router", .choice(Router.allCases.map(\.rawValue)),
                "builtin (greenlight's own router) or command (drive a mesh or load balancer); default builtin"),
            Field("command", .string(.command), "with router: command, the command that sets the weight ({{percent}})"),
            Field("sticky_key", StickyKey.schemaType, "what keeps a user on one side of the split"),
            Field(
                "steps", .list(.number(min: 0, max: 100, exclusiveMinimum: true), minItems: 1), required: true,
                "canary weights in percent, ascending, such as [1, 5, 25, 50, 100]"),
            Field("bake", .string(.duration), "how long each step runs before it is judged"),
            Field("interval", .string(.duration), "how often metrics are analysed during a step"),
            Field("feature_flag", .string(.identifier), "the feature flag that acts as the kill switch"),
            Field("manual_approval", .boolean, "pause for a person's approval between steps; default false"),
            Field("analysis", AnalysisSpec.schemaType, "the metrics the canary is judged on"),
            Field(
                "prometheus", .string(.url),
                "the Prometheus that answers the analysis metrics' queries, such as http://127.0.0.1:9090"),
            Field("proxy", ProxySpec.schemaType, "with router: builtin, where the router listens and its upstreams"),
        ])

    package init(reading r: ObjectReader) {
        strategy = r.choice("strategy") ?? .canary
        router = r.choice("router") ?? .builtin
        command = r.string("command")
        stickyKey = r.object("sticky_key")
        steps = r.numbers("steps")
        bake = r.duration("bake")
        interval = r.duration("interval")
        featureFlag = r.string("feature_flag")
        manualApproval = r.bool("manual_approval") ?? false
        analysis = r.object("analysis")
        prometheus = r.string("prometheus")
        proxy = r.object("proxy")
    }
}

public struct AnalysisSpec: SpecObject {
    public var metrics: [AnalysisMetric]
    public var pass: Int
    public var marginal: Int

    public struct AnalysisMetric: SpecObject {
        public enum Direction: String, Sendable, CaseIterable { case increase, decrease, either }
        public var name: String
        public var direction: Direction
        public var critical: Bool
        /// A PromQL query with `{{arm}}` for `baseline` or `canary`: the metric comes from Prometheus.
        public var query: String?

        package static let schema = ObjectSchema(
            "an analysis metric", doc: "A metric compared between baseline and canary.",
            fields: [
                Field("name", .string(.text), required: true, "the metric, such as error_rate or latency_p99"),
                Field(
                    "direction", .choice(Direction.allCases.map(\.rawValue)),
                    "which change is bad: increase, decrease or either; default increase"),
                Field("critical", .boolean, "a failure of this metric fails the whole step; default false"),
                Field(
                    "query", .string(.text),
                    "a PromQL query with {{arm}} (baseline or canary), asked of rollout.prometheus; default: the router's numbers"
                ),
            ])

        public init(name: String, direction: Direction = .increase, critical: Bool = false, query: String? = nil) {
            self.name = name
            self.direction = direction
            self.critical = critical
            self.query = query
        }

        package init(reading r: ObjectReader) {
            name = r.string("name") ?? ""
            direction = r.choice("direction") ?? .increase
            critical = r.bool("critical") ?? false
            query = r.string("query")
        }
    }

    package static let schema = ObjectSchema(
        "analysis", doc: "Canary analysis: the score a step needs to pass.",
        fields: [
            Field(
                "metrics", .list(AnalysisMetric.schemaType, minItems: 1, unique: .field("name")), required: true,
                "the metrics compared"),
            Field("pass", .integer(min: 0, max: 100), "the score (0-100) at or above which a step passes; default 95"),
            Field("marginal", .integer(min: 0, max: 100), "the score below which a step fails; default 75"),
        ])

    package init(reading r: ObjectReader) {
        metrics = r.list("metrics")
        pass = r.int("pass") ?? 95
        marginal = r.int("marginal") ?? 75
    }
}

/// How the release is undone.
public struct RollbackSpec: SpecObject {
    public var runbook: String?
    public var command: String?
    public var rehearsed: CalendarDate?
    public var automated: Bool

    package static let schema = ObjectSchema(
        "rollback", doc: "The rollback plan.",
        fields: [
            Field(
                "runbook", .string(.pathOrURL), "the rollback runbook: a file relative to the spec's folder, or a URL"),
            Field("command", .string(.command), "the command that rolls back"),
            Field("rehearsed", .string(.date), "when the rollback was last rehearsed, YYYY-MM-DD"),
            Field("automated", .boolean, "rollback happens without a person when the canary fails; default false"),
        ])

    package init(reading r: ObjectReader) {
        runbook = r.string("runbook")
        command = r.string("command")
        rehearsed = r.date("rehearsed")
        automated = r.bool("automated") ?? false
    }
}

/// Who must approve the readiness report.
public struct SignoffSpec: SpecObject {
    public var required: [String]
    public var forbidAuthorApproval: Bool

    package static let schema = ObjectSchema(
        "signoff", doc: "Cross-functional sign-off, bound to the readiness report.",
        fields: [
            Field(
                "required", .list(.string(.identifier), minItems: 1, unique: .value), required: true,
                "the roles that must sign, such as [engineering, product, sre]"),
            Field(
                "forbid_author_approval", .boolean, "the change's author may not sign or approve waivers; default true"),
        ])

    package init(reading r: ObjectReader) {
        required = r.strings("required")
        forbidAuthorApproval = r.bool("forbid_author_approval") ?? true
    }
}
