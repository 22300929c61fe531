import GreenlightCore

extension Probe {
    /// Resolves `host`; every address in `expect_addresses` must be among the answers.
    func checkDNS() async -> ProbeOutcome {
        let host = spec.host ?? ""
        progress.phase = "resolving \(host)"
        if HostPort.isUnderInvalid(host) {
            return .fail(
                "\(host) does not exist (NXDOMAIN)",
                details: ["names under .invalid never resolve (RFC 6761); no name server was asked"])
        }
        let result = await Resolver.resolve(host)
        let measurements = [CheckResult.Measurement.milliseconds("latency_ms", elapsed)]
        switch result {
        case .failure(let failure):
            return .fail("\(host) \(failure.reason)", measurements: measurements)
        case .success(let addresses):
            let details = ["addresses: " + addresses.joined(separator: ", ")]
            let missing = spec.expectAddresses.filter { !addresses.contains(Resolver.canonical($0)) }
            if !missing.isEmpty {
                return .fail(
                    "\(host) resolves to \(Self.list(addresses)), not to the expected \(missing.joined(separator: ", "))",
                    details: details, measurements: measurements)
            }
            return .pass(
                "\(host) resolves to \(Self.list(addresses)) in \(Format.duration(elapsed))", details: details,
                measurements: measurements)
        }
    }

    /// A few addresses for a summary; the details list them all.
    static func list(_ addresses: [String]) -> String {
        if addresses.count <= 3 { return addresses.joined(separator: ", ") }
        return addresses.prefix(3).joined(separator: ", ") + " and \(addresses.count - 3) more"
    }
}
