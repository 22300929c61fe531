import Testing

@testable import GreenlightDemo

struct MultipartTests {
    @Test func parsesPartsNamesAndFilenames() throws {
        var body = MultipartBody(boundary: "XyZ")
        body.addPart(name: "title", content: Array("hi".utf8))
        body.addPart(name: "file", filename: "report; final \"v2\".csv", content: Array("a,b\r\n1,2".utf8))
        let parts = try #require(Multipart.parse(body.finished(), boundary: "XyZ"))
        #expect(parts.count == 2)
        #expect(parts[0].name == "title")
        #expect(parts[0].filename == nil)
        #expect(Array(parts[0].body) == Array("hi".utf8))
        #expect(parts[1].name == "file")
        #expect(parts[1].filename == "report; final \"v2\".csv")
        #expect(Array(parts[1].body) == Array("a,b\r\n1,2".utf8))
        #expect(parts[1].headers["content-type"] == "application/octet-stream")
    }

    @Test func ignoresPreambleAndEpilogue() throws {
        let text = "preamble\r\n--b\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\ndata\r\n--b--\r\nepilogue"
        let parts = try #require(Multipart.parse(Array(text.utf8), boundary: "b"))
        #expect(parts.map(\.name) == ["file"])
        #expect(Array(parts[0].body) == Array("data".utf8))
    }

    @Test(arguments: [
        ("multipart/form-data; boundary=abc", "abc"),
        ("multipart/form-data; boundary=\"a b;c\"", "a b;c"),
        ("Multipart/Form-Data;charset=utf-8;BOUNDARY=----WebKitFormBoundary7MA4YWxk", "----WebKitFormBoundary7MA4YWxk"),
    ])
    func readsBoundary(contentType: String, boundary: String) {
        #expect(Multipart.isFormData(contentType: contentType))
        #expect(Multipart.boundary(fromContentType: contentType) == boundary)
    }

    @Test(arguments: [
        "",
        "--b",
        "--b\r\n",
        "--b\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nno closing delimiter",
        "--b\r\nno header end\r\n--b--",
        "--b\r\nBroken header line\r\n\r\nx\r\n--b--",
        "--bX\r\n\r\nx\r\n--b--",
        "garbage without delimiters",
        "\r\n\r\n\r\n--",
    ])
    func rejectsMalformedBodies(text: String) {
        #expect(Multipart.parse(Array(text.utf8), boundary: "b") == nil)
    }

    @Test func tooManyPartsIsMalformed() {
        var body = MultipartBody(boundary: "b")
        for index in 0...Multipart.maximumPartCount {
            body.addPart(name: "f\(index)", content: [1])
        }
        #expect(Multipart.parse(body.finished(), boundary: "b") == nil)
    }

    /// Random truncations and byte flips of a valid body never crash the parser.
    @Test func survivesMutatedInput() {
        var body = MultipartBody(boundary: "fuzz")
        body.addPart(name: "file", filename: "f.bin", content: Array("0123456789\r\n--fuzz".utf8))
        body.addPart(name: "other", content: Array("value".utf8))
        let valid = body.finished()
        var random = SeededRandom(seed: 7)
        var parsed = 0
        for _ in 0..<3000 {
            var mutated = valid
            switch random.next() % 3 {
            case 0:
                mutated = Array(mutated.prefix(Int(random.next() % UInt64(mutated.count))))
            case 1:
                for _ in 0..<(1 + random.next() % 4) {
                    mutated[Int(random.next() % UInt64(mutated.count))] = UInt8(truncatingIfNeeded: random.next())
                }
            default:
                let at = Int(random.next() % UInt64(mutated.count))
                mutated.insert(contentsOf: Array("\r\n--fuzz".utf8).prefix(Int(random.next() % 9)), at: at)
            }
            if let parts = Multipart.parse(mutated, boundary: "fuzz") {
                parsed += 1
                #expect(parts.allSatisfy { $0.body.count <= mutated.count })
            }
        }
        #expect(parsed > 0)
    }
}
