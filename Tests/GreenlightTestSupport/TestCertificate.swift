import Foundation

/// A self-signed certificate and its key, made with the openssl CLI for chosen validity dates
/// (`openssl ca -selfsign -startdate -enddate`, which also makes certificates already expired).
public struct TestCertificate: Sendable {
    /// The folder holding the files; ``remove()`` deletes it.
    public let directory: URL
    /// The certificate, PEM.
    public let certificatePath: String
    /// The private key, PEM.
    public let keyPath: String

    /// A new certificate valid from `notBefore` to `notAfter`; `names` are subject alternative names such as
    /// `DNS:localhost` or `IP:127.0.0.1`.
    public static func make(
        commonName: String = "localhost", names: [String] = ["DNS:localhost", "IP:127.0.0.1"], notBefore: Date,
        notAfter: Date
    ) async throws -> TestCertificate {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "greenlight-cert-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let certificate = TestCertificate(
            directory: directory, certificatePath: directory.appendingPathComponent("cert.pem").path,
            keyPath: directory.appendingPathComponent("key.pem").path)
        do {
            try await certificate.generate(commonName: commonName, names: names, from: notBefore, to: notAfter)
        } catch {
            certificate.remove()
            throw error
        }
        return certificate
    }

    private func generate(commonName: String, names: [String], from notBefore: Date, to notAfter: Date) async throws {
        func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
        let configuration = """
            [ ca ]
            default_ca = test
            [ test ]
            database = \(path("index.txt"))
            new_certs_dir = \(directory.path)
            serial = \(path("serial"))
            default_md = sha256
            policy = anything
            copy_extensions = copy
            unique_subject = no
            [ anything ]
            commonName = supplied
            [ req ]
            distinguished_name = name
            [ name ]

            """
        try configuration.write(toFile: path("ca.cnf"), atomically: true, encoding: .utf8)
        try "".write(toFile: path("index.txt"), atomically: true, encoding: .utf8)
        try "01\n".write(toFile: path("serial"), atomically: true, encoding: .utf8)
        let openssl = try Self.openssl()
        var request = [
            "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", keyPath, "-subj", "/CN=\(commonName)", "-config", path("ca.cnf"), "-out",
            path("request.csr"),
        ]
        if !names.isEmpty { request += ["-addext", "subjectAltName=" + names.joined(separator: ",")] }
        try await ChildProcess.run(openssl, request)
        try await ChildProcess.run(
            openssl,
            [
                "ca", "-batch", "-config", path("ca.cnf"), "-selfsign", "-keyfile", keyPath, "-in",
                path("request.csr"), "-out", certificatePath, "-notext", "-startdate", Self.stamp(notBefore),
                "-enddate", Self.stamp(notAfter),
            ])
    }

    /// Deletes the certificate's folder.
    public func remove() { try? FileManager.default.removeItem(at: directory) }

    /// The openssl CLI's path.
    public static func openssl() throws -> String {
        for path in ["/usr/bin/openssl", "/usr/local/bin/openssl"]
        where FileManager.default.isExecutableFile(atPath: path) {
            return path
        }
        throw CommandFailure("openssl is not installed: apt-get install -y openssl")
    }

    /// A time as openssl ca takes it: `20200101000000Z`.
    public static func stamp(_ date: Date) -> String { format(date, "yyyyMMddHHmmss'Z'") }

    /// A UTC calendar day, as the probe writes it.
    public static func day(_ date: Date) -> String { format(date, "yyyy-MM-dd") }

    /// `date` in UTC, formatted with `pattern`.
    public static func format(_ date: Date, _ pattern: String) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = pattern
        return formatter.string(from: date)
    }
}
