internal import Foundation
import GreenlightCore
import GreenlightLedger

/// The canary page's chart: the canary's weight (a step line) and the judge's score (points) over time,
/// both in percent on one axis, as inline SVG. The table beside it carries the same numbers for those who
/// do not see the chart.
enum CanaryChart {
    struct Point: Sendable {
        var time: Date
        var weight: Double
        var score: Double?
        var action: String
    }

    static let width = 720.0
    static let height = 260.0
    static let left = 68.0
    static let right = 16.0
    static let top = 44.0
    static let bottom = 48.0

    static func svg(_ points: [Point], release: String) -> String {
        let plotWidth = width - left - right
        let plotHeight = height - top - bottom
        let scores = points.compactMap(\.score)
        let label =
            points.isEmpty
            ? "No rollout events yet for \(release)."
            : "Canary weight and score of \(release) over \(Format.count(points.count, "event")): weight now "
                + "\(Format.number(points.last!.weight)) %"
                + (scores.isEmpty ? ", no score yet." : ", last score \(Format.number(scores.last!)).")
        var out =
            "<svg class=\"canary-chart\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" "
            + "aria-label=\"\(escape(label))\" xmlns=\"http://www.w3.org/2000/svg\">\n<title>\(escape(label))</title>\n"
        func y(_ percent: Double) -> Double { top + plotHeight * (1 - min(max(percent, 0), 100) / 100) }
        for tick in stride(from: 0.0, through: 100, by: 25) {
            out +=
                "<line class=\"grid\" x1=\"\(f(left))\" x2=\"\(f(width - right))\" y1=\"\(f(y(tick)))\" y2=\"\(f(y(tick)))\"/>\n"
            out += "<text class=\"ytick\" x=\"\(f(left - 6))\" y=\"\(f(y(tick) + 4))\">\(Int(tick)) %</text>\n"
        }
        out +=
            "<g class=\"legend\"><line class=\"weight\" x1=\"\(f(left))\" x2=\"\(f(left + 22))\" y1=\"14\" y2=\"14\"/>"
        out += "<text x=\"\(f(left + 30))\" y=\"20\">weight</text>"
        out += "<circle class=\"score\" cx=\"\(f(left + 150))\" cy=\"14\" r=\"4\"/>"
        out += "<text x=\"\(f(left + 162))\" y=\"20\">score (0–100)</text></g>\n"
        guard let first = points.first, let last = points.last else {
            out +=
                "<text class=\"empty\" x=\"\(f(left + plotWidth / 2))\" y=\"\(f(top + plotHeight / 2))\">no rollout events yet</text>\n"
            return out + "</svg>"
        }
        let span = last.time.timeIntervalSince(first.time)
        func x(_ i: Int) -> Double {
            guard points.count > 1 else { return left + plotWidth / 2 }
            if span > 0 { return left + plotWidth * points[i].time.timeIntervalSince(first.time) / span }
            return left + plotWidth * Double(i) / Double(points.count - 1)
        }
        // The weight holds from one event to the next: a step line.
        var path = "M\(f(x(0))),\(f(y(points[0].weight)))"
        for i in points.indices.dropFirst() {
            path += " H\(f(x(i))) V\(f(y(points[i].weight)))"
        }
        if points.count == 1 { path += " h1" }
        out += "<path class=\"weight\" d=\"\(path)\"/>\n"
        for i in points.indices {
            guard let score = points[i].score else { continue }
            let text = "\(points[i].action) at \(LedgerTime.string(points[i].time)): score \(Format.number(score))"
            out +=
                "<circle class=\"score\" cx=\"\(f(x(i)))\" cy=\"\(f(y(score)))\" r=\"4\"><title>\(escape(text))</title></circle>\n"
        }
        let axisY = f(height - bottom + 20)
        out +=
            "<text class=\"xtick start\" x=\"\(f(left))\" y=\"\(axisY)\">\(clock(first.time, fine: span < 10))</text>\n"
        if points.count > 1 {
            out +=
                "<text class=\"xtick end\" x=\"\(f(width - right))\" y=\"\(axisY)\">\(clock(last.time, fine: span < 10))</text>\n"
        }
        out += "<text class=\"axis-title\" x=\"\(f(left + plotWidth / 2))\" y=\"\(f(height - 6))\">"
        out += span > 0 ? "time (UTC)" : "events in order"
        out += "</text>\n"
        return out + "</svg>"
    }

    static func f(_ value: Double) -> String { String(format: "%.1f", value) }

    /// The time of day, to the millisecond when the events are seconds apart (`fine`).
    static func clock(_ date: Date, fine: Bool) -> String {
        let text = LedgerTime.string(date)
        guard let t = text.firstIndex(of: "T") else { return escape(text) }
        let time = text[text.index(after: t)...].prefix { $0 != "Z" }
        return escape(String(fine ? time.prefix(12) : time.prefix(8)))
    }

    static func escape(_ text: String) -> String {
        var out = ""
        for c in text {
            switch c {
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "&": out += "&amp;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }
}
