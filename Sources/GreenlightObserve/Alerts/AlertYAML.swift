import Foundation
import GreenlightCore
import Yams

/// Reads the YAML files of the alert path (Prometheus rule files, Alertmanager's configuration) with
/// Yams' node API, so that every value keeps its line and column, and collects what is wrong with
/// their structure instead of stopping at the first problem.
struct AlertYAML {
    static let maximumBytes = 8 << 20
    /// Values visited at most; aliases can make a small file expand to billions.
    static let maximumValues = 200_000

    struct Entry {
        var key: String
        var keyNode: Node
        var value: Node
    }

    /// The name the file is shown by.
    let file: String
    private(set) var diagnostics: [Diagnostic] = []
    private var visited = 0
    private(set) var exhausted = false

    init(file: String) {
        self.file = file
    }

    /// Reads the file at `path`, shown as `file`; a missing file is a problem at 1:1.
    static func contents(of path: String, file: String, kind: String) throws(AlertFileError) -> Data {
        if let data = FileManager.default.contents(atPath: path) { return data }
        let reason = FileManager.default.fileExists(atPath: path) ? "cannot be read" : "does not exist"
        let looked = path == file ? "" : " (looked for \(path))"
        throw AlertFileError(SourceLocation(file: file, line: 1, column: 1), "the \(kind) \(reason)\(looked)")
    }

    /// The document in `data`. Bytes that are not UTF-8, YAML syntax errors, duplicate keys and an empty
    /// file throw at their position; `expected` says what the file should hold.
    static func document(_ data: Data, file: String, expected: String) throws(AlertFileError) -> Node {
        func at(_ line: Int, _ column: Int, _ message: String) -> AlertFileError {
            AlertFileError(SourceLocation(file: file, line: line, column: column), message)
        }
        if data.count > maximumBytes {
            throw at(
                1, 1, "the file is \(Format.bytes(Double(data.count))); at most \(Format.bytes(Double(maximumBytes)))")
        }
        guard let text = String(validating: data, as: UTF8.self) else {
            throw at(1, 1, "the file is not valid UTF-8; is it a binary file?")
        }
        let root: Node?
        do {
            root = try Parser(yaml: text).singleRoot()
        } catch let error as YamlError {
            throw AlertFileError([diagnostic(for: error, file: file, text: text)])
        } catch {
            throw at(1, 1, "could not read YAML: \(error)")
        }
        guard let root, !isNull(root) else { throw at(1, 1, "the file is empty: \(expected)") }
        return root
    }

    static func diagnostic(for error: YamlError, file: String, text: String) -> Diagnostic {
        func at(_ mark: Mark, _ message: String) -> Diagnostic {
            Diagnostic(SourceLocation(file: file, line: mark.line, column: mark.column), "", message)
        }
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
            .composer(_, let problem, let mark, _):
            let line = text.split(separator: "\n", omittingEmptySubsequences: false).dropFirst(mark.line - 1).first
            let scalars = line.map { Array($0.unicodeScalars) } ?? []
            if mark.column - 1 < scalars.count, scalars[mark.column - 1] == "\t" {
                return at(mark, "not YAML: a tab character here; YAML indents with spaces only")
            }
            return at(mark, "not YAML: \(problem)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            let key = duplicates.first ?? ""
            let first = context.mark
            guard let line = repeated(key, after: first, in: text) else {
                return at(first, "the key '\(key)' appears twice in this mapping; each key may appear once")
            }
            return Diagnostic(
                SourceLocation(file: file, line: line, column: first.column), "",
                "duplicate key '\(key)' (first given at line \(first.line)); each key may appear once")
        default:
            return Diagnostic(SourceLocation(file: file, line: 1, column: 1), "", "could not read YAML: \(error)")
        }
    }

    /// The line where a block mapping's key appears again, at the column of its first occurrence.
    static func repeated(_ key: String, after first: Mark, in text: String) -> Int? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard first.line < lines.count else { return nil }
        for index in first.line..<lines.count {
            let scalars = Substring(lines[index]).unicodeScalars
            guard scalars.count >= first.column else { continue }
            let start = scalars.index(scalars.startIndex, offsetBy: first.column - 1)
            let before = scalars[..<start]
            guard before.allSatisfy({ $0 == " " || $0 == "-" }) else { continue }
            let rest = Substring(scalars[start...])
            for written in [key, "\"\(key)\"", "'\(key)'"] where rest.hasPrefix(written) {
                if rest.dropFirst(written.count).drop(while: { $0 == " " }).hasPrefix(":") {
                    return index + 1
                }
            }
        }
        return nil
    }

    // MARK: Reading the structure

    func location(_ node: Node) -> SourceLocation {
        SourceLocation(file: file, line: node.mark?.line ?? 1, column: node.mark?.column ?? 1)
    }

    mutating func problem(_ node: Node, _ message: String) {
        diagnostics.append(Diagnostic(location(node), "", message))
    }

    static func isNull(_ node: Node) -> Bool {
        guard case .scalar(let scalar) = node, scalar.style == .plain else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    /// What a node is, for "must be a list, not …".
    static func kind(_ node: Node) -> String {
        switch node {
        case .scalar: return isNull(node) ? "nothing (null)" : "text"
        case .sequence: return "a list"
        case .mapping: return "a mapping"
        case .alias: return "an alias"
        }
    }

    private mutating func count(_ n: Int, at node: Node) -> Bool {
        visited += n
        if visited > Self.maximumValues {
            if !exhausted { problem(node, "the file expands to more than \(Self.maximumValues) values (aliases?)") }
            exhausted = true
        }
        return !exhausted
    }

    /// The entries of a mapping, with merge keys (`<<`) expanded: keys written in the mapping win over
    /// merged ones, and earlier merged mappings over later ones. Nil, with a problem, for anything else;
    /// nil without one for null when `optional`.
    mutating func entries(_ node: Node, _ what: String, optional: Bool = false) -> [Entry]? {
        if optional, Self.isNull(node) { return nil }
        guard case .mapping(let mapping) = node else {
            problem(node, "\(what) must be a mapping, not \(Self.kind(node))")
            return nil
        }
        guard count(mapping.count, at: node) else { return nil }
        var own: [Entry] = []
        var merged: [Entry] = []
        for (keyNode, value) in mapping {
            guard case .scalar(let key) = keyNode else {
                problem(keyNode, "a key of \(what) must be text, not \(Self.kind(keyNode))")
                continue
            }
            if key.string == "<<", key.style == .plain || key.tag.rawValue == "tag:yaml.org,2002:merge" {
                let sources: [Node] = if case .sequence(let list) = value { Array(list) } else { [value] }
                for source in sources {
                    guard let more = entries(source, "a merged value ('<<')") else { continue }
                    merged += more
                }
                continue
            }
            own.append(Entry(key: key.string, keyNode: keyNode, value: value))
        }
        var seen = Set(own.map(\.key))
        for entry in merged where seen.insert(entry.key).inserted { own.append(entry) }
        return own
    }

    /// The elements of a list; null is an empty list, anything else a problem.
    mutating func list(_ node: Node, _ what: String) -> [Node]? {
        if Self.isNull(node) { return [] }
        guard case .sequence(let sequence) = node else {
            problem(node, "\(what) must be a list, not \(Self.kind(node))")
            return nil
        }
        guard count(sequence.count, at: node) else { return nil }
        return Array(sequence)
    }

    /// A scalar's text, nil for null; a list or a mapping is a problem.
    mutating func text(_ node: Node, _ what: String) -> String? {
        if Self.isNull(node) { return nil }
        guard case .scalar(let scalar) = node else {
            problem(node, "\(what) must be text, not \(Self.kind(node))")
            return nil
        }
        return scalar.string
    }

    /// A boolean as Go's YAML libraries read one (`true`, `false`, and YAML 1.1's `yes`, `no`, `on`, `off`).
    mutating func bool(_ node: Node, _ what: String) -> Bool? {
        guard let text = text(node, what) else { return nil }
        switch text.lowercased() {
        case "true", "yes", "on", "y": return true
        case "false", "no", "off", "n": return false
        default:
            problem(node, "\(what) must be true or false, not '\(text)'")
            return nil
        }
    }

    /// A mapping of text to text, in file order, each key's node kept.
    mutating func textMap(_ node: Node, _ what: String) -> [(key: String, value: String, keyNode: Node)] {
        guard let entries = entries(node, what, optional: true) else { return [] }
        return entries.compactMap { entry in
            guard let value = text(entry.value, "\(what).\(entry.key)") else { return nil }
            return (entry.key, value, entry.keyNode)
        }
    }

    /// A problem for each key that is not one of `known`, with the nearest known key as a suggestion.
    mutating func rejectUnknown(_ entries: [Entry], known: [String], in what: String) {
        for entry in entries where !known.contains(entry.key) {
            let hint = Suggest.closest(to: entry.key, among: known).map { "; did you mean '\($0)'?" } ?? ""
            problem(entry.keyNode, "\(what) has no field '\(entry.key)'\(hint)")
        }
    }
}
