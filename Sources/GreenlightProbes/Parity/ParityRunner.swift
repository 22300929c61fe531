import GreenlightCore
import GreenlightHTTP

/// Loads the descriptors of the two environments `parity.compare` names and compares them.
public struct ParityRunner: Sendable {
    public var spec: ReleaseSpec

    public init(spec: ReleaseSpec) { self.spec = spec }

    public func run(session: HTTPSession) async -> [CheckResult] {
        guard let parity = spec.parity, parity.compare.count == 2 else { return [] }
        let names = (parity.compare[0], parity.compare[1])
        let loader = DescriptorLoader(directory: spec.directory)
        var descriptors: [Descriptor] = []
        var problems: [String] = []
        for name in [names.0, names.1] {
            guard let environment = spec.environment(named: name) else {
                problems.append("environment \(name) is not declared")
                continue
            }
            guard let source = environment.descriptor else {
                problems.append(
                    "environment \(name) has no descriptor: give environments.\(name).descriptor, a file or { url }")
                continue
            }
            do {
                descriptors.append(try await loader.load(source, session: session))
            } catch {
                problems.append("\(name): \(error.description)")
            }
        }
        guard problems.isEmpty, descriptors.count == 2 else {
            return [
                CheckResult(
                    id: "parity.\(names.0)-\(names.1)", title: "Parity: \(names.0) vs \(names.1)", category: .parity,
                    status: .fail, summary: problems.first ?? "descriptors could not be loaded", details: problems)
            ]
        }
        let comparison = ParityComparison(
            left: (names.0, descriptors[0]), right: (names.1, descriptors[1]), ignore: parity.ignore,
            redactor: spec.redactor)
        return [comparison.check()]
    }
}
