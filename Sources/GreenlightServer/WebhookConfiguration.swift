package import Foundation
import GreenlightWebhooks
import Yams

/// The server's webhooks file (`serve --webhooks FILE`):
///
///     webhooks:
///       - name: audit
///         type: json
///         url: https://hooks.example.com/greenlight
///         secret: ${GREENLIGHT_WEBHOOK_SECRET}
///       - { name: chat, type: slack, url: "${SLACK_WEBHOOK_URL}", events: [gate.decided, rollout.rollback] }
///       - { name: ticket, type: github, token: "${GITHUB_TOKEN}" }
///
/// `${NAME}` in a value is replaced by the environment variable, so that secrets stay out of the file.
public enum WebhookConfiguration {
    public struct Problem: Error, CustomStringConvertible {
        public var description: String
    }

    public static func load(file path: String) throws(Problem) -> [WebhookTarget] {
        try load(file: path, environment: ProcessInfo.processInfo.environment)
    }

    public static func load(file path: String, environment: [String: String]) throws(Problem) -> [WebhookTarget] {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw Problem(description: "\(path): cannot be read: \(error.localizedDescription)")
        }
        let document: Any?
        do {
            document = try Yams.load(yaml: text)
        } catch let error as YamlError {
            throw Problem(description: "\(path): not YAML: \(error)")
        } catch {
            throw Problem(description: "\(path): not YAML: \(error)")
        }
        guard let top = document as? [String: Any], let list = top["webhooks"] as? [Any] else {
            throw Problem(description: "\(path): expected a mapping with a list under webhooks:")
        }
        var targets: [WebhookTarget] = []
        for (index, item) in list.enumerated() {
            let field = "\(path): webhooks[\(index)]"
            guard let mapping = item as? [String: Any] else {
                throw Problem(description: "\(field): expected a mapping (name, type, url…)")
            }
            var resolved: [String: Any] = [:]
            for (key, value) in mapping {
                resolved[key] = try substitute(value, field: "\(field).\(key)", environment: environment)
            }
            do {
                let data = try JSONSerialization.data(withJSONObject: resolved)
                let target = try JSONDecoder().decode(WebhookTarget.self, from: data)
                try target.validate()
                targets.append(target)
            } catch {
                throw Problem(description: "\(field): \(error)")
            }
        }
        return targets
    }

    private static func substitute(_ value: Any, field: String, environment: [String: String]) throws(Problem) -> Any {
        if let list = value as? [Any] {
            var out: [Any] = []
            for (index, item) in list.enumerated() {
                out.append(try substitute(item, field: "\(field)[\(index)]", environment: environment))
            }
            return out
        }
        guard let text = value as? String else { return value }
        var result = ""
        var rest = Substring(text)
        while let start = rest.range(of: "${") {
            result += rest[..<start.lowerBound]
            guard let end = rest[start.upperBound...].firstIndex(of: "}") else {
                throw Problem(description: "\(field): an unclosed ${ in its value")
            }
            let name = String(rest[start.upperBound..<end])
            guard let variable = environment[name], !variable.isEmpty else {
                throw Problem(description: "\(field): the environment variable \(name) is not set")
            }
            result += variable
            rest = rest[rest.index(after: end)...]
        }
        return result + rest
    }
}
