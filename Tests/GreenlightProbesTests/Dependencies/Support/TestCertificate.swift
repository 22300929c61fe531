import Foundation

extension DependencyFixtures {
    /// A self-signed certificate and its key, made with the openssl CLI for chosen validity dates
    /// (`openssl ca -selfsign -startdate -enddate`, which also makes certificates already expired).
    struct TestCertificate: Sendable {
        let directory: URL
        let certificatePath: String
        let keyPath: String

        /// `names` are subject alternative names such as `DNS:localhost` or `IP:127.0.0.1`.
        init(
            commonName: String = "localhost", names: [String] = ["DNS:localhost", "IP:127.0.0.1"], notBefore: Date,
            notAfter: Date
        ) throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent(
                "greenlight-cert-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let configuration = """
                [ ca ]
                default_ca = test
                [ test ]
                database = index.txt
                new_certs_dir = .
                serial = serial
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
            try configuration.write(to: directory.appendingPathComponent("ca.cnf"), atomically: true, encoding: .utf8)
            try "".write(to: directory.appendingPathComponent("index.txt"), atomically: true, encoding: .utf8)
            try "01\n".write(to: directory.appendingPathComponent("serial"), atomically: true, encoding: .utf8)
            let openssl = try Self.openssl()
            var request = [
                "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", "key.pem", "-subj", "/CN=\(commonName)", "-config", "ca.cnf", "-out", "request.csr",
            ]
            if !names.isEmpty { request += ["-addext", "subjectAltName=" + names.joined(separator: ",")] }
            try DependencyFixtures.run(openssl, request, in: directory)
            try DependencyFixtures.run(
                openssl,
                [
                    "ca", "-batch", "-config", "ca.cnf", "-selfsign", "-keyfile", "key.pem", "-in", "request.csr",
                    "-out", "cert.pem", "-notext", "-startdate", Self.stamp(notBefore), "-enddate",
                    Self.stamp(notAfter),
                ], in: directory)
            certificatePath = directory.appendingPathComponent("cert.pem").path
            keyPath = directory.appendingPathComponent("key.pem").path
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
        static func stamp(_ date: Date) -> String {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "UTC")
            formatter.dateFormat = "yyyyMMddHHmmss'Z'"
            return formatter.string(from: date)
        }

        /// A UTC calendar day, as the probe writes it.
        static func day(_ date: Date) -> String {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "UTC")
            formatter.dateFormat = "yyyy-MM-dd"
            return formatter.string(from: date)
        }
    }
}
