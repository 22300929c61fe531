/// What proves the service can be watched: metrics, structured logs, traces, health and the alert path.
public struct ObservabilitySpec: SpecObject {
    public var metrics: MetricsSpec?
    public var logs: LogsSpec?
    public var traces: TracesSpec?
    public var health: HealthSpec?
    public var alerts: AlertsSpec?

    package static let schema = ObjectSchema(
        "observability", doc: "Observability readiness.",
        fields: [
            Field("metrics", MetricsSpec.schemaType, "the metrics endpoint and the series it must expose"),
            Field("logs", LogsSpec.schemaType, "where structured logs come from and the fields they must carry"),
            Field("traces", TracesSpec.schemaType, "trace-context propagation"),
            Field("health", HealthSpec.schemaType, "the health endpoint and how fast health must be known"),
            Field("alerts", AlertsSpec.schemaType, "alert rules and the alert → page → runbook path"),
        ])

    package init(reading r: ObjectReader) {
        metrics = r.object("metrics")
        logs = r.object("logs")
        traces = r.object("traces")
        health = r.object("health")
        alerts = r.object("alerts")
    }
}

public struct MetricsSpec: SpecObject {
    public var endpoint: String
    public var require: [RequiredMetric]

    public struct RequiredMetric: SpecObject {
        package static let types = ["counter", "gauge", "histogram", "summary"]
        public var name: String
        public var labels: [String]
        public var type: String?

        package static let schema = ObjectSchema(
            "a required metric", doc: "A metric family that must be exposed.",
            fields: [
                Field("name", .string(.text), required: true, "the metric family's name"),
                Field("labels", .list(.string(.text), unique: .value), "labels every series must carry"),
                Field("type", .choice(types), "the metric type"),
            ])

        package init(reading r: ObjectReader) {
            name = r.string("name") ?? ""
            labels = r.strings("labels")
            type = r.string("type")
        }
    }

    package static let schema = ObjectSchema(
        "metrics", doc: "The Prometheus metrics endpoint.",
        fields: [
            Field(
                "endpoint", .string(.text), required: true,
                "the path (or URL) of the metrics endpoint, such as /metrics"),
            Field(
                "require", .list(RequiredMetric.schemaType, unique: .field("name")),
                "metric families that must be there"),
        ])

    package init(reading r: ObjectReader) {
        endpoint = r.string("endpoint") ?? "/metrics"
        require = r.list("require")
    }
}

public struct LogsSpec: SpecObject {
    public var command: String?
    public var file: String?
    public var requireFields: [String]

    package static let schema = ObjectSchema(
        "logs", doc: "Structured logs: where to read them and the fields every line must carry.",
        fields: [
            Field("command", .string(.command), "a command printing recent log lines"),
            Field("file", .string(.path), "a file of log lines"),
            Field("require_fields", .list(.string(.text), unique: .value), "JSON fields every line must have"),
        ],
        exactlyOneOf: ["command", "file"])

    package init(reading r: ObjectReader) {
        command = r.string("command")
        file = r.string("file")
        requireFields = r.strings("require_fields")
    }
}

public struct TracesSpec: SpecObject {
    package static let propagations = ["w3c", "b3"]
    public var propagation: String

    package static let schema = ObjectSchema(
        "traces", doc: "Trace-context propagation the service must honour.",
        fields: [Field("propagation", .choice(propagations), required: true, "w3c (traceparent) or b3")])

    package init(reading r: ObjectReader) { propagation = r.string("propagation") ?? "w3c" }
}

public struct HealthSpec: SpecObject {
    public static let slaLimit = SpecDuration(seconds: 30)
    public var path: String
    public var within: SpecDuration

    package static let schema = ObjectSchema(
        "health", doc: "The health endpoint; health must be known within 30 seconds.",
        fields: [
            Field("path", .string(.text), required: true, "the health endpoint's path, such as /healthz"),
            Field("within", .string(.duration), "how fast health must be known; at most 30s, the default"),
        ])

    package init(reading r: ObjectReader) {
        path = r.string("path") ?? "/healthz"
        within = r.duration("within") ?? Self.slaLimit
    }
}

public struct AlertsSpec: SpecObject {
    public var rules: [String]
    public var alertmanager: AlertmanagerSpec?
    public var runbook: String?

    public struct AlertmanagerSpec: SpecObject {
        public var url: String
        public var receiver: String
        public var within: SpecDuration

        package static let schema = ObjectSchema(
            "alertmanager", doc: "The Alertmanager a test alert is sent through.",
            fields: [
                Field("url", .string(.url), required: true, "Alertmanager's base URL"),
                Field("receiver", .string(.text), required: true, "the receiver that must get the page"),
                Field("within", .string(.duration), "how fast the page must arrive; default 60s"),
            ])

        package init(reading r: ObjectReader) {
            url = r.string("url") ?? ""
            receiver = r.string("receiver") ?? ""
            within = r.duration("within") ?? SpecDuration(seconds: 60)
        }
    }

    package static let schema = ObjectSchema(
        "alerts", doc: "Alert rules and the path from alert to page to runbook.",
        fields: [
            Field("rules", .list(.string(.path)), "Prometheus rule files"),
            Field("alertmanager", AlertmanagerSpec.schemaType, "where a test alert is sent"),
            Field("runbook", .string(.text), "the runbook the page must link to"),
        ])

    package init(reading r: ObjectReader) {
        rules = r.strings("rules")
        alertmanager = r.object("alertmanager")
        runbook = r.string("runbook")
    }
}
