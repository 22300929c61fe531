import Foundation
import GreenlightCore

/// The inline SVG charts of the HTML report: the risk matrix and the status donut.
extension HTMLRenderer {
    /// A 5x5 matrix, impact across and likelihood up, each cell tinted by its score and the release's cell marked.
    static func riskMatrix(_ risk: RiskAssessment) -> String {
        let cell = 40
        let left = 44
        let top = 8
        let size = cell * 5
        let width = left + size + 8
        let height = top + size + 44
        let label =
            "Risk matrix: likelihood \(risk.likelihood), impact \(risk.impact), score \(risk.score), "
            + "class \(risk.riskClass)"
        var out =
            "<svg class=\"matrix\" viewBox=\"0 0 \(width) \(height)\" width=\"\(width)\" height=\"\(height)\" "
            + "role=\"img\" aria-label=\"\(HTMLEscaping.text(label))\" xmlns=\"http://www.w3.org/2000/svg\">\n"
        out += tag("title", [], label) + "\n"
        for likelihood in 1...5 {
            for impact in 1...5 {
                let score = likelihood * impact
                let x = left + (impact - 1) * cell
                let y = top + (5 - likelihood) * cell
                let title = tag("title", [], "likelihood \(likelihood) x impact \(impact) = \(score)")
                out +=
                    tag(
                        "rect",
                        [
                            ("x", "\(x)"), ("y", "\(y)"), ("width", "\(cell)"), ("height", "\(cell)"),
                            ("fill", tint(score: score)), ("stroke", "#ffffff"), ("stroke-width", "2"),
                        ],
                        raw: title) + "\n"
                out +=
                    tag(
                        "text", [("x", "\(x + cell / 2)"), ("y", "\(y + cell / 2 + 4)"), ("class", "cell-score")],
                        "\(score)") + "\n"
            }
        }
        if (1...5).contains(risk.likelihood), (1...5).contains(risk.impact) {
            let x = left + (risk.impact - 1) * cell
            let y = top + (5 - risk.likelihood) * cell
            out +=
                tag(
                    "rect",
                    [
                        ("class", "marked"), ("x", "\(x + 2)"), ("y", "\(y + 2)"), ("width", "\(cell - 4)"),
                        ("height", "\(cell - 4)"), ("rx", "4"), ("fill", "none"), ("stroke", "#1f2328"),
                        ("stroke-width", "3"),
                    ])
                + "\n"
            out +=
                tag("circle", [("cx", "\(x + cell - 8)"), ("cy", "\(y + 8)"), ("r", "4"), ("fill", "#1f2328")]) + "\n"
        }
        for n in 1...5 {
            out +=
                tag(
                    "text",
                    [
                        ("x", "\(left + (n - 1) * cell + cell / 2)"), ("y", "\(top + size + 16)"),
                        ("class", "axis"),
                    ], "\(n)") + "\n"
            out +=
                tag(
                    "text",
                    [
                        ("x", "\(left - 10)"), ("y", "\(top + (5 - n) * cell + cell / 2 + 4)"),
                        ("class", "axis"),
                    ], "\(n)") + "\n"
        }
        out +=
            tag(
                "text", [("x", "\(left + size / 2)"), ("y", "\(top + size + 36)"), ("class", "axis-title")],
                "impact →") + "\n"
        out +=
            tag(
                "text",
                [
                    ("x", "12"), ("y", "\(top + size / 2)"), ("class", "axis-title"),
                    ("transform", "rotate(-90 12 \(top + size / 2))"),
                ], "likelihood →") + "\n"
        return out + "</svg>"
    }

    /// The fill for a score of 1-25: green through yellow to red.
    static func tint(score: Int) -> String {
        let t = Double(min(max(score, 1), 25) - 1) / 24
        let hue = Int((1 - t) * 130)
        return "hsl(\(hue), 70%, \(Int(86 - t * 16))%)"
    }

    /// A donut of the checks' statuses, the total in its middle.
    static func statusDonut(_ counts: [(status: CheckStatus, count: Int)]) -> String {
        let total = counts.map(\.count).reduce(0, +)
        let radius = 54.0
        let circumference = 2 * Double.pi * radius
        let present = counts.filter { $0.count > 0 }
        let label =
            "Check statuses: "
            + (present.isEmpty ? "none" : present.map { "\($0.count) \($0.status.label)" }.joined(separator: ", "))
        var out =
            "<svg class=\"donut\" viewBox=\"0 0 160 160\" width=\"160\" height=\"160\" role=\"img\" "
            + "aria-label=\"\(HTMLEscaping.text(label))\" xmlns=\"http://www.w3.org/2000/svg\">\n"
        let ring: KeyValuePairs = [
            "cx": "80", "cy": "80", "r": Format.fixed(radius, 2), "fill": "none", "stroke-width": "22",
        ]
        out += tag("circle", Array(ring) + [("stroke", "#eaeef2")]) + "\n"
        var offset = 0.0
        for (status, count) in present {
            let length = circumference * Double(count) / Double(total)
            let segment = [
                ("stroke", status.color),
                ("stroke-dasharray", "\(Format.fixed(length, 2)) \(Format.fixed(circumference - length, 2))"),
                ("stroke-dashoffset", Format.fixed(-offset, 2)), ("transform", "rotate(-90 80 80)"),
            ]
            out += tag("circle", Array(ring) + segment, raw: tag("title", [], "\(count) \(status.label)")) + "\n"
            offset += length
        }
        out += tag("text", [("x", "80"), ("y", "82"), ("class", "donut-total")], "\(total)") + "\n"
        out += tag("text", [("x", "80"), ("y", "102"), ("class", "donut-label")], Format.noun(total, "check"))
        return out + "\n</svg>"
    }

    /// An element with escaped attributes and escaped text content; self-closing when it has no content.
    static func tag(_ name: String, _ attributes: [(key: String, value: String)], _ text: String) -> String {
        tag(name, attributes, raw: HTMLEscaping.text(text))
    }

    /// An element with escaped attributes around `raw`, markup that is already escaped.
    static func tag(_ name: String, _ attributes: [(key: String, value: String)], raw: String? = nil) -> String {
        let attributeText = attributes.map { " \($0.key)=\"\(HTMLEscaping.text($0.value))\"" }.joined()
        guard let raw else { return "<\(name)\(attributeText)/>" }
        return "<\(name)\(attributeText)>\(raw)</\(name)>"
    }

}

extension CheckStatus {
    /// The status's colour in the HTML report.
    var color: String {
        switch self {
        case .pass: return "#1a7f37"
        case .warn: return "#bf8700"
        case .waived: return "#0a7ea4"
        case .skipped: return "#8c959f"
        case .notRun: return "#6e7781"
        case .fail: return "#cf222e"
        case .error: return "#8250df"
        }
    }
}
