/// Custom readiness items and waivers. The four non-negotiable items are built in and cannot be removed.
public struct ChecklistSpec: SpecObject {
    public var custom: [CustomItem]
    public var waivers: [Waiver]

    package static let schema = ObjectSchema(
        "checklist", doc: "Custom readiness items and waivers.",
        fields: [
            Field(
                "custom", .list(CustomItem.schemaType, unique: .field("id")),
                "items of your own, each backed by evidence: a file, a URL or a command"),
            Field(
                "waivers", .list(Waiver.schemaType, unique: .field("item")),
                "items excused for this release, each with a reason, an approver and an expiry date"),
        ])

    package init(reading r: ObjectReader) {
        custom = r.list("custom")
        waivers = r.list("waivers")
    }

    public func waiver(for item: String) -> Waiver? { waivers.first { $0.item == item } }
}

/// A readiness item of the team's own.
public struct CustomItem: SpecObject {
    public var id: String
    public var title: String
    public var evidence: Evidence
    public var required: Bool

    package static let schema = ObjectSchema(
        "a checklist item", doc: "A custom readiness item backed by evidence.",
        fields: [
            Field("id", .string(.identifier), required: true, "a short unique id, such as runbook-reviewed"),
            Field("title", .string(.text), required: true, "what the item asks, such as 'On-call runbook reviewed'"),
            Field("evidence", Evidence.schemaType, required: true, "what proves it: { file }, { url } or { command }"),
            Field("required", .boolean, "false makes a failure a warning instead of NO-GO; default true"),
        ])

    package init(reading r: ObjectReader) {
        id = r.string("id") ?? ""
        title = r.string("title") ?? ""
        evidence = r.object("evidence") ?? Evidence(reading: ObjectReader(nil, Evidence.schema))
        required = r.bool("required") ?? true
    }
}

/// What proves a custom item: a file that exists, a URL that answers 2xx, or a command that exits 0 in time.
public struct Evidence: SpecObject {
    public enum Kind: Sendable, Hashable {
        case file(String)
        case url(String)
        case command(String)
    }

    public var kind: Kind
    public var timeout: SpecDuration

    public static let defaultTimeout = SpecDuration(seconds: 30)

    package static let schema = ObjectSchema(
        "evidence", doc: "Evidence for a checklist item: exactly one of file, url or command.",
        fields: [
            Field("file", .string(.path), "a file that must exist, relative to the spec's folder"),
            Field("url", .string(.url), "a URL that must answer with a 2xx status"),
            Field("command", .string(.command), "a shell command that must exit 0, run in the spec's folder"),
            Field("timeout", .string(.duration), "how long the url or command may take; default 30s"),
        ],
        exactlyOneOf: ["file", "url", "command"])

    package init(reading r: ObjectReader) {
        if let file = r.string("file") {
            kind = .file(file)
        } else if let url = r.string("url") {
            kind = .url(url)
        } else {
            kind = .command(r.string("command") ?? "")
        }
        timeout = r.duration("timeout") ?? Self.defaultTimeout
    }
}

/// An item excused for this release: who approved it, why, and until when.
public struct Waiver: SpecObject {
    public var item: String
    public var reason: String
    public var approver: String
    public var expires: CalendarDate

    package static let schema = ObjectSchema(
        "a waiver", doc: "A waiver of a checklist item; it must name an approver and expire.",
        fields: [
            Field(
                "item", .string(.identifier), required: true, "the id of the waived item, such as environment-parity"),
            Field("reason", .string(.text), required: true, "why the item cannot be met for this release"),
            Field("approver", .string(.text), required: true, "who approved the waiver, such as sre-lead@example.com"),
            Field("expires", .string(.date), required: true, "the last day the waiver holds, YYYY-MM-DD (UTC)"),
        ])

    package init(reading r: ObjectReader) {
        item = r.string("item") ?? ""
        reason = r.string("reason") ?? ""
        approver = r.string("approver") ?? ""
        expires = r.date("expires") ?? CalendarDate(year: 1970, month: 1, day: 1)!
    }
}
