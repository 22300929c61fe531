/// The shop's accounts: `demo@example.com` and `user1@example.com` … `user1000@example.com`.
enum Users {
    static let demoUser = "demo@example.com"
    static let numberedUserCount = 1000

    /// Whether `password` is the password of `user`.
    ///
    /// `demo@example.com` has `demo-password`; `userN@example.com` has `pass-N`.
    static func authenticate(user: String, password: String) -> Bool {
        if user == demoUser {
            return password == "demo-password"
        }
        guard let number = numberedUser(user) else { return false }
        return password == "pass-\(number)"
    }

    /// N for `userN@example.com` when 1 ≤ N ≤ 1000, written without leading zeros.
    private static func numberedUser(_ user: String) -> Int? {
        guard user.hasPrefix("user"), user.hasSuffix("@example.com") else { return nil }
        let digits = user.dropFirst("user".count).dropLast("@example.com".count)
        guard let number = Int(digits), String(number) == digits, (1...numberedUserCount).contains(number) else {
            return nil
        }
        return number
    }
}
