/// The one-pass reader behind ``ExpositionParser``: lines, metadata and the grouping of samples into
/// families. Samples and labels are in `ExpositionReader+Samples.swift`, tokens (numbers, text, UTF-8)
/// and error wording in `ExpositionReader+Tokens.swift`.
///
/// Prometheus text (0.0.4) is read as leniently as Prometheus reads it (blanks between tokens, blank
/// lines, free comments, a trailing comma in a label set); OpenMetrics as its grammar says (single
/// spaces, only `# HELP`, `# TYPE`, `# UNIT` and `# EOF` comments, `# EOF` last, families kept together).
struct ExpositionReader {
    let bytes: UnsafeBufferPointer<UInt8>
    let openMetrics: Bool
    var position = 0
    var line = 1
    var lineStart = 0
    var sawEOF = false

    var families: [MetricFamily] = []
    /// Where each family's name is in the input, by family index.
    var familyNames: [Range<Int>] = []
    /// Which metadata lines each family has had (``Metadata`` bits), by family index.
    var familyMetadata: [UInt8] = []
    var familyIndex: [String: Int] = [:]
    /// The family the last line belonged to; -1 before the first.
    var current = -1
    /// The sample names of the current family, by suffix index, made once.
    var suffixNames: [String?] = []

    /// The labels of the previous sample, whose strings the next sample reuses when its bytes are the same.
    var previousLabels: [LabelToken] = []
    var labelScratch: [LabelToken] = []

    enum Metadata: UInt8 {
        case help = 1
        case type = 2
        case unit = 4

        var keyword: String {
            switch self {
            case .help: "# HELP"
            case .type: "# TYPE"
            case .unit: "# UNIT"
            }
        }
    }

    /// A label as read: where its name and raw value are in the input, and their strings.
    struct LabelToken {
        var name: Range<Int>
        var nameString: String
        var value: Range<Int>
        var valueString: String
    }

    init(_ bytes: UnsafeBufferPointer<UInt8>, openMetrics: Bool) {
        self.bytes = bytes
        self.openMetrics = openMetrics
    }

    mutating func read() throws(ExpositionError) {
        let count = bytes.count
        while position < count {
            if sawEOF {
                throw failure("text after '# EOF'; an OpenMetrics exposition ends there", at: position)
            }
            let byte = bytes[position]
            if byte == .hash {
                try readComment()
            } else if byte == .newline {
                if openMetrics { throw failure("empty line; OpenMetrics allows none", at: position) }
                endLine()
            } else if !openMetrics && (byte == .space || byte == .tab) {
                skipBlanks()
                if position == count { break }
                if bytes[position] == .newline {
                    endLine()
                } else if bytes[position] == .hash {
                    try readComment()
                } else {
                    try readSample()
                }
            } else {
                try readSample()
            }
        }
        if openMetrics && !sawEOF {
            throw failure(
                "the text ends without '# EOF', which OpenMetrics requires as its last line (was it cut short?)",
                at: position)
        }
    }

    // MARK: Lines

    /// Steps over the line feed at `position`.
    mutating func endLine() {
        position += 1
        line += 1
        lineStart = position
    }

    /// Steps over the end of the line (or of the input) at `position`; false when something else is there.
    mutating func endOfLine() -> Bool {
        guard position < bytes.count else { return true }
        guard bytes[position] == .newline else { return false }
        endLine()
        return true
    }

    /// The error for something at `position` that should have been the end of the line, after `what`.
    func lineEndFailure(after what: String) -> ExpositionError {
        failure("expected the end of the line after \(what), found \(found(at: position))", at: position)
    }

    mutating func skipBlanks() {
        while position < bytes.count, bytes[position] == .space || bytes[position] == .tab { position += 1 }
    }

    mutating func skipToEndOfLine() {
        while position < bytes.count, bytes[position] != .newline { position += 1 }
    }

    /// Steps over the separator between two tokens: one space in OpenMetrics, blanks in Prometheus text;
    /// false when it is not there (see ``separatorFailure(before:)``).
    mutating func separator() -> Bool {
        guard position < bytes.count, bytes[position] == .space || (!openMetrics && bytes[position] == .tab) else {
            return false
        }
        position += 1
        if openMetrics {
            return position == bytes.count || (bytes[position] != .space && bytes[position] != .tab)
        }
        skipBlanks()
        return true
    }

    /// The error for a missing separator before `what`, or (OpenMetrics) more than one space.
    func separatorFailure(before what: String) -> ExpositionError {
        if openMetrics, position > 0, bytes[position - 1] == .space {
            return failure("expected \(what) after one space, found \(found(at: position))", at: position)
        }
        return failure("expected a space before \(what), found \(found(at: position))", at: position)
    }

    // MARK: Comments and metadata

    /// A line starting with `#` at `position`.
    mutating func readComment() throws(ExpositionError) {
        let hash = position
        position += 1
        if openMetrics {
            guard position < bytes.count, bytes[position] == .space else {
                throw failure(
                    "a line starting with '#' must be '# HELP', '# TYPE', '# UNIT' or '# EOF' in OpenMetrics", at: hash)
            }
            position += 1
        } else {
            skipBlanks()
        }
        let word = position
        while position < bytes.count, bytes[position] >= UInt8(ascii: "A"), bytes[position] <= UInt8(ascii: "Z") {
            position += 1
        }
        let keyword = String(decoding: UnsafeBufferPointer(rebasing: bytes[word..<position]), as: UTF8.self)
        let followedByBlank =
            position < bytes.count && (bytes[position] == .space || (!openMetrics && bytes[position] == .tab))
        switch keyword {
        case "HELP" where followedByBlank: try readMetadata(.help, hash: hash)
        case "TYPE" where followedByBlank: try readMetadata(.type, hash: hash)
        case "UNIT" where followedByBlank && openMetrics: try readMetadata(.unit, hash: hash)
        case "EOF" where openMetrics:
            guard endOfLine() else { throw lineEndFailure(after: "'# EOF'") }
            sawEOF = true
        case "HELP", "TYPE",
            "UNIT" where openMetrics:
            throw failure(
                "expected a space and a metric name after '# \(keyword)', found \(found(at: position))", at: position)
        default:
            if openMetrics {
                while position < bytes.count, bytes[position] != .space, bytes[position] != .newline { position += 1 }
                throw failure(
                    "\(token(hash..<position)) is not a line OpenMetrics allows; comments must be '# HELP', '# TYPE', '# UNIT' or '# EOF'",
                    at: hash)
            }
            // Any other comment of Prometheus text is ignored, whatever bytes it holds.
            skipToEndOfLine()
            if position < bytes.count { endLine() }
        }
    }

    /// `# HELP name text`, `# TYPE name type` or `# UNIT name unit`, after the keyword.
    mutating func readMetadata(_ kind: Metadata, hash: Int) throws(ExpositionError) {
        position += 1
        if !openMetrics { skipBlanks() }
        let name = scanMetricName()
        guard !name.isEmpty else {
            throw failure("expected a metric name after '\(kind.keyword)', found \(found(at: position))", at: position)
        }
        let family = try metadataFamily(name, kind, at: hash)
        switch kind {
        case .help:
            if position < bytes.count, bytes[position] != .newline {
                guard separator() else { throw separatorFailure(before: "the help text of \(quoted(name))") }
                families[family].help = try readHelpText()
            } else {
                families[family].help = ""
            }
        case .type:
            guard separator() else { throw separatorFailure(before: "the type of \(quoted(name))") }
            let word = position
            while position < bytes.count, bytes[position] != .newline, bytes[position] != .space,
                bytes[position] != .tab
            {
                position += 1
            }
            guard let type = metricType(word..<position) else {
                let allowed =
                    openMetrics
                    ? "counter, gauge, histogram, gaugehistogram, summary, info, stateset or unknown"
                    : "counter, gauge, histogram, summary or untyped"
                throw failure("unknown metric type \(token(word..<position)); expected \(allowed)", at: word)
            }
            families[family].type = type
            suffixNames = []
            if !openMetrics { skipBlanks() }
        case .unit:
            guard separator() else { throw separatorFailure(before: "the unit of \(quoted(name))") }
            let unit = position
            while position < bytes.count, isMetricNameByte(bytes[position]) { position += 1 }
            let text = string(unit..<position)
            let familyName = families[family].name
            if !text.isEmpty, !familyName.hasSuffix("_" + text) {
                throw failure(
                    "the unit '\(text)' is not the end of the family name \(quoted(name)); OpenMetrics wants it named \(clipped(familyName))_\(text)",
                    at: unit)
            }
            families[family].unit = text
        }
        guard endOfLine() else { throw lineEndFailure(after: "the \(kind.keyword) line of \(quoted(name))") }
    }

    /// The family a metadata line describes: the current one, an earlier one (Prometheus text only), or
    /// a new one. Metadata comes once per kind, before the family's samples.
    mutating func metadataFamily(_ name: Range<Int>, _ kind: Metadata, at hash: Int) throws(ExpositionError) -> Int {
        let family: Int
        if current >= 0, same(familyNames[current], name) {
            family = current
        } else {
            let text = string(name)
            if let earlier = familyIndex[text] {
                if openMetrics {
                    throw failure(
                        "'\(kind.keyword) \(clipped(text))' comes after other families; OpenMetrics keeps a family's lines together",
                        at: hash)
                }
                family = earlier
            } else {
                family = addFamily(text, name, type: .unknown)
            }
            current = family
            suffixNames = []
        }
        if familyMetadata[family] & kind.rawValue != 0 {
            throw failure("a second '\(kind.keyword)' line for \(quoted(name))", at: hash)
        }
        if !families[family].samples.isEmpty {
            throw failure("'\(kind.keyword)' line for \(quoted(name)) after its samples; it must come first", at: hash)
        }
        familyMetadata[family] |= kind.rawValue
        return family
    }

    mutating func addFamily(_ name: String, _ range: Range<Int>, type: MetricType) -> Int {
        families.append(MetricFamily(name: name, type: type))
        familyNames.append(range)
        familyMetadata.append(0)
        familyIndex[name] = families.count - 1
        return families.count - 1
    }

    /// The type a `# TYPE` line names: OpenMetrics' eight; Prometheus text's five, in any case.
    func metricType(_ range: Range<Int>) -> MetricType? {
        var word = string(range)
        if !openMetrics { word = word.lowercased() }
        switch word {
        case "counter": return .counter
        case "gauge": return .gauge
        case "histogram": return .histogram
        case "summary": return .summary
        case "untyped" where !openMetrics: return .unknown
        case "unknown" where openMetrics: return .unknown
        case "gaugehistogram" where openMetrics: return .gaugehistogram
        case "stateset" where openMetrics: return .stateset
        case "info" where openMetrics: return .info
        default: return nil
        }
    }
}
