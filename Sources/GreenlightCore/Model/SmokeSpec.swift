import GreenlightJSON

/// End-to-end user workflows (sign-in, purchase, upload, error paths) that must work before launch.
public struct SmokeSpec: SpecObject {
    public var scenarios: [SmokeScenario]
    public var parallelism: Int
    /// Values every scenario starts with, used as {{name}}.
    public var variables: [(key: String, value: String)]

    package static let schema = ObjectSchema(
        "smoke", doc: "Smoke tests: named scenarios of HTTP steps.",
        fields: [
            Field(
                "scenarios", .list(SmokeScenario.schemaType, minItems: 1, unique: .field("name")), required: true,
                "the workflows to run"),
            Field("parallelism", .integer(min: 1, max: 64), "how many scenarios run at once; default 4"),
            Field(
                "variables",
                .dictionary(key: .identifier, value: .string(StringFormat(name: "text", allowsEmpty: true))),
                "values every scenario starts with, used as {{name}}"),
        ])

    package init(reading r: ObjectReader) {
        scenarios = r.list("scenarios")
        parallelism = r.int("parallelism") ?? 4
        variables = r.stringMap("variables")
    }
}

public struct SmokeScenario: SpecObject {
    public var name: String
    public var steps: [SmokeStep]

    package static let schema = ObjectSchema(
        "a scenario", doc: "A named workflow of steps run in order; captures flow from one step to the next.",
        fields: [
            Field("name", .string(.text), required: true, "a unique name, such as 'sign in and buy'"),
            Field("steps", .list(SmokeStep.schemaType, minItems: 1), required: true, "the steps, in order"),
        ])

    package init(reading r: ObjectReader) {
        name = r.string("name") ?? ""
        steps = r.list("steps")
    }

    public init(name: String, steps: [SmokeStep]) {
        self.name = name
        self.steps = steps
    }
}

public struct SmokeStep: SpecObject {
    public var name: String?
    public var request: HTTPRequestSpec
    public var expect: ExpectSpec?
    public var capture: [(name: String, value: CaptureSpec)]
    public var retry: RetrySpec?
    public var timeout: SpecDuration?

    package static let schema = ObjectSchema(
        "a step", doc: "One request with its expectations and captures.",
        fields: [
            Field("name", .string(.text), "a name shown in reports"),
            Field("request", HTTPRequestSpec.schemaType, required: true, "the request to send"),
            Field("expect", ExpectSpec.schemaType, "what the response must look like"),
            Field(
                "capture", .dictionary(key: .identifier, value: CaptureSpec.schemaType),
                "values to keep for later steps, used as {{name}}"),
            Field("retry", RetrySpec.schemaType, "retries for eventually-consistent steps"),
            Field("timeout", .string(.duration), "how long the step may take; default 10s"),
        ])

    package init(reading r: ObjectReader) {
        name = r.string("name")
        request = r.object("request") ?? HTTPRequestSpec(reading: ObjectReader(nil, HTTPRequestSpec.schema))
        expect = r.object("expect")
        capture = r.namedObjects("capture")
        retry = r.object("retry")
        timeout = r.duration("timeout")
    }

    /// A bare step: the request alone, no expectations or captures.
    public init(name: String? = nil, request: HTTPRequestSpec) {
        self.name = name
        self.request = request
        capture = []
    }
}

/// An HTTP request, relative to the environment's base URL unless `url` is absolute.
public struct HTTPRequestSpec: SpecObject {
    package static let methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]

    public var method: String
    public var path: String?
    public var url: String?
    public var headers: [(key: String, value: String)]
    public var query: [(key: String, value: String)]
    public var json: JSONValue?
    public var form: [(key: String, value: String)]
    public var multipart: [MultipartPart]
    public var body: String?

    package static let schema = ObjectSchema(
        "a request", doc: "An HTTP request.",
        fields: [
            Field("method", .choice(methods), "the HTTP method; default GET"),
            Field("path", .string(.text), "a path relative to the environment's base URL, such as /api/login"),
            Field("url", .string(.url), "an absolute URL, instead of path"),
            Field("headers", .dictionary(key: .httpHeaderName, value: .string(.httpFieldValue)), "request headers"),
            Field(
                "query", .dictionary(key: .text, value: .string(StringFormat(name: "text", allowsEmpty: true))),
                "query parameters"),
            Field("json", .any, "a JSON body"),
            Field(
                "form", .dictionary(key: .text, value: .string(StringFormat(name: "text", allowsEmpty: true))),
                "a URL-encoded form body"),
            Field(
                "multipart", .list(MultipartPart.schemaType, minItems: 1), "a multipart/form-data body (file uploads)"),
            Field("body", .string(StringFormat(name: "text", allowsEmpty: true)), "a raw text body"),
        ],
        exactlyOneOf: ["path", "url"], atMostOneOf: ["json", "form", "multipart", "body"])

    package init(reading r: ObjectReader) {
        let r = r.templated()
        method = r.string("method") ?? "GET"
        path = r.string("path")
        url = r.string("url")
        headers = r.stringMap("headers")
        query = r.stringMap("query")
        json = r.json("json")
        form = r.stringMap("form")
        multipart = r.list("multipart")
        body = r.raw("body")?.scalar
    }
}

public struct MultipartPart: SpecObject {
    public var name: String
    public var value: String?
    public var file: String?
    public var contentType: String?

    package static let schema = ObjectSchema(
        "a multipart part", doc: "A part of a multipart body: a field value or a file.",
        fields: [
            Field("name", .string(.text), required: true, "the form field's name"),
            Field("value", .string(StringFormat(name: "text", allowsEmpty: true)), "a text value"),
            Field("file", .string(.path), "a file to upload, relative to the spec's folder"),
            Field("content_type", .string(.text), "the part's Content-Type"),
        ],
        exactlyOneOf: ["value", "file"])

    package init(reading r: ObjectReader) {
        name = r.string("name") ?? ""
        value = r.raw("value")?.scalar
        file = r.string("file")
        contentType = r.string("content_type")
    }
}

/// What a response must satisfy.
public struct ExpectSpec: SpecObject {
    public var status: Int?
    public var headers: [(key: String, value: String)]
    public var jsonpath: [(path: String, predicate: JSONPathPredicate)]
    public var bodyContains: String?
    public var duration: DurationBudget?
    public var tlsMinDaysValid: Int?

    package static let schema = ObjectSchema(
        "expect", doc: "Assertions on a response.",
        fields: [
            Field("status", .integer(min: 100, max: 599), "the expected status code"),
            Field(
                "headers",
                .dictionary(key: .httpHeaderName, value: .string(StringFormat(name: "text", allowsEmpty: true))),
                "headers and the values they must have"),
            Field(
                "jsonpath", .dictionary(key: .text, value: .scalarOrObject(.text, JSONPathPredicate.schema)),
                "JSONPath expressions (RFC 9535) and what they must match; a plain value means equals"),
            Field("body_contains", .string(.text), "text the body must contain"),
            Field("duration", .string(.durationBudget), "a response-time budget, such as '< 500ms'"),
            Field("tls_min_days_valid", .integer(min: 0), "days the server's certificate must still be valid"),
        ])

    package init(reading r: ObjectReader) {
        let r = r.templated()
        status = r.int("status")
        headers = r.stringMap("headers")
        jsonpath = (r.raw("jsonpath")?.entries ?? []).map { entry in
            if entry.value.entries != nil {
                return (entry.key, JSONPathPredicate(reading: ObjectReader(entry.value, JSONPathPredicate.schema)))
            }
            var p = JSONPathPredicate(reading: ObjectReader(nil, JSONPathPredicate.schema))
            p.equals = JSONValue(yaml: entry.value)
            return (entry.key, p)
        }
        bodyContains = r.string("body_contains")
        duration = r.raw("duration")?.scalar.flatMap(DurationBudget.init)
        tlsMinDaysValid = r.int("tls_min_days_valid")
    }
}

/// Predicates on the values a JSONPath selects.
public struct JSONPathPredicate: SpecObject {
    package static let types = ["string", "number", "integer", "boolean", "array", "object", "null"]

    public var equals: JSONValue?
    public var notEquals: JSONValue?
    public var lessThan: Double?
    public var atMost: Double?
    public var greaterThan: Double?
    public var atLeast: Double?
    public var contains: JSONValue?
    public var matches: String?
    public var exists: Bool?
    public var isEmpty: Bool?
    public var type: String?

    package static let schema = ObjectSchema(
        "a JSONPath predicate", doc: "What the selected value must satisfy; all given predicates must hold.",
        fields: [
            Field("equals", .any, "equal to this value (==)"),
            Field("not_equals", .any, "different from this value (!=)"),
            Field("less_than", .number(), "a number below this (<)"),
            Field("at_most", .number(), "a number at most this (<=)"),
            Field("greater_than", .number(), "a number above this (>)"),
            Field("at_least", .number(), "a number at least this (>=)"),
            Field("contains", .any, "a string containing this text, or an array containing this value"),
            Field("matches", .string(.text), "a string matching this regular expression"),
            Field("exists", .boolean, "true: the path selects something; false: it selects nothing"),
            Field("is_empty", .boolean, "an empty string, array or object"),
            Field("type", .choice(types), "the JSON type of the value"),
        ])

    package init(reading r: ObjectReader) {
        equals = r.json("equals")
        notEquals = r.json("not_equals")
        lessThan = r.double("less_than")
        atMost = r.double("at_most")
        greaterThan = r.double("greater_than")
        atLeast = r.double("at_least")
        contains = r.json("contains")
        matches = r.string("matches")
        exists = r.bool("exists")
        isEmpty = r.bool("is_empty")
        type = r.string("type")
    }
}

/// Where a captured value comes from.
public struct CaptureSpec: SpecObject {
    public enum Source: Sendable, Hashable {
        case jsonpath(String)
        case header(String)
        case cookie(String)
        case regex(String)
    }

    public var source: Source

    package static let schema = ObjectSchema(
        "a capture", doc: "A value taken from a response: exactly one of jsonpath, header, cookie or regex.",
        fields: [
            Field("jsonpath", .string(.text), "a JSONPath into the JSON body, such as $.token"),
            Field("header", .string(.httpHeaderName), "a response header's name"),
            Field("cookie", .string(.text), "a cookie's name"),
            Field("regex", .string(.text), "a regular expression on the body; its first group is captured"),
        ],
        exactlyOneOf: ["jsonpath", "header", "cookie", "regex"])

    package init(reading r: ObjectReader) {
        if let v = r.string("jsonpath") {
            source = .jsonpath(v)
        } else if let v = r.string("header") {
            source = .header(v)
        } else if let v = r.string("cookie") {
            source = .cookie(v)
        } else {
            source = .regex(r.string("regex") ?? "")
        }
    }
}

public struct RetrySpec: SpecObject {
    public var attempts: Int
    public var interval: SpecDuration

    package static let schema = ObjectSchema(
        "retry", doc: "Retries of a step until its expectations hold.",
        fields: [
            Field("attempts", .integer(min: 1, max: 100), required: true, "how many tries in all"),
            Field("interval", .string(.duration), "the wait between tries; default 1s"),
        ])

    package init(reading r: ObjectReader) {
        attempts = r.int("attempts") ?? 1
        interval = r.duration("interval") ?? SpecDuration(seconds: 1)
    }
}
