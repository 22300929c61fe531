import GreenlightCore

/// Checks the metric families a spec requires (`observability.metrics.require`) against what the
/// service exposes: each family is there, has its type, carries every required label on every series,
/// and, when it `moves`, its total rose by at least greenlight's own requests. One check,
/// ``ObservabilityCheck/metrics``, whose details list every problem.
public struct MetricsCheck: Sendable {
    public var required: [MetricsSpec.RequiredMetric]

    public static let title = "Metrics"

    public init(required: [MetricsSpec.RequiredMetric]) {
        self.required = required
    }

    /// Judges `after` (the exposition read last). `before`, read before greenlight sent its `requests`,
    /// is what the families that `moves` are compared with. `source` says where the metrics came from
    /// (`http://127.0.0.1:8080/metrics`); it heads the details.
    public func run(
        _ after: Exposition, before: Exposition? = nil, requests: Int = 0, source: String? = nil,
        durationSeconds: Double = 0
    ) -> CheckResult {
        let problems = problems(after, before: before, requests: requests)
        var details: [String] = []
        if let source {
            details.append(
                "read from \(source) (\(after.format.name), \(Format.count(after.families.count, "family", "families")))"
            )
        }
        details += problems
        let checked = Format.count(required.count, "metric family", "metric families")
        let summary: String
        if problems.isEmpty {
            let moving = required.filter(\.moves).count
            summary =
                required.isEmpty
                ? "no metric family is required; \(Format.count(after.families.count, "family", "families")) exposed"
                : "\(checked) checked: present, typed and labelled as required"
                    + (moving > 0 ? ", \(moving) moving with greenlight's requests" : "")
        } else {
            summary = "\(Format.count(problems.count, "problem")) in \(checked) checked"
        }
        return ObservabilityCheck.result(
            ObservabilityCheck.metrics, Self.title, problems.isEmpty ? .pass : .fail, summary, details: details,
            measurements: [
                .init(name: "families checked", value: Double(required.count), unit: "families"),
                .init(name: "families exposed", value: Double(after.families.count), unit: "families"),
            ],
            durationSeconds: durationSeconds)
    }

    /// The check when the metrics could not be read at all: `reason` says why.
    public static func unreadable(_ reason: String, durationSeconds: Double = 0) -> CheckResult {
        ObservabilityCheck.result(
            ObservabilityCheck.metrics, title, .fail, "the metrics could not be read", details: [reason],
            durationSeconds: durationSeconds)
    }

    /// Every way the exposition falls short of the required families, one line each.
    func problems(_ after: Exposition, before: Exposition?, requests: Int) -> [String] {
        var problems: [String] = []
        for metric in required {
            guard let family = after.family(for: metric.name) else {
                let names = after.families.flatMap { family in
                    family.type == .counter && !family.name.hasSuffix("_total")
                        ? [family.name, family.name + "_total"] : [family.name]
                }
                let hint = Suggest.closest(to: metric.name, among: names).map { "; did you mean '\($0)'?" } ?? ""
                problems.append("\(metric.name) is not exposed\(hint)")
                continue
            }
            if let type = metric.type {
                if family.type == .unknown {
                    problems.append(
                        "\(metric.name) has no type (no '# TYPE' line, or untyped); it must be a \(type)")
                } else if family.type.rawValue != type {
                    problems.append("\(metric.name) is a \(family.type.rawValue), not a \(type)")
                }
            }
            if family.samples.isEmpty {
                problems.append("\(metric.name) is declared but has no series")
                continue
            }
            for label in metric.labels {
                let missing = family.samples.filter { $0.label(label) == nil }
                guard let first = missing.first else { continue }
                let more = missing.count > 1 ? " (\(missing.count) of \(family.samples.count) samples lack it)" : ""
                problems.append("\(Self.clipped(first.series)) has no label '\(label)'\(more)")
            }
            if metric.moves {
                problems += movement(of: metric.name, family, before: before, requests: requests)
            }
        }
        return problems
    }

    /// Whether the family's total rose between `before` and the current exposition, by at least the
    /// number of requests greenlight sent in between (when it sent any).
    func movement(of name: String, _ family: MetricFamily, before: Exposition?, requests: Int) -> [String] {
        let during = requests > 0 ? "greenlight's \(Format.count(requests, "request"))" : "greenlight's requests"
        guard let before else {
            return ["\(name) must move, but there is no reading from before \(during) to compare with"]
        }
        let now = Self.total(of: family, name: name)
        let then = before.family(for: name).map { Self.total(of: $0, name: name) } ?? 0
        if now.isNaN || then.isNaN {
            return ["\(name) cannot be compared: its total is NaN"]
        }
        if now < then {
            return [
                "\(name) went down from \(Format.number(then)) to \(Format.number(now)) during \(during) (was the service restarted?)"
            ]
        }
        if now == then {
            return ["\(name) did not move: \(Format.number(now)) before and after \(during)"]
        }
        if requests > 0, now - then < Double(requests) {
            // A counter that counts the scrapes, or some other thing, rises too: it must count the requests.
            return [
                "\(name) rose by \(Format.number(now - then)) during \(during): fewer than the requests, so it does not count them"
            ]
        }
        return []
    }

    /// The number that rises with each event: a counter's samples summed (its `_created` aside), a
    /// histogram's or summary's `_count`, a gauge histogram's `_gcount`, else the samples named `name`.
    static func total(of family: MetricFamily, name: String) -> Double {
        let counted: (MetricFamily.Sample) -> Bool
        switch family.type {
        case .counter:
            let created = family.name + "_created"
            counted = { $0.name != created }
        case .histogram, .summary:
            let count = family.name + "_count"
            counted = { $0.name == count }
        case .gaugehistogram:
            let count = family.name + "_gcount"
            counted = { $0.name == count }
        default:
            counted = { $0.name == name || $0.name == family.name }
        }
        return family.samples.reduce(0) { counted($1) ? $0 + $1.value : $0 }
    }

    static func clipped(_ text: String) -> String {
        text.count <= 200 ? text : String(text.prefix(197)) + "…"
    }
}

extension Exposition {
    /// The family a spec means by `name`: the family of that name; or the OpenMetrics counter `x` for
    /// `x_total` and the info `x` for `x_info`; or the counter `x_total` for `x`.
    public func family(for name: String) -> MetricFamily? {
        if let family = family(named: name) { return family }
        if name.hasSuffix("_total"), let family = family(named: String(name.dropLast(6))), family.type == .counter {
            return family
        }
        if name.hasSuffix("_info"), let family = family(named: String(name.dropLast(5))), family.type == .info {
            return family
        }
        if let family = family(named: name + "_total"), family.type == .counter { return family }
        return nil
    }
}
