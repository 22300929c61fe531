import Foundation
import GreenlightCore
import Yams

/// Alertmanager's routing tree, read from its configuration file, and walked for a label set as
/// Alertmanager walks it (what `amtool config routes test` prints), without a running Alertmanager.
///
/// The walk: a route matches when all its matchers do; its children are tried in order, depth first;
/// the first child that matches ends the search unless it has `continue: true`; a route none of whose
/// children match is itself the match. The root matches every alert. A route without `receiver`
/// inherits its parent's (and `group_by` likewise).
public struct AlertmanagerRoutes: Sendable {
    public struct Route: Sendable {
        /// The receiver, inherited from the parent when the route names none.
        public var receiver: String
        /// All must match: `matchers`, then `match` (equality) and `match_re` (regex) of old.
        public var matchers: [LabelMatcher]
        /// `continue: true`: the siblings after this route are tried even when it matches.
        public var continues: Bool
        public var groupBy: [String]
        public var routes: [Route]
        /// Where the route's mapping starts.
        public var location: SourceLocation
    }

    public var root: Route
    /// The names of the receivers the file defines, in order.
    public var receiverNames: [String]
    /// The name the file is shown by.
    public var file: String

    static let expected = "an Alertmanager configuration has a 'route:' (with a receiver) and a 'receivers:' list"
    static let routeFields = [
        "receiver", "group_by", "continue", "match", "match_re", "matchers", "group_wait", "group_interval",
        "repeat_interval", "mute_time_intervals", "active_time_intervals", "routes",
    ]

    /// Reads the configuration at `path` (relative ones inside `directory`), shown as `path`.
    public static func parse(file path: String, directory: String = ".") throws(AlertFileError) -> AlertmanagerRoutes {
        let data = try AlertYAML.contents(
            of: SpecPath.resolve(path, in: directory), file: path, kind: "Alertmanager configuration")
        return try parse(data, file: path)
    }

    /// Reads a configuration's bytes; `file` names it in locations.
    public static func parse(_ data: Data, file: String) throws(AlertFileError) -> AlertmanagerRoutes {
        let document = try AlertYAML.document(data, file: file, expected: expected)
        var reader = AlertYAML(file: file)
        guard let top = reader.entries(document, "an Alertmanager configuration") else {
            throw AlertFileError(reader.diagnostics)
        }
        var receivers: [(name: String, node: Node)] = []
        if let list = top.first(where: { $0.key == "receivers" }) {
            for node in reader.list(list.value, "receivers") ?? [] {
                guard let entries = reader.entries(node, "a receiver") else { continue }
                guard let nameEntry = entries.first(where: { $0.key == "name" }),
                    let name = reader.text(nameEntry.value, "a receiver's name"), !name.isEmpty
                else {
                    reader.problem(node, "a receiver needs a name")
                    continue
                }
                if let earlier = receivers.first(where: { $0.name == name }) {
                    let line = earlier.node.mark?.line ?? 1
                    reader.problem(nameEntry.value, "the receiver '\(name)' is already defined at line \(line)")
                }
                receivers.append((name, nameEntry.value))
            }
        } else {
            reader.problem(document, "no 'receivers:' list; \(expected)")
        }
        guard let routeEntry = top.first(where: { $0.key == "route" }) else {
            reader.problem(document, "no 'route:'; \(expected)")
            throw AlertFileError(reader.diagnostics)
        }
        let names = receivers.map(\.name)
        let root = readRoute(routeEntry.value, parent: nil, receivers: names, &reader)
        if !reader.diagnostics.isEmpty { throw AlertFileError(reader.diagnostics) }
        return AlertmanagerRoutes(root: root!, receiverNames: names, file: file)
    }

    private static func readRoute(
        _ node: Node, parent: Route?, receivers: [String], _ reader: inout AlertYAML
    ) -> Route? {
        let what = parent == nil ? "the root route" : "a route"
        guard let entries = reader.entries(node, what) else { return nil }
        reader.rejectUnknown(entries, known: routeFields, in: what)
        func value(_ key: String) -> AlertYAML.Entry? { entries.first { $0.key == key } }

        var route = Route(
            receiver: parent?.receiver ?? "", matchers: [], continues: false, groupBy: parent?.groupBy ?? [],
            routes: [], location: reader.location(node))
        if let entry = value("receiver"), let name = reader.text(entry.value, "receiver"), !name.isEmpty {
            if !receivers.contains(name) {
                let hint = Suggest.closest(to: name, among: receivers).map { "; did you mean '\($0)'?" } ?? ""
                reader.problem(entry.value, "the receiver '\(name)' is not defined under 'receivers:'\(hint)")
            }
            route.receiver = name
        } else if parent == nil {
            reader.problem(node, "the root route needs a receiver (the default for every alert)")
        }
        if let entry = value("group_by") {
            route.groupBy = (reader.list(entry.value, "group_by") ?? []).compactMap { reader.text($0, "group_by") }
        }
        if let entry = value("continue") {
            route.continues = reader.bool(entry.value, "continue") ?? false
            if parent == nil, route.continues {
                reader.problem(entry.keyNode, "the root route cannot have 'continue: true'")
            }
        }
        if let entry = value("matchers") {
            for line in reader.list(entry.value, "matchers") ?? [] {
                guard let text = reader.text(line, "a matcher") else { continue }
                do {
                    route.matchers += try LabelMatcher.parse(text)
                } catch {
                    reader.problem(line, "\(error)")
                }
            }
        }
        for (key, op) in [("match", LabelMatcher.Operator.equal), ("match_re", .matchesRegex)] {
            guard let entry = value(key) else { continue }
            for (name, text, keyNode) in reader.textMap(entry.value, key) {
                guard RuleFiles.isLabelName(name) else {
                    reader.problem(keyNode, "'\(name)' in \(key) is not a valid label name")
                    continue
                }
                do {
                    route.matchers.append(try LabelMatcher(name, op, text))
                } catch {
                    reader.problem(keyNode, "\(error)")
                }
            }
        }
        if parent == nil, !route.matchers.isEmpty {
            reader.problem(node, "the root route cannot have matchers; it receives every alert")
        }
        if let entry = value("routes") {
            for child in reader.list(entry.value, "routes") ?? [] {
                if let read = readRoute(child, parent: route, receivers: receivers, &reader) {
                    route.routes.append(read)
                }
            }
        }
        return route
    }

    /// The routes an alert with `labels` ends at, in the order of the tree.
    public func routes(for labels: [String: String]) -> [Route] {
        Self.walk(root, labels)
    }

    /// The receivers an alert with `labels` reaches, in the order of the tree, once per route reached
    /// (as `amtool config routes test` lists them).
    public func receivers(for labels: [String: String]) -> [String] {
        routes(for: labels).map(\.receiver)
    }

    /// The label names some matcher of the tree looks at.
    public var matchedLabelNames: Set<String> {
        var names: Set<String> = []
        func visit(_ route: Route) {
            for matcher in route.matchers { names.insert(matcher.name) }
            route.routes.forEach(visit)
        }
        visit(root)
        return names
    }

    private static func walk(_ route: Route, _ labels: [String: String]) -> [Route] {
        guard route.matchers.allSatisfy({ $0.matches(labels) }) else { return [] }
        var reached: [Route] = []
        for child in route.routes {
            let found = walk(child, labels)
            reached += found
            if !found.isEmpty, !child.continues { break }
        }
        return reached.isEmpty ? [route] : reached
    }
}
