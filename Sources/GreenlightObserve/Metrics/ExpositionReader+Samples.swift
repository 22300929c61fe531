import Foundation

extension ExpositionReader {
    /// A sample line: `name{labels} value [timestamp] [# {labels} value [timestamp]]`.
    mutating func readSample() throws(ExpositionError) {
        let start = position
        let name = scanMetricName()
        guard !name.isEmpty else {
            let expected = openMetrics ? "a metric name or '#'" : "a metric name, '#' or the end of the line"
            throw failure("expected \(expected), found \(found(at: position))", at: position)
        }
        let (family, suffix) = try sampleFamily(name, at: start)
        var labels: [MetricFamily.Label] = []
        let afterName = position
        if !openMetrics { skipBlanks() }
        let hasLabels = position < bytes.count && bytes[position] == .openBrace
        if hasLabels {
            labels = try readSampleLabels(of: name)
        }
        try checkRole(of: name, family: family, suffix: suffix, labels: hasLabels ? previousLabels : [], at: start)
        if !openMetrics && hasLabels { skipBlanks() }
        guard position < bytes.count, bytes[position] != .newline else {
            throw failure("the sample \(quoted(name)) has no value", at: position)
        }
        if openMetrics {
            guard separator() else { throw separatorFailure(before: "the value of \(quoted(name))") }
        } else if !hasLabels && position == afterName {
            throw failure(
                "expected a space or '{' after the metric name \(quoted(name)), found \(found(at: position))",
                at: position)
        }
        let value = try readValue(of: name)
        var timestamp: Double?
        var exemplar: MetricFamily.Exemplar?
        if openMetrics {
            if position < bytes.count, bytes[position] == .space {
                position += 1
                if position == bytes.count || bytes[position] == .newline {
                    throw failure(
                        "a space at the end of the sample \(quoted(name)); OpenMetrics allows none", at: position - 1)
                }
                if bytes[position] != .hash {
                    timestamp = try readTimestamp(of: name)
                    if position < bytes.count, bytes[position] == .space {
                        position += 1
                        guard position < bytes.count, bytes[position] == .hash else {
                            throw failure(
                                "expected '# {' (an exemplar) or the end of the line after the timestamp of \(quoted(name)), found \(found(at: position))",
                                at: position)
                        }
                    }
                }
                if position < bytes.count, bytes[position] == .hash {
                    exemplar = try readExemplar(of: name)
                }
            }
            guard endOfLine() else { throw lineEndFailure(after: "the sample \(quoted(name))") }
        } else {
            skipBlanks()
            if position < bytes.count, bytes[position] != .newline, bytes[position] != .hash {
                timestamp = try readTimestamp(of: name)
                skipBlanks()
            }
            if position < bytes.count, bytes[position] == .hash {
                throw failure(
                    "'#' after the sample \(quoted(name)): exemplars exist only in OpenMetrics, and comments take a line of their own",
                    at: position)
            }
            guard endOfLine() else { throw lineEndFailure(after: "the sample \(quoted(name))") }
        }
        families[family].samples.append(
            MetricFamily.Sample(
                name: sampleName(family: family, suffix: suffix), labels: labels, value: value, timestamp: timestamp,
                exemplar: exemplar))
    }

    /// The name of a sample of the current family with the suffix at `suffix`, made once per family.
    mutating func sampleName(family: Int, suffix: Int) -> String {
        let suffixes = MetricFamily.suffixes(of: families[family].type)
        if suffixes[suffix].isEmpty { return families[family].name }
        if suffixNames.count != suffixes.count { suffixNames = Array(repeating: nil, count: suffixes.count) }
        if let name = suffixNames[suffix] { return name }
        let name = families[family].name + suffixes[suffix]
        suffixNames[suffix] = name
        return name
    }

    /// The family a sample belongs to and the index of its suffix in the family's
    /// ``MetricFamily/suffixes(of:)``: the current family when the name fits it, else an earlier family
    /// (Prometheus text only; OpenMetrics keeps families together), else a new family of unknown type.
    mutating func sampleFamily(_ name: Range<Int>, at start: Int) throws(ExpositionError) -> (Int, Int) {
        if current >= 0, let suffix = suffixIndex(name, of: current) { return (current, suffix) }
        let text = string(name)
        var candidates = [text]
        for suffix in ["_total", "_created", "_bucket", "_count", "_sum", "_gcount", "_gsum", "_info"]
        where text.hasSuffix(suffix) {
            candidates.append(String(text.dropLast(suffix.count)))
        }
        if let same = familyIndex[text], suffixIndex(name, of: same) == nil {
            let suffixes = MetricFamily.suffixes(of: families[same].type).map { "'\(clipped(text))\($0)'" }
            throw failure(
                "the sample \(quoted(name)) does not fit the \(families[same].type.rawValue) '\(clipped(text))', whose samples are named \(suffixes.joined(separator: ", "))",
                at: start)
        }
        for candidate in candidates {
            guard let earlier = familyIndex[candidate], let suffix = suffixIndex(name, of: earlier) else { continue }
            if openMetrics {
                throw failure(
                    "the sample \(quoted(name)) belongs to the family '\(clipped(candidate))' above, but other families came between; OpenMetrics keeps a family's lines together",
                    at: start)
            }
            current = earlier
            suffixNames = []
            return (earlier, suffix)
        }
        current = addFamily(text, name, type: .unknown)
        suffixNames = []
        return (current, 0)
    }

    /// Which of the family's sample suffixes `name` has, if it is a sample name of that family.
    func suffixIndex(_ name: Range<Int>, of family: Int) -> Int? {
        let familyName = familyNames[family]
        guard name.count >= familyName.count,
            memcmp(bytes.baseAddress! + name.lowerBound, bytes.baseAddress! + familyName.lowerBound, familyName.count)
                == 0
        else { return nil }
        let rest = name.count - familyName.count
        let suffixes = MetricFamily.suffixBytes(of: families[family].type)
        for (index, suffix) in suffixes.enumerated() where suffix.count == rest {
            if rest == 0 { return index }
            let matches = suffix.withUnsafeBufferPointer {
                memcmp(bytes.baseAddress! + name.lowerBound + familyName.count, $0.baseAddress!, rest) == 0
            }
            if matches { return index }
        }
        return nil
    }

    /// A histogram bucket needs its `le`, a summary quantile its `quantile`, each a number.
    func checkRole(of name: Range<Int>, family: Int, suffix: Int, labels: [LabelToken], at start: Int)
        throws(ExpositionError)
    {
        let label: String
        switch families[family].type {
        case .histogram where suffix == 0, .gaugehistogram where suffix == 0: label = "le"
        case .summary where suffix == 0: label = "quantile"
        default: return
        }
        guard let token = labels.first(where: { $0.nameString == label }) else {
            let what = label == "le" ? "histogram bucket" : "summary quantile"
            throw failure("the \(what) \(quoted(name)) has no '\(label)' label", at: start)
        }
        guard parseFloat(token.value) != nil else {
            throw failure(
                "the '\(label)' label of \(quoted(name)) is \(self.token(token.value)), not a number",
                at: token.value.lowerBound)
        }
    }

    // MARK: Labels

    /// The label set of a sample at `{`; each string is shared with the previous sample's when the bytes are the same.
    mutating func readSampleLabels(of metric: Range<Int>) throws(ExpositionError) -> [MetricFamily.Label] {
        // The two arrays trade places each sample, so that neither is ever copied.
        var tokens: [LabelToken] = []
        swap(&tokens, &labelScratch)
        tokens.removeAll(keepingCapacity: true)
        try readLabels(of: metric, into: &tokens, reusing: previousLabels)
        labelScratch = previousLabels
        previousLabels = tokens
        return tokens.map { MetricFamily.Label($0.nameString, $0.valueString) }
    }

    /// `{name="value",…}` at `position`.
    mutating func readLabels(of metric: Range<Int>, into tokens: inout [LabelToken], reusing previous: [LabelToken])
        throws(ExpositionError)
    {
        position += 1
        if !openMetrics { skipBlanks() }
        if position < bytes.count, bytes[position] == .closeBrace {
            position += 1
            return
        }
        while true {
            let name = scanLabelName()
            guard !name.isEmpty else {
                let expected = tokens.isEmpty ? "a label name or '}'" : "a label name"
                throw failure(
                    "expected \(expected) in the labels of \(quoted(metric)), found \(found(at: position))",
                    at: position)
            }
            let index = tokens.count
            let nameString =
                index < previous.count && same(previous[index].name, name) ? previous[index].nameString : string(name)
            for earlier in tokens where same(earlier.name, name) {
                throw failure(
                    "the label \(quoted(name)) appears twice in the labels of \(quoted(metric))", at: name.lowerBound)
            }
            if !openMetrics { skipBlanks() }
            guard position < bytes.count, bytes[position] == .equals else {
                throw failure(
                    "expected '=' after label name \(quoted(name)), found \(found(at: position))", at: position)
            }
            position += 1
            if !openMetrics { skipBlanks() }
            guard position < bytes.count, bytes[position] == .quote else {
                throw failure(
                    "expected '\"' to open the value of label \(quoted(name)), found \(found(at: position))",
                    at: position)
            }
            let value = try scanLabelValue(of: name)
            let valueString =
                index < previous.count && same(previous[index].value, value)
                ? previous[index].valueString : try labelValue(value, of: name)
            tokens.append(LabelToken(name: name, nameString: nameString, value: value, valueString: valueString))
            if !openMetrics { skipBlanks() }
            guard position < bytes.count else {
                throw failure(
                    "the labels of \(quoted(metric)) are not closed with '}' before the end of the input", at: position)
            }
            if bytes[position] == .closeBrace {
                position += 1
                return
            }
            guard bytes[position] == .comma else {
                throw failure(
                    "expected ',' or '}' after the value of label \(quoted(name)), found \(found(at: position))",
                    at: position)
            }
            position += 1
            if !openMetrics {
                skipBlanks()
                // Prometheus text allows a comma before the closing brace.
                if position < bytes.count, bytes[position] == .closeBrace {
                    position += 1
                    return
                }
            }
        }
    }

    /// The raw bytes of a label value between its quotes, with `position` at the opening quote;
    /// leaves `position` after the closing one.
    mutating func scanLabelValue(of name: Range<Int>) throws(ExpositionError) -> Range<Int> {
        let open = position
        position += 1
        let start = position
        while true {
            guard position < bytes.count else {
                throw failure(
                    "the value of label \(quoted(name)) is not closed with '\"' before the end of the input", at: open)
            }
            let byte = bytes[position]
            if byte == .quote { break }
            if byte == .newline {
                throw failure(
                    "the value of label \(quoted(name)) is not closed with '\"' before the end of the line", at: open)
            }
            if byte == .backslash, position + 1 < bytes.count, bytes[position + 1] != .newline {
                position += 1
            }
            position += 1
        }
        let range = start..<position
        position += 1
        return range
    }

    // MARK: Values, timestamps, exemplars

    /// The sample value token at `position`.
    mutating func readValue(of name: Range<Int>) throws(ExpositionError) -> Double {
        let start = position
        scanToken()
        guard position > start else { throw failure("the sample \(quoted(name)) has no value", at: start) }
        guard let value = parseFloat(start..<position, allowHex: !openMetrics) else {
            throw failure(
                "the value of \(quoted(name)) is \(token(start..<position)), not a number (such as 1, 0.5, 1e-3, +Inf or NaN)\(crHint(start..<position))",
                at: start)
        }
        return value
    }

    /// A timestamp: integer milliseconds in Prometheus text, seconds in OpenMetrics; returned in seconds.
    mutating func readTimestamp(of name: Range<Int>) throws(ExpositionError) -> Double {
        let start = position
        scanToken()
        let range = start..<position
        if openMetrics {
            guard let seconds = parseFloat(range, allowHex: false), seconds.isFinite else {
                throw failure(
                    "the timestamp of \(quoted(name)) is \(token(range)), not a number of seconds\(crHint(range))",
                    at: start)
            }
            return seconds
        }
        guard let milliseconds = parseInteger(range) else {
            throw failure(
                "the timestamp of \(quoted(name)) is \(token(range)), not a whole number of milliseconds\(crHint(range))",
                at: start)
        }
        return Double(milliseconds) / 1000
    }

    /// ` # {labels} value [timestamp]` after a sample, at the `#`.
    mutating func readExemplar(of name: Range<Int>) throws(ExpositionError) -> MetricFamily.Exemplar {
        position += 1
        if position < bytes.count, bytes[position] == .space { position += 1 }
        guard bytes[position - 1] == .space, position < bytes.count, bytes[position] == .openBrace else {
            throw failure(
                "expected ' {' after '#' to start the exemplar of \(quoted(name)), found \(found(at: position))",
                at: position)
        }
        var tokens: [LabelToken] = []
        try readLabels(of: name, into: &tokens, reusing: [])
        guard separator() else { throw separatorFailure(before: "the exemplar value of \(quoted(name))") }
        let start = position
        scanToken()
        guard let value = parseFloat(start..<position, allowHex: false) else {
            throw failure(
                "the exemplar value of \(quoted(name)) is \(token(start..<position)), not a number", at: start)
        }
        var timestamp: Double?
        if position < bytes.count, bytes[position] == .space {
            position += 1
            let start = position
            scanToken()
            guard let seconds = parseFloat(start..<position, allowHex: false), seconds.isFinite else {
                throw failure(
                    "the exemplar timestamp of \(quoted(name)) is \(token(start..<position)), not a number of seconds",
                    at: start)
            }
            timestamp = seconds
        }
        return MetricFamily.Exemplar(
            labels: tokens.map { MetricFamily.Label($0.nameString, $0.valueString) }, value: value,
            timestamp: timestamp)
    }

    /// Steps over a value or timestamp token: up to a blank (a space in OpenMetrics) or the end of the line.
    mutating func scanToken() {
        if openMetrics {
            while position < bytes.count, bytes[position] != .space, bytes[position] != .newline { position += 1 }
        } else {
            while position < bytes.count, bytes[position] != .space, bytes[position] != .tab,
                bytes[position] != .newline
            {
                position += 1
            }
        }
    }
}

extension MetricFamily {
    /// ``suffixes(of:)`` as bytes.
    static func suffixBytes(of type: MetricType) -> [[UInt8]] {
        switch type {
        case .counter: SuffixBytes.counter
        case .histogram: SuffixBytes.histogram
        case .gaugehistogram: SuffixBytes.gaugehistogram
        case .summary: SuffixBytes.summary
        case .info: SuffixBytes.info
        case .gauge, .stateset, .unknown: SuffixBytes.plain
        }
    }

    private enum SuffixBytes {
        static let counter = MetricFamily.suffixes(of: .counter).map { Array($0.utf8) }
        static let histogram = MetricFamily.suffixes(of: .histogram).map { Array($0.utf8) }
        static let gaugehistogram = MetricFamily.suffixes(of: .gaugehistogram).map { Array($0.utf8) }
        static let summary = MetricFamily.suffixes(of: .summary).map { Array($0.utf8) }
        static let info = MetricFamily.suffixes(of: .info).map { Array($0.utf8) }
        static let plain = MetricFamily.suffixes(of: .gauge).map { Array($0.utf8) }
    }
}
