import Crypto
import Foundation
import GreenlightCore
import GreenlightHTTP
import GreenlightJSON

/// An environment's descriptor flattened to dotted keys: `os.name`, `config.max_connections`,
/// `endpoints[0]`. Values are kept as text (strings as they are, other values as JSON).
package struct Descriptor: Sendable, Hashable {
    package var values: [String: String]

    package init(values: [String: String]) { self.values = values }

    package init(flattening value: JSONValue) {
        var values: [String: String] = [:]
        func walk(_ v: JSONValue, _ key: String) {
            switch v {
            case .object(let pairs) where !pairs.isEmpty:
                for (k, child) in pairs { walk(child, key.isEmpty ? k : "\(key).\(k)") }
            case .array(let items) where !items.isEmpty:
                for (i, child) in items.enumerated() { walk(child, "\(key)[\(i)]") }
            case .string(let s): values[key] = s
            default: values[key] = v.serialized()
            }
        }
        walk(value, "")
        self.values = values
    }

    /// Reads `KEY=value` lines (`#` comments, `export`, single or double quotes), as docker and dotenv do.
    package init(dotenv text: String) {
        var values: [String: String] = [:]
        for raw in text.split(whereSeparator: \.isNewline) {
            var line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("export ") { line = String(line.dropFirst(7)).trimmingCharacters(in: .whitespaces) }
            guard let eq = line.firstIndex(of: "=") else { continue }
            let key = line[..<eq].trimmingCharacters(in: .whitespaces)
            var value = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, let q = value.first, q == "\"" || q == "'", value.last == q {
                value = String(value.dropFirst().dropLast())
            } else if let hash = value.range(of: " #") {
                value = value[..<hash.lowerBound].trimmingCharacters(in: .whitespaces)
            }
            values[key] = value
        }
        self.values = values
    }
}

/// Fetches descriptors from files or live endpoints.
package struct DescriptorLoader: Sendable {
    package var directory: String

    package init(directory: String) {
        self.directory = directory
    }

    package struct LoadError: Error, Sendable, CustomStringConvertible {
        package var description: String
    }

    package func load(_ source: EnvironmentSpec.DescriptorSource, session: HTTPSession) async throws(LoadError)
        -> Descriptor
    {
        switch source {
        case .file(let path):
            let resolved = SpecPath.resolve(path, in: directory)
            guard let data = FileManager.default.contents(atPath: resolved) else {
                throw LoadError(description: "descriptor \(path) cannot be read (looked for \(resolved))")
            }
            let lower = path.lowercased()
            if lower.hasSuffix(".env") || (path as NSString).lastPathComponent.hasPrefix(".env") {
                return Descriptor(dotenv: String(decoding: data, as: UTF8.self))
            }
            if lower.hasSuffix(".yaml") || lower.hasSuffix(".yml") {
                do {
                    return Descriptor(flattening: try JSONValue(yamlData: data, file: path))
                } catch {
                    throw LoadError(description: "descriptor \(error.diagnostics.first?.description ?? path)")
                }
            }
            do {
                return Descriptor(flattening: try JSONValue(parsing: data))
            } catch {
                throw LoadError(
                    description: "descriptor \(path) is not valid JSON: \(error.message) (byte \(error.offset))")
            }
        case .endpoint(let url, let headers):
            let request = HTTPRequestRecord(
                method: "GET", url: url,
                headers: [("Accept", "application/json"), ("User-Agent", "greenlight/\(GreenlightVersion.current)")]
                    + headers.sorted { $0.key < $1.key }.map { ($0.key, $0.value) },
                body: Data())
            let response: HTTPResponseRecord
            do {
                response = try await session.send(request, timeout: .seconds(10))
            } catch {
                throw LoadError(description: "descriptor endpoint \(url): \(error)")
            }
            guard (200..<300).contains(response.status) else {
                throw LoadError(description: "descriptor endpoint \(url) answered \(response.status)")
            }
            do {
                return Descriptor(flattening: try JSONValue(parsing: response.body))
            } catch {
                throw LoadError(
                    description: "descriptor endpoint \(url) did not answer JSON: \(error.message)")
            }
        }
    }
}
