import Foundation
import Yams

/// Reads the bytes of a YAML file into a ``SpecValue`` tree, turning every YAML-level problem
/// (bad UTF-8, tabs, syntax, duplicate keys, runaway aliases) into a located ``Diagnostic``.
struct YAMLDocument {
    static let maximumBytes = 8 << 20
    static let maximumNodes = 200_000
    static let maximumDepth = 128

    let file: String
    let environment: [String: String]
    /// Whether `${VAR}` references are expanded (specs) or kept as written (data files).
    var substitutes = true
    /// What an empty file should have held, for the message.
    var expected = "a release spec starts with 'version: 1' and a 'service:' section (greenlight init writes one)"

    init(file: String, environment: [String: String], substitutes: Bool = true) {
        self.file = file
        self.environment = environment
        self.substitutes = substitutes
    }

    func read(_ data: Data) -> (value: SpecValue?, diagnostics: [Diagnostic]) {
        func at(_ line: Int, _ column: Int, _ message: String) -> (SpecValue?, [Diagnostic]) {
            (nil, [Diagnostic(SourceLocation(file: file, line: line, column: column), "", message)])
        }
        if data.count > Self.maximumBytes {
            return at(1, 1, "the file is \(data.count) bytes; a spec may be at most \(Self.maximumBytes) bytes")
        }
        guard let text = String(validating: data, as: UTF8.self) else {
            let (line, column) = Self.firstInvalidUTF8(data)
            return at(line, column, "the file is not valid UTF-8 (an invalid byte here); save it as UTF-8")
        }
        if text.unicodeScalars.contains("\u{0}") {
            let (line, column) = Self.position(of: "\u{0}", in: text)
            return at(line, column, "the file contains a NUL character; is it a binary file?")
        }
        if text.allSatisfy({ $0.isWhitespace }) {
            return at(1, 1, "the file is empty: \(expected)")
        }
        if let (line, column) = Self.tooDeeplyNested(text) {
            return at(line, column, "nesting is deeper than \(Self.maximumDepth) levels; a spec never needs that")
        }
        // libyaml (through Yams) stops at the first duplicate key. To report every problem in one run,
        // each duplicate is reported, masked in a copy of the text, and the text parsed again.
        var source = text
        var duplicates: [Diagnostic] = []
        var skipped: Set<SourceLocation> = []
        var parsed: Node?? = nil
        while parsed == nil {
            do {
                parsed = .some(try Parser(yaml: source).singleRoot())
            } catch let error as YamlError {
                if case .duplicatedKeysInMapping(let keys, let context) = error, duplicates.count < 50,
                    let key = keys.first,
                    let (line, column) = Self.secondOccurrence(of: key, after: context.mark, in: source)
                {
                    let location = SourceLocation(file: file, line: line, column: column)
                    duplicates.append(
                        Diagnostic(
                            location, "",
                            "duplicate key '\(key)' (first given at line \(context.mark.line)); each key may appear once"
                        ))
                    skipped.insert(location)
                    source = Self.maskKey(in: source, line: line, column: column)
                    continue
                }
                return (nil, duplicates + [Self.diagnostic(for: error, file: file)])
            } catch {
                return at(1, 1, "could not read YAML: \(error)")
            }
        }
        guard let node = parsed ?? nil else {
            return at(1, 1, "the file holds no YAML document: \(expected)")
        }
        var converter = Converter(
            file: file, substitution: substitutes ? EnvironmentSubstitution(environment: environment) : nil)
        converter.skipped = skipped
        let value = converter.convert(node, depth: 0)
        if converter.exhausted {
            return (
                nil,
                converter.diagnostics.filter {
                    $0.message.contains("expands to more than") || $0.message.contains("nesting is deeper")
                }
            )
        }
        converter.diagnostics = duplicates + converter.diagnostics
        return (value, converter.diagnostics)
    }

    /// Reads a file's bytes; a missing or unreadable file is a diagnostic at 1:1.
    static func contents(of path: String, kind: String) throws(SpecError) -> Data {
        if let data = FileManager.default.contents(atPath: path) { return data }
        let reason = FileManager.default.fileExists(atPath: path) ? "cannot be read" : "does not exist"
        throw SpecError([Diagnostic(SourceLocation(file: path, line: 1, column: 1), "", "the \(kind) \(reason)")])
    }

    /// Reads the document and checks it against `schema`: the root mapping, and every problem so far.
    /// Throws when there is no mapping to read fields from.
    func readChecked(_ data: Data, against schema: ObjectSchema) throws(SpecError) -> (
        root: SpecValue, diagnostics: [Diagnostic]
    ) {
        let (root, yamlDiagnostics) = read(data)
        guard let root else { throw SpecError(yamlDiagnostics) }
        var validator = SchemaValidator()
        validator.validate(root, .object(schema), FieldPath())
        let diagnostics = yamlDiagnostics + validator.diagnostics
        guard root.entries != nil else { throw SpecError(diagnostics) }
        return (root, diagnostics)
    }

    private struct Converter {
        let file: String
        let substitution: EnvironmentSubstitution?
        var diagnostics: [Diagnostic] = []
        var nodes = 0
        var exhausted = false
        /// Keys of duplicates already reported, left out of the tree.
        var skipped: Set<SourceLocation> = []

        func location(_ mark: Mark?) -> SourceLocation {
            SourceLocation(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1)
        }

        mutating func convert(_ node: Node, depth: Int) -> SpecValue {
            nodes += 1
            let loc = location(node.mark)
            if nodes > YAMLDocument.maximumNodes || depth > YAMLDocument.maximumDepth {
                if !exhausted {
                    exhausted = true
                    let message =
                        depth > YAMLDocument.maximumDepth
                        ? "nesting is deeper than \(YAMLDocument.maximumDepth) levels; a spec never needs that"
                        : "the document expands to more than \(YAMLDocument.maximumNodes) values (aliases?); a spec never needs that"
                    diagnostics.append(Diagnostic(loc, "", message))
                }
                return SpecValue(kind: .null, location: loc, quoted: false, source: "", environmentVariables: [])
            }
            switch node {
            case .scalar(let scalar):
                return convertScalar(scalar, loc)
            case .alias:
                return SpecValue(kind: .null, location: loc, quoted: false, source: "", environmentVariables: [])
            case .sequence(let sequence):
                let elements = sequence.map { convert($0, depth: depth + 1) }
                return SpecValue(
                    kind: .sequence(elements), location: loc, quoted: false, source: "", environmentVariables: [])
            case .mapping(let mapping):
                var entries: [SpecValue.Entry] = []
                for (keyNode, valueNode) in mapping {
                    let keyLoc = location(keyNode.mark)
                    guard case .scalar(let keyScalar) = keyNode else {
                        diagnostics.append(Diagnostic(keyLoc, "", "a key must be plain text, not a list or a mapping"))
                        continue
                    }
                    let key = keyScalar.string
                    if skipped.contains(keyLoc) { continue }
                    if keyScalar.tag.rawValue == "tag:yaml.org,2002:merge" || (key == "<<" && keyScalar.style == .plain)
                    {
                        diagnostics.append(
                            Diagnostic(
                                keyLoc, "", "merge keys ('<<') are not supported in a spec; write the fields out"))
                        continue
                    }
                    entries.append(.init(key: key, keyLocation: keyLoc, value: convert(valueNode, depth: depth + 1)))
                }
                return SpecValue(
                    kind: .mapping(entries), location: loc, quoted: false, source: "", environmentVariables: [])
            }
        }

        mutating func convertScalar(_ scalar: Node.Scalar, _ loc: SourceLocation) -> SpecValue {
            let quoted = scalar.style != .plain
            let raw = scalar.string
            if !quoted, ["", "~", "null", "Null", "NULL"].contains(raw) {
                return SpecValue(kind: .null, location: loc, quoted: false, source: raw, environmentVariables: [])
            }
            let expanded = substitution?.expand(raw) ?? EnvironmentSubstitution.Result(text: raw)
            for problem in expanded.problems {
                diagnostics.append(Diagnostic(loc, "", problem))
            }
            var value = SpecValue(
                kind: .scalar(expanded.text), location: loc, quoted: quoted,
                source: raw, environmentVariables: expanded.usedVariables)
            value.unresolved = !expanded.problems.isEmpty
            value.templateText = expanded.templateText
            return value
        }
    }

    static func diagnostic(for error: YamlError, file: String) -> Diagnostic {
        func loc(_ mark: Mark) -> SourceLocation { SourceLocation(file: file, line: mark.line, column: mark.column) }
        switch error {
        case .scanner(let context, let problem, let mark, let yaml),
            .parser(let context, let problem, let mark, let yaml),
            .composer(let context, let problem, let mark, let yaml):
            var message = "YAML syntax error: \(problem)"
            if let context {
                message += " (\(context.text) at line \(context.mark.line), column \(context.mark.column))"
            }
            let line = yaml.split(separator: "\n", omittingEmptySubsequences: false)
            if mark.line - 1 < line.count {
                let text = line[mark.line - 1]
                if text.prefix(while: { $0 == " " || $0 == "\t" }).contains("\t") || problem.contains("tab") {
                    message = "YAML syntax error: a tab character here; YAML indents with spaces only"
                }
            }
            if problem.hasPrefix("Maximum nesting level reached") {
                // libyaml's own limit (1,000) for block style, reached before the tree can be measured.
                message = "nesting is deeper than \(maximumDepth) levels; a spec never needs that"
            }
            if problem == "found character that cannot start any token", mark.line - 1 < line.count {
                let text = Array(line[mark.line - 1].unicodeScalars)
                if mark.column - 1 < text.count, text[mark.column - 1] == "\t" {
                    message = "YAML syntax error: a tab character here; YAML indents with spaces only"
                }
            }
            return Diagnostic(loc(mark), "", message)
        case .duplicatedKeysInMapping(let duplicates, let context):
            let key = duplicates.first ?? ""
            let first = context.mark
            let (line, column) = secondOccurrence(of: key, after: first, in: context.text) ?? (first.line, first.column)
            return Diagnostic(
                SourceLocation(file: file, line: line, column: column), "",
                "duplicate key '\(key)' (first given at line \(first.line)); each key may appear once")
        case .reader(let problem, let offset, _, let yaml):
            let (line, column) = offset.map { position(ofUTF8Offset: $0, in: yaml) } ?? (1, 1)
            return Diagnostic(
                SourceLocation(file: file, line: line, column: column), "", "cannot read the file: \(problem)")
        default:
            return Diagnostic(SourceLocation(file: file, line: 1, column: 1), "", "could not read YAML: \(error)")
        }
    }

    /// Where a block-mapping key appears again at the same column as its first occurrence.
    static func secondOccurrence(of key: String, after first: Mark, in yaml: String) -> (Int, Int)? {
        let lines = yaml.split(separator: "\n", omittingEmptySubsequences: false)
        guard first.line < lines.count else { return nil }
        let indent = String(repeating: " ", count: first.column - 1)
        for index in first.line..<lines.count {
            let line = lines[index]
            for candidate in [key, "\"\(key)\"", "'\(key)'"] where line.hasPrefix(indent + candidate) {
                let rest = line.dropFirst(indent.count + candidate.count).drop { $0 == " " }
                if rest.hasPrefix(":") { return (index + 1, first.column) }
            }
        }
        return nil
    }

    /// Changes the first character of the key at line:column so the text parses without that duplicate.
    static func maskKey(in text: String, line: Int, column: Int) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { Array($0.unicodeScalars) }
        guard line - 1 < lines.count else { return text }
        var index = column - 1
        if index < lines[line - 1].count, lines[line - 1][index] == "\"" || lines[line - 1][index] == "'" { index += 1 }
        guard index < lines[line - 1].count else { return text }
        lines[line - 1][index] = "~"
        return lines.map { String(String.UnicodeScalarView($0)) }.joined(separator: "\n")
    }

    static func firstInvalidUTF8(_ data: Data) -> (Int, Int) {
        let bytes = [UInt8](data)
        var line = 1
        var column = 1
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            let length: Int
            switch b {
            case 0x00...0x7F: length = 1
            case 0xC2...0xDF: length = 2
            case 0xE0...0xEF: length = 3
            case 0xF0...0xF4: length = 4
            default: return (line, column)
            }
            if i + length > bytes.count { return (line, column) }
            let sequence = bytes[i..<(i + length)]
            if String(validating: sequence, as: UTF8.self) == nil { return (line, column) }
            if b == 0x0A {
                line += 1
                column = 1
            } else {
                column += 1
            }
            i += length
        }
        return (line, column)
    }

    static func position(ofUTF8Offset offset: Int, in text: String) -> (Int, Int) {
        var consumed = 0
        return position(in: text) { scalar in
            defer { consumed += UTF8.width(scalar) }
            return consumed >= offset
        }
    }

    static func position(of target: Unicode.Scalar, in text: String) -> (Int, Int) {
        position(in: text) { $0 == target }
    }

    /// Line and column of the first scalar for which `stop` is true (or of the end).
    private static func position(in text: String, stop: (Unicode.Scalar) -> Bool) -> (Int, Int) {
        var line = 1
        var column = 1
        for scalar in text.unicodeScalars {
            if stop(scalar) { break }
            if scalar == "\n" {
                line += 1
                column = 1
            } else {
                column += 1
            }
        }
        return (line, column)
    }

    /// Finds flow nesting (`[[[…` or `{{{…`) deep enough to exhaust the parser's stack, outside quotes and comments.
    static func tooDeeplyNested(_ text: String) -> (Int, Int)? {
        var depth = 0
        var line = 1
        var column = 0
        var quote: Unicode.Scalar? = nil
        var comment = false
        var previous: Unicode.Scalar = " "
        for scalar in text.unicodeScalars {
            column += 1
            defer { previous = scalar }
            if scalar == "\n" {
                line += 1
                column = 0
                comment = false
                quote = nil
                continue
            }
            if comment { continue }
            if let q = quote {
                if scalar == q { quote = nil }
                continue
            }
            switch scalar {
            case "#" where previous == " " || previous == "\t" || column == 1: comment = true
            case "\"", "'":
                if previous == " " || previous == "[" || previous == "{" || previous == "," || previous == ":" {
                    quote = scalar
                }
            case "[", "{":
                depth += 1
                if depth > maximumDepth { return (line, column) }
            case "]", "}": depth = max(0, depth - 1)
            default: break
            }
        }
        return nil
    }
}
