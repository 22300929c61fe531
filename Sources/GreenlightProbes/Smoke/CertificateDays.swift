import GreenlightCore
import GreenlightHTTP

extension SmokeRunner {
    /// Days left on the certificate that host:port presents, read with the dependency prober's TLS check.
    public static func certificateDays(host: String, port: Int, trustRoots: [String], insecure: Bool) async -> Result<
        Int, HTTPFailure
    > {
        var dependency = DependencySpec(reading: ObjectReader(nil, DependencySpec.schema))
        dependency.name = "smoke-tls"
        dependency.kind = .tls
        dependency.host = host
        dependency.port = port
        var prober = DependencyProber(concurrency: 1)
        prober.trustRoots = trustRoots
        prober.insecure = insecure
        guard let result = await prober.run([dependency]).first else {
            return .failure(HTTPFailure(description: "the certificate could not be inspected"))
        }
        if let days = result.measurements.first(where: { $0.name == "days_valid" }) { return .success(Int(days.value)) }
        return .failure(HTTPFailure(description: result.summary))
    }
}
