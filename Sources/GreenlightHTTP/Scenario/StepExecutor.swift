import Foundation
import GreenlightCore
import GreenlightJSON

/// An assertion that did not hold: which, what was expected, what came.
package struct AssertionFailure: Sendable, Hashable {
    package var assertion: String
    package var expected: String
    package var actual: String
}

/// Sends one step's request (with retries) and checks its response.
package struct StepExecutor: Sendable {
    var step: SmokeStep
    var baseURL: String
    var directory: String
    var certificateDays: @Sendable (String, Int) async -> Result<Int, HTTPFailure>

    /// How long a step's request may take when the step sets no `timeout`.
    package static let defaultTimeout = Duration.seconds(10)

    package init(
        step: SmokeStep, baseURL: String, directory: String,
        certificateDays: @escaping @Sendable (String, Int) async -> Result<Int, HTTPFailure>
    ) {
        self.step = step
        self.baseURL = baseURL
        self.directory = directory
        self.certificateDays = certificateDays
    }

    package struct Outcome: Sendable {
        package var failures: [AssertionFailure] = []
        package var error: String?
        package var exchange: HTTPExchange?
        package var attempts = 0
        package var seconds = 0.0
        /// What the last attempt revealed as secrets: the values of the credential headers it sent,
        /// and captures whose names read as secrets. The caller hands them to the
        /// run's ``SecretSink`` so the redaction boundary masks them.
        package var secrets: [String] = []
    }

    /// How a step's request travels: the smoke runner's HTTPSession, or a load-test connection.
    package typealias Transport = @Sendable (HTTPRequestRecord, Duration) async throws -> HTTPResponseRecord

    package func run(_ state: inout ScenarioState, session: HTTPSession) async -> Outcome {
        await run(&state) { record, timeout in try await session.send(record, timeout: timeout) }
    }

    package func run(_ state: inout ScenarioState, transport: Transport) async -> Outcome {
        let attempts = step.retry?.attempts ?? 1
        let interval = step.retry?.interval.seconds ?? 1
        var outcome = Outcome()
        for attempt in 1...attempts {
            var trial = state
            outcome = await once(&trial, transport: transport)
            outcome.attempts = attempt
            if outcome.failures.isEmpty, outcome.error == nil {
                state = trial
                return outcome
            }
            if attempt < attempts { try? await Task.sleep(for: .milliseconds(Int64(interval * 1000))) }
        }
        return outcome
    }

    private func once(_ state: inout ScenarioState, transport: Transport) async -> Outcome {
        var outcome = Outcome()
        let record: HTTPRequestRecord
        do {
            record = try RequestBuilder(request: step.request, baseURL: baseURL, directory: directory)
                .build(variables: state.variables, cookies: state.cookies)
        } catch {
            outcome.error = "\(error)"
            return outcome
        }
        for header in record.headers {
            outcome.secrets += SecretSink.revealed(header: header.name, value: header.value)
        }
        let timeout =
            step.timeout.map { Duration.milliseconds(Int64($0.seconds * 1000)) } ?? Self.defaultTimeout
        let response: HTTPResponseRecord
        do {
            response = try await transport(record, timeout)
        } catch {
            outcome.error = (error as? HTTPFailure)?.description ?? "\(error)"
            outcome.exchange = HTTPExchange(request: record, response: nil, error: outcome.error)
            return outcome
        }
        outcome.seconds = response.seconds
        outcome.exchange = HTTPExchange(request: record, response: response, error: nil)
        let url = URLComponents(string: record.url)
        state.cookies.store(setCookie: response.headers("Set-Cookie"), host: url?.host ?? "")

        // Captures first, so the step's own assertions may use them.
        var json: JSONValue?? = nil
        func body() -> JSONValue? {
            if json == nil { json = .some(try? JSONValue(parsing: response.body)) }
            return json!
        }
        for (name, capture) in step.capture {
            switch Captures.value(capture.source, response: response, json: body) {
            case .success(let value):
                state.variables[name] = value
                if SecretSink.isSecretName(name) { outcome.secrets.append(value) }
            case .failure(let problem):
                outcome.failures.append(
                    AssertionFailure(assertion: "capture \(name)", expected: problem.expected, actual: problem.actual))
            }
        }
        if let expect = step.expect {
            // Assertions first: a wrong status explains a failed capture, not the other way round.
            outcome.failures.insert(
                contentsOf: await Assertions(
                    expect: expect, variables: state.variables, certificateDays: certificateDays
                )
                .check(response, url: url, json: body), at: 0)
        }
        return outcome
    }
}

/// Turns a step's request spec into the exact request to send.
package struct RequestBuilder: Sendable {
    var request: HTTPRequestSpec
    var baseURL: String
    var directory: String

    package init(request: HTTPRequestSpec, baseURL: String, directory: String) {
        self.request = request
        self.baseURL = baseURL
        self.directory = directory
    }

    struct BuildError: Error, CustomStringConvertible {
        var description: String
    }

    package func build(variables: [String: String], cookies: CookieJar) throws -> HTTPRequestRecord {
        func fill(_ text: String) throws -> String {
            do {
                return try Template.render(text, variables)
            } catch {
                throw BuildError(description: "{{\(error.name)}} has no value: no earlier step captured it")
            }
        }
        var url: String
        if let absolute = request.url {
            url = try fill(absolute)
        } else {
            let path = try fill(request.path ?? "/")
            url = baseURL.hasSuffix("/") && path.hasPrefix("/") ? String(baseURL.dropLast()) + path : baseURL + path
        }
        if !request.query.isEmpty {
            var components = URLComponents(string: url)
            var items = components?.queryItems ?? []
            for (key, value) in request.query {
                items.append(URLQueryItem(name: try fill(key), value: try fill(value)))
            }
            components?.queryItems = items
            url = components?.string ?? url
        }
        var headers: [(name: String, value: String)] = [("User-Agent", "greenlight/\(GreenlightVersion.current)")]
        for (name, value) in request.headers { headers.append((name, try fill(value))) }
        if let problem = HTTPFieldSyntax.problem(method: request.method, headers: headers) {
            throw BuildError(description: problem)
        }
        func setDefault(_ name: String, _ value: String) {
            if !headers.contains(where: { $0.name.caseInsensitiveCompare(name) == .orderedSame }) {
                headers.append((name, value))
            }
        }
        var body = Data()
        if let json = request.json {
            body = Data(try Self.fill(json, fill).serialized().utf8)
            setDefault("Content-Type", "application/json")
        } else if !request.form.isEmpty {
            var components = URLComponents()
            components.queryItems = try request.form.map { URLQueryItem(name: $0.key, value: try fill($0.value)) }
            body = Data((components.percentEncodedQuery ?? "").replacingOccurrences(of: "+", with: "%2B").utf8)
            setDefault("Content-Type", "application/x-www-form-urlencoded")
        } else if !request.multipart.isEmpty {
            var parts: [MultipartBody.Part] = []
            for part in request.multipart {
                if let file = part.file {
                    let path = SpecPath.resolve(try fill(file), in: directory)
                    guard let data = FileManager.default.contents(atPath: path) else {
                        throw BuildError(
                            description:
                                "cannot read \(file) for the multipart part '\(part.name)' (looked for \(path))")
                    }
                    parts.append(
                        .init(
                            name: part.name, filename: (path as NSString).lastPathComponent,
                            contentType: part.contentType, data: data))
                } else {
                    parts.append(
                        .init(
                            name: part.name, contentType: part.contentType, data: Data(try fill(part.value ?? "").utf8))
                    )
                }
            }
            let multipart = MultipartBody(parts: parts)
            body = multipart.encoded()
            setDefault("Content-Type", multipart.contentType)
        } else if let raw = request.body {
            body = Data(try fill(raw).utf8)
        }
        if let host = URLComponents(string: url)?.host,
            let cookie = cookies.header(host: host, path: URLComponents(string: url)?.path ?? "/")
        {
            headers.append(("Cookie", cookie))
        }
        return HTTPRequestRecord(method: request.method, url: url, headers: headers, body: body)
    }

    /// Fills placeholders in every string of a JSON body; a string that is exactly one placeholder stays a string.
    static func fill(_ value: JSONValue, _ fill: (String) throws -> String) throws -> JSONValue {
        switch value {
        case .string(let text): return .string(try fill(text))
        case .array(let items): return .array(try items.map { try Self.fill($0, fill) })
        case .object(let pairs): return .object(try pairs.map { ($0.0, try Self.fill($0.1, fill)) })
        default: return value
        }
    }
}
