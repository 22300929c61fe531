import Foundation
import GreenlightCore

/// The geometry both load charts share, so their time axes line up, and the SVG pieces they draw with.
struct LoadChartFrame {
    static let width = 1080.0
    static let height = 250.0
    static let left = 64.0
    static let right = 64.0
    static let top = 34.0
    static let bottom = 44.0
    /// Markers are drawn on the lines when there are this few points.
    static let markerLimit = 60

    var buckets: [LoadBucket]
    var secondsPerBucket: Int
    var time: ChartScale
    /// The run's headline numbers, from every second rather than from the buckets.
    var summary: LoadHeadline

    /// A frame over `buckets`, which must not be empty.
    init(buckets: [LoadBucket], secondsPerBucket: Int, summary: LoadHeadline) {
        self.buckets = buckets
        self.secondsPerBucket = secondsPerBucket
        self.summary = summary
        time = .seconds(from: Double(buckets.first!.start), to: Double(buckets.last!.end))
    }

    var isDownsampled: Bool { secondsPerBucket > 1 }
    var durationText: String {
        let n = buckets.last!.end - buckets.first!.start
        return Format.count(n, "second")
    }

    func x(_ second: Double) -> Double { time.position(second, low: Self.left, high: Self.width - Self.right) }
    func y(_ value: Double, _ scale: ChartScale) -> Double {
        scale.position(value, low: Self.height - Self.bottom, high: Self.top)
    }

    enum Sample { case line, dashed, bar }

    /// The opening `<svg>` with its title and description, which name it for screen readers.
    func open(id: String, title: String, description: String) -> String {
        let w = Int(Self.width)
        let h = Int(Self.height)
        return "<svg class=\"chart-svg\" viewBox=\"0 0 \(w) \(h)\" width=\"\(w)\" height=\"\(h)\" role=\"img\" "
            + "aria-labelledby=\"\(id)-title \(id)-desc\" xmlns=\"http://www.w3.org/2000/svg\">\n"
            + tag("title", [("id", "\(id)-title")], title) + "\n"
            + tag("desc", [("id", "\(id)-desc")], description) + "\n"
    }

    /// Grid lines and labels for the value ticks, the time ticks, and both axis titles.
    func axes(_ scale: ChartScale, title: String) -> String {
        let right = Self.width - Self.right
        let bottom = Self.height - Self.bottom
        var out = ""
        for tick in scale.ticks {
            let y = c(y(tick, scale))
            out += tag("line", [("class", "grid"), ("x1", c(Self.left)), ("y1", y), ("x2", c(right)), ("y2", y)])
            out += tag(
                "text", [("class", "ytick"), ("x", c(Self.left - 8)), ("y", c(self.y(tick, scale) + 4))],
                Format.number(tick))
            out += "\n"
        }
        for tick in time.ticks {
            let x = c(x(tick))
            out += tag("line", [("class", "axis"), ("x1", x), ("y1", c(bottom)), ("x2", x), ("y2", c(bottom + 5))])
            out += tag("text", [("class", "xtick"), ("x", x), ("y", c(bottom + 19))], Format.number(tick)) + "\n"
        }
        out += tag(
            "line", [("class", "axis"), ("x1", c(Self.left)), ("y1", c(bottom)), ("x2", c(right)), ("y2", c(bottom))])
        out += "\n"
        out +=
            tag(
                "text", [("class", "axis-title"), ("x", c((Self.left + right) / 2)), ("y", c(Self.height - 6))],
                "seconds since the start") + "\n"
        let middle = c((Self.top + bottom) / 2)
        out +=
            tag(
                "text",
                [("class", "axis-title"), ("x", "16"), ("y", middle), ("transform", "rotate(-90 16 \(middle))")], title)
            + "\n"
        return out
    }

    /// A row of samples and names above the plot.
    func legend(_ items: [(class: String, label: String, sample: Sample)]) -> String {
        var out = "<g class=\"legend\">"
        var x = Self.left
        let y = 14.0
        for item in items {
            switch item.sample {
            case .line, .dashed:
                out += tag(
                    "line",
                    [("class", "series \(item.class)"), ("x1", c(x)), ("y1", c(y)), ("x2", c(x + 22)), ("y2", c(y))])
            case .bar:
                out += tag(
                    "rect",
                    [("class", item.class), ("x", c(x + 6)), ("y", c(y - 6)), ("width", "10"), ("height", "12")])
            }
            out += tag("text", [("x", c(x + 28)), ("y", c(y + 4))], item.label)
            x += 28 + Double(item.label.count) * 7.5 + 22
        }
        return out + "</g>\n"
    }

    /// A line through one value per bucket, at the middle of its seconds.
    func polyline(_ values: [Double], _ scale: ChartScale, class name: String) -> String {
        tag("polyline", [("class", name), ("points", points(values, scale))])
    }

    /// The area under a line, down to 0.
    func area(_ values: [Double], _ scale: ChartScale, class name: String) -> String {
        let base = c(y(0, scale))
        let first = c(x(buckets.first!.middle))
        let last = c(x(buckets.last!.middle))
        return tag(
            "polygon", [("class", name), ("points", "\(first),\(base) \(points(values, scale)) \(last),\(base)")])
    }

    /// A dot per bucket when there are few enough to tell apart (always for a single second).
    func markers(_ values: [Double], _ scale: ChartScale, class name: String) -> String {
        guard buckets.count <= Self.markerLimit else { return "" }
        return zip(buckets, values).map { bucket, value in
            tag(
                "circle",
                [("class", "marker \(name)"), ("cx", c(x(bucket.middle))), ("cy", c(y(value, scale))), ("r", "3")])
        }.joined() + "\n"
    }

    /// A bar per bucket with a value above 0, at least 2 pixels tall so that a single error shows.
    func bars(_ values: [Double], _ scale: ChartScale, class name: String, unit: String) -> String {
        let base = y(0, scale)
        return zip(buckets, values).filter { $0.1 > 0 }.map { bucket, value in
            let left = x(Double(bucket.start))
            let width = x(Double(bucket.end)) - left
            let gap = width > 4 ? width * 0.2 : 0
            let top = min(y(value, scale), base - 2)
            let label =
                "second \(bucket.start)\(bucket.end - bucket.start > 1 ? "-\(bucket.end - 1)" : ""): "
                + "\(LoadHeadline.short(value)) \(unit)"
            return tag(
                "rect",
                [
                    ("class", name), ("x", c(left + gap / 2)), ("y", c(top)), ("width", c(max(width - gap, 1))),
                    ("height", c(base - top)),
                ],
                raw: tag("title", [], label))
        }.joined(separator: "\n") + "\n"
    }

    /// Names at the right-hand end of the lines, nudged apart so they do not overlap.
    func endLabels(_ labels: [(class: String, text: String, y: Double)]) -> String {
        var placed: [(class: String, text: String, y: Double)] = []
        for label in labels.sorted(by: { $0.y < $1.y }) {
            var y = label.y + 4
            if let previous = placed.last { y = max(y, previous.y + 13) }
            placed.append((label.class, label.text, y))
        }
        return placed.map {
            tag(
                "text", [("class", "end-label \($0.class)"), ("x", c(Self.width - Self.right + 8)), ("y", c($0.y))],
                $0.text)
        }.joined() + "\n"
    }

    func points(_ values: [Double], _ scale: ChartScale) -> String {
        zip(buckets, values).map { "\(c(x($0.middle))),\(c(y($1, scale)))" }.joined(separator: " ")
    }

    /// An SVG element, its text escaped.
    func tag(_ name: String, _ attributes: [(key: String, value: String)], _ text: String? = nil) -> String {
        text.map { HTMLRenderer.tag(name, attributes, $0) } ?? HTMLRenderer.tag(name, attributes)
    }

    /// An SVG element around markup that is already escaped.
    func tag(_ name: String, _ attributes: [(key: String, value: String)], raw: String) -> String {
        HTMLRenderer.tag(name, attributes, raw: raw)
    }

    /// A coordinate to a tenth of a pixel.
    func c(_ value: Double) -> String { String(format: "%.1f", value) }
}
