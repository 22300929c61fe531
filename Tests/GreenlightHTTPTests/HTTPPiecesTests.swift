import Foundation
import GreenlightCore
import Testing

@testable import GreenlightHTTP

@Suite("HTTP pieces: exchange records, multipart bodies, cookies")
struct HTTPPiecesTests {
    @Test("an exchange hides credential headers, leaves other secrets to the boundary, and clips long bodies")
    func exchangeMasking() {
        let request = HTTPRequestRecord(
            method: "POST", url: "http://127.0.0.1:8080/login?key=s3cret-key",
            headers: [("Authorization", "Bearer abc.def"), ("Cookie", "session=xyz; theme=dark"), ("X-Trace", "t-1")],
            body: Data(#"{"password":"s3cret-key"}"#.utf8))
        let response = HTTPResponseRecord(
            status: 200, headers: [("Set-Cookie", "session=new; Path=/; HttpOnly")],
            body: Data(String(repeating: "a", count: 5000).utf8),
            seconds: 0.0123)
        let raw = HTTPExchange(request: request, response: response, error: nil).lines(bodyLimit: 100)
        #expect(raw[0] == "> POST http://127.0.0.1:8080/login?key=s3cret-key")  // masked at the boundary, not here
        let lines = raw.map(Redactor(secrets: ["s3cret-key"]).redact)
        #expect(lines[0] == "> POST http://127.0.0.1:8080/login?key=***")
        #expect(lines.contains("> Authorization: Bearer ***"))
        #expect(lines.contains("> Cookie: session=***; theme=***"))
        #expect(lines.contains("> X-Trace: t-1"))
        #expect(lines.contains(#"> {"password":"***"}"#))
        #expect(lines.contains("< 200 (12 ms)"))
        #expect(lines.contains("< Set-Cookie: session=***; Path=/; HttpOnly"))
        #expect(lines.last == "< … (5000 bytes in all)")
        #expect(!lines.joined().contains("abc.def") && !lines.joined().contains("xyz"))
    }

    @Test("a multipart body carries each part with its name, filename and type, closed by the boundary")
    func multipart() {
        let body = MultipartBody(
            parts: [
                .init(name: "note", data: Data("hi".utf8)),
                .init(name: "file", filename: "r.txt", contentType: "text/plain", data: Data("x\n".utf8)),
            ],
            boundary: "B")
        #expect(body.contentType == "multipart/form-data; boundary=B")
        #expect(
            String(decoding: body.encoded(), as: UTF8.self) == """
                --B\r
                Content-Disposition: form-data; name="note"\r
                \r
                hi\r
                --B\r
                Content-Disposition: form-data; name="file"; filename="r.txt"\r
                Content-Type: text/plain\r
                \r
                x
                \r
                --B--\r

                """)
    }

    @Test("cookies are kept per host and path, replaced, and removed by Max-Age=0")
    func cookies() {
        var jar = CookieJar()
        jar.store(setCookie: ["session=a; Path=/; HttpOnly", "pref=1; Path=/api"], host: "shop")
        #expect(jar.header(host: "shop", path: "/api/orders") == "session=a; pref=1")
        #expect(jar.header(host: "shop", path: "/") == "session=a")
        #expect(jar.header(host: "other", path: "/") == nil)
        jar.store(setCookie: ["session=b; Path=/"], host: "shop")
        #expect(jar.value(named: "session") == "b")
        jar.store(setCookie: ["session=; Max-Age=0; Path=/"], host: "shop")
        #expect(jar.header(host: "shop", path: "/") == nil)
    }
}
