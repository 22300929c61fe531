import Foundation
import GreenlightCore
import Yams

/// Reads Prometheus rule files (`groups: [{name, interval, rules: [{alert | record, expr, for,
/// keep_firing_for, labels, annotations}]}]`), keeping where each rule is. A file that is not YAML, or
/// is YAML but not a rule file, throws every problem found, each at file:line:column. What Prometheus
/// would check beyond the structure (the PromQL of `expr`, the templates) is left to promtool.
public enum RuleFiles {
    static let expected = "a Prometheus rule file starts with 'groups:', a list of groups with a name and rules"
    static let groupFields = ["name", "interval", "limit", "query_offset", "labels", "rules"]
    static let ruleFields = ["alert", "record", "expr", "for", "keep_firing_for", "labels", "annotations"]

    /// The rules of every file, in order. `paths` are as the spec wrote them (relative ones inside
    /// `directory`) and name the files in locations and messages. Throws the problems of every broken
    /// file together.
    public static func load(paths: [String], directory: String) throws(AlertFileError) -> [AlertRule] {
        var rules: [AlertRule] = []
        var problems: [Diagnostic] = []
        for path in paths {
            do {
                rules += try load(path: path, directory: directory)
            } catch {
                problems += error.diagnostics
            }
        }
        if !problems.isEmpty { throw AlertFileError(problems) }
        return rules
    }

    /// The rules of one file.
    public static func load(path: String, directory: String) throws(AlertFileError) -> [AlertRule] {
        let data = try AlertYAML.contents(
            of: SpecPath.resolve(path, in: directory), file: path, kind: "rule file")
        return try parse(data, file: path)
    }

    /// The rules of a rule file's bytes; `file` names it in locations.
    public static func parse(_ data: Data, file: String) throws(AlertFileError) -> [AlertRule] {
        let root = try AlertYAML.document(data, file: file, expected: expected)
        var reader = AlertYAML(file: file)
        let rules = read(root, &reader)
        if !reader.diagnostics.isEmpty { throw AlertFileError(reader.diagnostics) }
        return rules
    }

    private static func read(_ root: Node, _ reader: inout AlertYAML) -> [AlertRule] {
        guard case .mapping = root else {
            reader.problem(root, "this is not a rule file: it holds \(AlertYAML.kind(root)); \(expected)")
            return []
        }
        guard let top = reader.entries(root, "a rule file") else { return [] }
        guard let groupsEntry = top.first(where: { $0.key == "groups" }) else {
            let keys = top.prefix(4).map { "'\($0.key)'" }.joined(separator: ", ")
            reader.problem(root, "this is not a rule file: no 'groups:' key (found \(keys)); \(expected)")
            return []
        }
        reader.rejectUnknown(top, known: ["groups"], in: "a rule file")
        guard let groups = reader.list(groupsEntry.value, "groups") else { return [] }
        var rules: [AlertRule] = []
        var names: [String: Int] = [:]
        for groupNode in groups {
            guard let group = reader.entries(groupNode, "a group") else { continue }
            reader.rejectUnknown(group, known: groupFields, in: "a group")
            let name = group.first { $0.key == "name" }.flatMap { reader.text($0.value, "a group's name") } ?? ""
            if name.isEmpty {
                reader.problem(groupNode, "a group needs a name")
            } else if let line = names[name] {
                reader.problem(
                    groupNode,
                    "the group name '\(name)' is already used at line \(line); names must be unique in a file")
            } else {
                names[name] = groupNode.mark?.line ?? 1
            }
            if let interval = group.first(where: { $0.key == "interval" }) {
                duration(interval.value, "the group's interval", &reader)
            }
            guard let rulesEntry = group.first(where: { $0.key == "rules" }) else {
                reader.problem(groupNode, "the group '\(name)' has no 'rules:' list")
                continue
            }
            for ruleNode in reader.list(rulesEntry.value, "rules") ?? [] {
                if let rule = readRule(ruleNode, group: name, &reader) { rules.append(rule) }
                if reader.exhausted { return rules }
            }
        }
        return rules
    }

    private static func readRule(_ node: Node, group: String, _ reader: inout AlertYAML) -> AlertRule? {
        guard let entries = reader.entries(node, "a rule") else { return nil }
        reader.rejectUnknown(entries, known: ruleFields, in: "a rule")
        func value(_ key: String) -> Node? { entries.first { $0.key == key }?.value }
        let alert = value("alert").flatMap { reader.text($0, "alert") }
        let record = value("record").flatMap { reader.text($0, "record") }
        let kind: AlertRule.Kind
        let name: String
        switch (alert, record) {
        case (let alert?, nil):
            kind = .alerting
            name = alert
        case (nil, let record?):
            kind = .recording
            name = record
            if !isMetricName(record) {
                reader.problem(value("record")!, "'\(record)' is not a valid series name for a recording rule")
            }
        case (.some, .some):
            reader.problem(node, "a rule has either 'alert:' or 'record:', not both")
            return nil
        case (nil, nil):
            reader.problem(node, "a rule needs 'alert:' (an alerting rule) or 'record:' (a recording rule)")
            return nil
        }
        if name.isEmpty { reader.problem(node, "the rule's \(kind.rawValue) name is empty") }
        let expr = value("expr").flatMap { reader.text($0, "expr") } ?? ""
        if expr.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            reader.problem(value("expr") ?? node, "\(kind.rawValue) \(name) has no 'expr:' (the PromQL expression)")
        }
        let forDuration = value("for").flatMap { duration($0, "for", &reader) }
        let keepFiringFor = value("keep_firing_for").flatMap { duration($0, "keep_firing_for", &reader) }
        let labels = names(value("labels"), "labels", &reader)
        let annotations = names(value("annotations"), "annotations", &reader)
        if kind == .recording {
            for key in ["for", "keep_firing_for", "annotations"] {
                if let entry = entries.first(where: { $0.key == key }) {
                    reader.problem(entry.keyNode, "a recording rule has no '\(key):'; only alerting rules do")
                }
            }
        }
        return AlertRule(
            kind: kind, name: name, expr: expr, forDuration: forDuration, keepFiringFor: keepFiringFor,
            labels: labels, annotations: annotations, group: group, location: reader.location(node))
    }

    /// A labels or annotations mapping, whose keys must be label names.
    private static func names(_ node: Node?, _ what: String, _ reader: inout AlertYAML) -> [String: String] {
        guard let node else { return [:] }
        var result: [String: String] = [:]
        for (key, value, keyNode) in reader.textMap(node, what) {
            if !isLabelName(key) {
                reader.problem(
                    keyNode, "'\(key)' is not a valid name in \(what) (letters, digits and _, not first a digit)")
            }
            result[key] = value
        }
        return result
    }

    /// A Prometheus duration such as `5m`, `1h30m` or `0`, returned as written.
    @discardableResult
    private static func duration(_ node: Node, _ what: String, _ reader: inout AlertYAML) -> String? {
        guard let text = reader.text(node, what) else { return nil }
        if !isDuration(text) {
            reader.problem(node, "\(what): '\(text)' is not a Prometheus duration (such as 30s, 5m, 1h30m)")
        }
        return text
    }

    /// `0`, or numbers with units from the largest to the smallest: y, w, d, h, m, s, ms.
    static func isDuration(_ text: String) -> Bool {
        if text == "0" { return true }
        let units = ["y", "w", "d", "h", "m", "s", "ms"]
        var rest = Substring(text)
        var next = 0
        guard !rest.isEmpty else { return false }
        while !rest.isEmpty {
            let digits = rest.prefix { $0.isASCII && $0.isNumber }
            guard !digits.isEmpty else { return false }
            rest = rest.dropFirst(digits.count)
            let unit = rest.hasPrefix("ms") ? "ms" : String(rest.prefix(1))
            guard let index = units.firstIndex(of: unit), index >= next else { return false }
            rest = rest.dropFirst(unit.count)
            next = index + 1
        }
        return true
    }

    static func isLabelName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first.isASCII, first == "_" || first.properties.isAlphabetic
        else { return false }
        return name.unicodeScalars.allSatisfy {
            $0.isASCII && ($0 == "_" || $0.properties.isAlphabetic || ("0"..."9").contains($0))
        }
    }

    static func isMetricName(_ name: String) -> Bool {
        isLabelName(name.replacingOccurrences(of: ":", with: "_"))
    }
}
