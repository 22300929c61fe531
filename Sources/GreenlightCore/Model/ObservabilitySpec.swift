/// What proves the service can be watched: metrics, structured logs, traces, health and the alert path.
public struct ObservabilitySpec: SpecObject {
    /// The checks the section's runner returns, which decide the `monitoring-hooks` item. A waiver may
    /// name one of them to excuse that check alone.
    public enum CheckID: String, CaseIterable, Sendable {
        case metrics = "observability.metrics"
        case logs = "observability.logs"
        case diagnosis = "observability.diagnosis"
        case traces = "observability.traces"
        case health = "observability.health"
        case alertRules = "observability.alert-rules"
        case alertRoutes = "observability.alert-routes"
        case alertPipeline = "observability.alert-pipeline"
    }

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
    /// The metrics endpoint: a path relative to the environment's URL, or an absolute URL. Nil when the
    /// metrics are read from a Prometheus server instead.
    public var endpoint: String?
    public var require: [RequiredMetric]
    public var prometheus: PrometheusSource?

    /// A Prometheus server that scrapes the service: metrics are read through its HTTP API
    /// (`/api/v1/query`), restricted to the series carrying `labels`.
    public struct PrometheusSource: SpecObject {
        public var url: String
        public var labels: [(key: String, value: String)]
        /// The scrape job, whose interval must fit the health budget.
        public var job: String?

        package static let schema = ObjectSchema(
            "prometheus", doc: "A Prometheus server to read the service's metrics from.",
            fields: [
                Field("url", .string(.url), required: true, "the Prometheus server's base URL"),
                Field(
                    "labels", .dictionary(key: .text, value: .string(.text)),
                    "labels that select the service's series, such as job: checkout; {{environment}} in a value stands for the checked environment's name"
                ),
                Field("job", .string(.text), "the scrape job of the service; its interval must fit health.within"),
            ])

        package init(reading r: ObjectReader) {
            url = r.string("url") ?? ""
            labels = r.stringMap("labels")
            job = r.string("job")
        }
    }

    public struct RequiredMetric: SpecObject {
        package static let types = ["counter", "gauge", "histogram", "summary"]
        public var name: String
        public var labels: [String]
        public var type: String?
        /// The family must count greenlight's own requests: its total rises between a scrape before
        /// and one after them.
        public var moves: Bool

        package static let schema = ObjectSchema(
            "a required metric", doc: "A metric family that must be exposed.",
            fields: [
                Field("name", .string(.text), required: true, "the metric family's name"),
                Field("labels", .list(.string(.text), unique: .value), "labels every series must carry"),
                Field("type", .choice(types), "the metric type"),
                Field(
                    "moves", .boolean,
                    "true: its count must rise while greenlight sends requests (a counter that does not count fails); default false"
                ),
            ])

        package init(reading r: ObjectReader) {
            name = r.string("name") ?? ""
            labels = r.strings("labels")
            type = r.string("type")
            moves = r.bool("moves") ?? false
        }
    }

    package static let schema = ObjectSchema(
        "metrics", doc: "The Prometheus metrics endpoint.",
        fields: [
            Field(
                "endpoint", .string(.pathOrURL),
                "the path (relative to the environment's URL) or the URL of the metrics endpoint, such as /metrics"),
            Field(
                "require", .list(RequiredMetric.schemaType, unique: .field("name")),
                "metric families that must be there"),
            Field(
                "prometheus", PrometheusSource.schemaType,
                "read the metrics from a Prometheus server's HTTP API instead of the endpoint"),
        ],
        exactlyOneOf: ["endpoint", "prometheus"])

    package init(reading r: ObjectReader) {
        endpoint = r.string("endpoint")
        require = r.list("require")
        prometheus = r.object("prometheus")
    }
}

public struct LogsSpec: SpecObject {
    public var command: String?
    public var file: String?
    public var requireFields: [String]
    public var diagnosis: Diagnosis

    /// The diagnosis test: a request that fails on purpose, with greenlight's trace id, must be found in
    /// the logs within the budget (the pre-launch stand-in for "root cause within 5 minutes").
    public struct Diagnosis: SpecObject {
        public static let limit = SpecDuration(seconds: 300)
        /// The path to request; nil: a random path that should answer 404.
        public var path: String?
        public var within: SpecDuration

        package static let schema = ObjectSchema(
            "diagnosis", doc: "A failing request that must be found in the logs by its trace id.",
            fields: [
                Field("path", .string(.text), "the path of a request that fails; default a random path (404)"),
                Field(
                    "within", .string(.duration), "how fast its trace id must show in the logs; default 60s, at most 5m"
                ),
            ])

        package init(reading r: ObjectReader) {
            path = r.string("path")
            within = r.duration("within") ?? SpecDuration(seconds: 60)
        }
    }

    package static let schema = ObjectSchema(
        "logs", doc: "Structured logs: where to read them and the fields every line must carry.",
        fields: [
            Field("command", .string(.command), "a command printing recent log lines"),
            Field("file", .string(.path), "a file of log lines"),
            Field("require_fields", .list(.string(.text), unique: .value), "JSON fields every line must have"),
            Field(
                "diagnosis", Diagnosis.schemaType,
                "the failing request to find in the logs; default a random 404 path within 60s"),
        ],
        exactlyOneOf: ["command", "file"])

    package init(reading r: ObjectReader) {
        command = r.string("command")
        file = r.string("file")
        requireFields = r.strings("require_fields")
        diagnosis = r.object("diagnosis") ?? Diagnosis(reading: ObjectReader(nil, Diagnosis.schema))
    }
}

public struct TracesSpec: SpecObject {
    package static let propagations = ["w3c", "b3"]
    public var propagation: String
    public var backend: Backend?

    /// A trace backend whose HTTP API must hold greenlight's trace (`GET /api/traces/{id}`).
    public struct Backend: SpecObject {
        package static let kinds = ["jaeger", "tempo"]
        public var kind: String
        public var url: String
        public var within: SpecDuration

        package static let schema = ObjectSchema(
            "a trace backend", doc: "Where the service's traces are stored.",
            fields: [
                Field("kind", .choice(kinds), required: true, "jaeger or tempo"),
                Field("url", .string(.url), required: true, "the backend's query URL"),
                Field("within", .string(.duration), "how fast the trace must be found; default 30s"),
            ])

        package init(reading r: ObjectReader) {
            kind = r.string("kind") ?? "jaeger"
            url = r.string("url") ?? ""
            within = r.duration("within") ?? SpecDuration(seconds: 30)
        }
    }

    package static let schema = ObjectSchema(
        "traces", doc: "Trace-context propagation the service must honour.",
        fields: [
            Field("propagation", .choice(propagations), required: true, "w3c (traceparent) or b3"),
            Field("backend", Backend.schemaType, "a Jaeger or Tempo API where the trace must be found"),
        ])

    package init(reading r: ObjectReader) {
        propagation = r.string("propagation") ?? "w3c"
        backend = r.object("backend")
    }
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
    /// promtool rule test files (`promtool test rules`).
    public var ruleTests: [String]
    /// The alerts that page: their test alerts go through Alertmanager. Empty: every rule whose
    /// severity is `page` or `critical`.
    public var paging: [String]
    public var alertmanager: AlertmanagerSpec?
    public var runbook: String?

    public struct AlertmanagerSpec: SpecObject {
        public var url: String
        public var receiver: String
        public var within: SpecDuration
        /// The Alertmanager configuration file, whose routing tree is walked offline.
        public var config: String?
        /// Where greenlight's own webhook receiver listens (host:port on loopback) for the notification;
        /// nil: delivery is read from Alertmanager's notification counters.
        public var webhook: String?

        package static let schema = ObjectSchema(
            "alertmanager", doc: "The Alertmanager a test alert is sent through.",
            fields: [
                Field("url", .string(.url), required: true, "Alertmanager's base URL"),
                Field("receiver", .string(.text), required: true, "the receiver that must get the page"),
                Field("within", .string(.duration), "how fast the page must arrive; default 60s"),
                Field("config", .string(.path), "Alertmanager's configuration file, to walk its routes offline"),
                Field(
                    "webhook", .string(.address),
                    "host:port where greenlight receives the notification itself (webhook payload version 4)"),
            ])

        package init(reading r: ObjectReader) {
            url = r.string("url") ?? ""
            receiver = r.string("receiver") ?? ""
            within = r.duration("within") ?? SpecDuration(seconds: 60)
            config = r.string("config")
            webhook = r.string("webhook")
        }
    }

    package static let schema = ObjectSchema(
        "alerts", doc: "Alert rules and the path from alert to page to runbook.",
        fields: [
            Field("rules", .list(.string(.path)), "Prometheus rule files"),
            Field("rule_tests", .list(.string(.path)), "promtool rule test files, run when promtool is installed"),
            Field(
                "paging", .list(.string(.text), unique: .value),
                "the alerts that page; default every rule with severity page or critical"),
            Field("alertmanager", AlertmanagerSpec.schemaType, "where a test alert is sent"),
            Field("runbook", .string(.pathOrURL), "the runbook the page must link to"),
        ])

    package init(reading r: ObjectReader) {
        rules = r.strings("rules")
        ruleTests = r.strings("rule_tests")
        paging = r.strings("paging")
        alertmanager = r.object("alertmanager")
        runbook = r.string("runbook")
    }
}
