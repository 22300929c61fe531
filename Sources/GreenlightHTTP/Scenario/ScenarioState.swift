/// What a scenario carries from step to step.
package struct ScenarioState: Sendable {
    package var variables: [String: String]
    package var cookies = CookieJar()

    package init(variables: [String: String], cookies: CookieJar = CookieJar()) {
        self.variables = variables
        self.cookies = cookies
    }
}
