import GreenlightCore

extension ReleaseSpec {
    /// The environment a run targets: `name` when given, else staging, else the first declared;
    /// nil when the spec declares none. Throws for a name the spec does not declare.
    public func targetEnvironment(_ name: String?) throws(GateError) -> String? {
        let names = environments.map(\.name)
        guard let name else { return names.contains("staging") ? "staging" : names.first }
        if names.contains(name) { return name }
        let hint = Suggest.closest(to: name, among: names).map { " Did you mean '\($0)'?" } ?? ""
        let known =
            names.isEmpty ? "The spec declares no environments." : "Environments: \(names.joined(separator: ", "))."
        throw GateError("\(file) has no environment '\(name)'.\(hint) \(known)")
    }
}
