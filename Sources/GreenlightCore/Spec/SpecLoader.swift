import Crypto
import Foundation

/// Loads `release.yaml`: YAML, `${VAR}` substitution, schema validation and cross-field rules,
/// reporting every problem with file:line:col and the field path.
public struct SpecLoader: Sendable {
    public var environment: [String: String]
    public var policy: RiskPolicy

    public init(environment: [String: String] = ProcessInfo.processInfo.environment, policy: RiskPolicy = .standard) {
        self.environment = environment
        self.policy = policy
    }

    /// Reads and validates the spec at `path`; relative paths inside it start from its folder.
    public func load(file path: String) throws(SpecError) -> ReleaseSpec {
        let data = try YAMLDocument.contents(of: path, kind: "file")
        let directory = (path as NSString).deletingLastPathComponent
        return try load(data: data, file: path, directory: directory.isEmpty ? "." : directory)
    }

    public func load(data: Data, file: String, directory: String = ".") throws(SpecError) -> ReleaseSpec {
        let (root, found) = try YAMLDocument(file: file, environment: environment)
            .readChecked(data, against: ReleaseSpec.schema)
        var diagnostics = found

        var spec = ReleaseSpec(reading: ObjectReader(root, ReleaseSpec.schema))
        spec.file = file
        spec.directory = directory
        spec.source = root
        spec.sha256 = Hashing.sha256Hex(data)
        spec.redactor = Self.redactor(for: root, environment: environment)

        var rules = SpecRules(spec: spec, root: root, policy: policy)
        rules.check()
        diagnostics += rules.diagnostics
        if !diagnostics.isEmpty { throw SpecError(diagnostics) }
        return spec
    }

    /// Collects the environment values used anywhere in the tree.
    static func redactor(for root: SpecValue, environment: [String: String]) -> Redactor {
        var redactor = Redactor()
        func walk(_ value: SpecValue) {
            switch value.kind {
            case .scalar:
                for name in value.environmentVariables { if let secret = environment[name] { redactor.add(secret) } }
            case .sequence(let items): items.forEach(walk)
            case .mapping(let entries): entries.forEach { walk($0.value) }
            case .null: break
            }
        }
        walk(root)
        return redactor
    }
}
