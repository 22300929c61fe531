import HTTPTypes

/// Header names HTTPTypes does not define (it already has `traceparent`).
extension HTTPField.Name {
    static let demoVersion = Self("X-Demo-Version")!
    static let rateLimitLimit = Self("RateLimit-Limit")!
    static let rateLimitRemaining = Self("RateLimit-Remaining")!
    static let rateLimitReset = Self("RateLimit-Reset")!
}
