import Foundation
import GreenlightTestSupport
import Testing

@testable import GreenlightCanary

/// nginx (installed by `scripts/test`: Debian's nginx-light, with WebDAV PUT, gzip and the echo module)
/// as the router's upstream: a server the router did not write, framing its answers its own way.
struct NginxUpstream {
    let port: Int
    let root: String
    let process: ChildProcess

    static var executable: String? {
        ["/usr/sbin/nginx", "/usr/bin/nginx"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static func start(in folder: TemporaryFolder) async throws -> NginxUpstream {
        guard let nginx = executable else {
            throw CommandFailure("nginx is not installed: apt-get install -y nginx-light (scripts/test does)")
        }
        let port = Loopback.freePort()
        let root = folder.appending("www").path
        let temp = folder.appending("tmp").path
        try FileManager.default.createDirectory(atPath: root + "/dav", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: temp, withIntermediateDirectories: true)
        // One process (no master and worker), so that killing it leaves nothing behind. The echo module
        // is a dynamic module in Debian: load it when it is there.
        let echoModule = "/usr/lib/nginx/modules/ngx_http_echo_module.so"
        let hasEcho = FileManager.default.fileExists(atPath: echoModule)
        let config = """
            \(hasEcho ? "load_module \(echoModule);" : "")
            daemon off;
            master_process off;
            pid \(folder.appending("nginx.pid").path);
            error_log \(folder.appending("error.log").path) warn;
            events { worker_connections 1024; }
            http {
              access_log off;
              client_body_temp_path \(temp)/body;
              proxy_temp_path \(temp)/proxy;
              fastcgi_temp_path \(temp)/fastcgi;
              uwsgi_temp_path \(temp)/uwsgi;
              scgi_temp_path \(temp)/scgi;
              keepalive_requests 100000;
              client_max_body_size 0;
              server {
                listen 127.0.0.1:\(port);
                root \(root);
                location /dav/ { dav_methods PUT DELETE; create_full_put_path on; }
                location /gzip/ { gzip on; gzip_proxied any; gzip_min_length 1; gzip_types text/plain; }
                location = /status { stub_status; }
                \(hasEcho ? "location = /slow { echo_sleep 10; echo done; }" : "")
              }
            }
            """
        let configPath = folder.appending("nginx.conf").path
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
        let process = try ChildProcess(nginx, ["-c", configPath, "-p", folder.url.path, "-e", "stderr"])
        guard await Loopback.waitUntilListening(port) else {
            await process.kill()
            let log = (try? String(contentsOfFile: folder.appending("error.log").path, encoding: .utf8)) ?? ""
            throw CommandFailure("nginx did not start: \(log)")
        }
        return NginxUpstream(port: port, root: root, process: process)
    }

    /// Connections nginx has accepted (stub_status).
    func accepted() throws -> Int {
        let client = try RawClient(port: port)
        let text = try client.get("/status").text
        // "Active connections: N \nserver accepts handled requests\n A H R \n…"
        let lines = text.split(separator: "\n")
        guard lines.count >= 3, let accepts = lines[2].split(separator: " ").first.flatMap({ Int($0) }) else {
            throw CommandFailure("unreadable stub_status: \(text)")
        }
        return accepts
    }
}

@Suite("The canary router in front of nginx", .serialized)
struct RouterNginxTests {
    static func withNginxRouter(
        configure: (inout RouterConfiguration) -> Void = { _ in },
        _ body: (CanaryRouter, NginxUpstream, TemporaryFolder) async throws -> Void
    ) async throws {
        let folder = try TemporaryFolder("router-nginx")
        defer { folder.remove() }
        let nginx = try await NginxUpstream.start(in: folder)
        var config = RouterConfiguration(
            baseline: RouterUpstream(host: "127.0.0.1", port: nginx.port),
            canary: RouterUpstream(host: "127.0.0.1", port: nginx.port))
        config.threads = 2
        configure(&config)
        let router = try await CanaryRouter.start(config)
        do {
            try await body(router, nginx, folder)
        } catch {
            await router.stop()
            await nginx.process.kill()
            throw error
        }
        await router.stop()
        await nginx.process.kill()
    }

    @Test("bodies of 0 B, 1 MB and 100 MB up (PUT, content-length and chunked) and down, byte-exact")
    func bodies() async throws {
        try await Self.withNginxRouter { router, nginx, folder in
            let base = "http://127.0.0.1:\(router.port)"
            for size in [0, 1_000_000, 100_000_000] {
                let source = try RouterBodyTests.patternFile(folder, size)
                let digest = try RouterBodyTests.sha256(source)
                for chunked in [false, true] where !(chunked && size == 0) {
                    let name = "/dav/f-\(size)-\(chunked)"
                    var put = ["-f", "-T", source, "\(base)\(name)"]
                    if chunked { put += ["-H", "Transfer-Encoding: chunked"] }
                    _ = try RouterBodyTests.curl(put)
                    #expect(try RouterBodyTests.sha256(nginx.root + name) == digest, "PUT \(size), chunked \(chunked)")
                    let down = folder.appending("down").path
                    let headers = try RouterBodyTests.curl(["-f", "-D", "-", "-o", down, "\(base)\(name)"])
                    #expect(try RouterBodyTests.sha256(down) == digest, "GET \(size)")
                    #expect(headers.lowercased().contains("content-length: \(size)"))
                    #expect(headers.lowercased().contains("x-greenlight-arm: baseline"))
                }
            }
        }
    }

    @Test("a chunked answer (gzip), to HTTP/1.1 and to HTTP/1.0 clients, and HEAD of it")
    func chunkedAnswers() async throws {
        try await Self.withNginxRouter { router, nginx, folder in
            let text = String(repeating: "greenlight canary router\n", count: 20_000)
            try FileManager.default.createDirectory(atPath: nginx.root + "/gzip", withIntermediateDirectories: true)
            try text.write(toFile: nginx.root + "/gzip/a.txt", atomically: true, encoding: .utf8)
            let url = "http://127.0.0.1:\(router.port)/gzip/a.txt"
            for version in ["--http1.1", "--http1.0"] {
                let out = folder.appending("gz\(version)").path
                let headers = try RouterBodyTests.curl([version, "--compressed", "-D", "-", "-o", out, url])
                let body = try String(contentsOfFile: out, encoding: .utf8)
                #expect(body == text, "\(version)")
                #expect(headers.lowercased().contains("content-encoding: gzip"))
                if version == "--http1.1" {
                    #expect(headers.lowercased().contains("transfer-encoding: chunked"))
                } else {
                    // HTTP/1.0 has no chunks: unwrapped, and the close ends the body.
                    #expect(!headers.lowercased().contains("transfer-encoding"))
                    #expect(headers.lowercased().contains("connection: close"))
                }
            }
            let client = try RawClient(port: router.port)
            for _ in 0..<3 {
                let head = try client.get("/gzip/a.txt", headers: ["Accept-Encoding": "gzip"], method: "HEAD")
                #expect(head.status == 200)
                #expect(head.body.isEmpty)
            }
            #expect(try client.get("/gzip/a.txt").body.count == text.utf8.count)
        }
    }

    @Test("keep-alive: 400 requests from 20 clients reuse a few upstream connections")
    func keepAlive() async throws {
        try await Self.withNginxRouter { router, nginx, _ in
            try "ok".write(toFile: nginx.root + "/ok.txt", atomically: true, encoding: .utf8)
            let before = try nginx.accepted()
            for _ in 0..<20 {
                let client = try RawClient(port: router.port)
                for _ in 0..<20 { #expect(try client.get("/ok.txt").text == "ok") }
            }
            // Sequential clients on two event loops: one upstream connection per loop.
            let opened = try nginx.accepted() - before - 1  // less this stub_status request
            #expect(opened >= 1 && opened <= 2, "nginx accepted \(opened) connections")
        }
    }

    @Test("a slow nginx location times out with 504; a client leaving mid-upload leaves the router serving")
    func slowAndAbandoned() async throws {
        try await Self.withNginxRouter(configure: { $0.responseHeaderTimeout = .milliseconds(400) }) {
            router, nginx, _ in
            try "ok".write(toFile: nginx.root + "/ok.txt", atomically: true, encoding: .utf8)
            let client = try RawClient(port: router.port)
            let started = ContinuousClock.now
            #expect(try client.get("/slow").status == 504)
            #expect(ContinuousClock.now - started < .seconds(3))
            #expect(try client.get("/ok.txt").status == 200)
            for _ in 0..<5 {
                let uploader = try RawClient(port: router.port)
                try uploader.send("PUT /dav/partial HTTP/1.1\r\nHost: t\r\nContent-Length: 10000000\r\n\r\n")
                try uploader.send(String(repeating: "x", count: 1_000_000))
            }
            try await Task.sleep(for: .milliseconds(200))
            let after = try RawClient(port: router.port)
            for _ in 0..<20 { #expect(try after.get("/ok.txt").text == "ok") }
            #expect(!FileManager.default.fileExists(atPath: nginx.root + "/dav/partial"))
        }
    }
}
