import Foundation

extension DependencyFixtures {
    /// A self-signed certificate and its key, made with the openssl CLI for chosen validity dates
    /// (`openssl ca -selfsign -startdate -enddate`, which also makes certificates already expired).
    struct TestCertificate: Sendable {
        let directory: URL
        let certificatePath: String
        let keyPath: String

        /// `names` are subject alternative names such as `DNS:localhost` or `IP:127.0.0.1`.
        static func make(
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

        private func generate(commonName: String, names: [String], from notBefore: Date, to notAfter: Date) async throws
        {
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
            try await DependencyFixtures.run(openssl, request)
            try await DependencyFixtures.run(
                openssl,
                [
                    "ca", "-batch", "-config", path("ca.cnf"), "-selfsign", "-keyfile", keyPath, "-in",
                    path("request.csr"), "-out", certificatePath, "-notext", "-startdate", Self.stamp(notBefore),
                    "-enddate", Self.stamp(notAfter),
                ])
        }

        func remove() { try? FileManager.default.removeItem(at: directory) }

        static func openssl() throws -> String {
            for path in ["/usr/bin/openssl", "/usr/local/bin/openssl"]
            where FileManager.default.isExecutableFile(atPath: path) {
                return path
            }
            throw CommandFailure(description: "openssl is not installed: apt-get install -y openssl")
        }

        /// A time as openssl ca takes it: `20200101000000Z`.
        static func stamp(_ date: Date) -> String { format(date, "yyyyMMddHHmmss'Z'") }

        /// A UTC calendar day, as the probe writes it.
        static func day(_ date: Date) -> String { format(date, "yyyy-MM-dd") }

        static func format(_ date: Date, _ pattern: String) -> String {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "UTC")
            formatter.dateFormat = pattern
            return formatter.string(from: date)
        }
    }
}
