/// Which side of a percentage split a key falls on, the way Unleash's SDKs decide gradual rollouts, so
/// that greenlight's router, its flags and an OpenFeature/Unleash SDK put a user on the same side:
///
///     bucket = murmur3_x86_32("<group>:<key>" as UTF-8, seed 0), as unsigned, % 100, + 1   (1…100)
///     included when bucket <= percentage
///
/// Raising the percentage only adds keys (a key included at 5 % is included at 25 %), and a key never
/// changes side at a fixed percentage. Flags use whole percentages, as the SDKs do.
///
/// The router also takes fractions of a percent, down to 0.01 % (a first canary step of 0.5 %). For those
/// the bucket is extended by a second pair of digits from the same hash:
///
///     position = (bucket - 1) × 100 + (hash / 100) % 100 + 1                              (1…10000)
///     included when position <= percentage × 100
///
/// At a whole percentage this is the rule above (position ≤ 100·p exactly when bucket ≤ p), so the
/// router and the SDKs still agree there; between whole percentages it splits the next bucket's users,
/// and raising the percentage still only adds keys.
public enum StickyBucket {
    /// The position of `key` in `group`: 1 to 10,000, extending ``bucket(group:key:)`` to hundredths of
    /// a percent.
    public static func position(group: String, key: String) -> Int {
        let hash = murmur3_x86_32(Array("\(group):\(key)".utf8), seed: 0)
        return Int(hash % 100) * 100 + Int((hash / 100) % 100) + 1
    }

    /// Whether `key` is in the first `percentage` percent of `group`, to hundredths of a percent.
    public static func includes(group: String, key: String, fraction percentage: Double) -> Bool {
        position(group: group, key: key) <= Int((percentage * 100).rounded())
    }

    /// The bucket of `key` in `group`: 1 to 100.
    public static func bucket(group: String, key: String) -> Int {
        Int(murmur3_x86_32(Array("\(group):\(key)".utf8), seed: 0) % 100) + 1
    }

    /// Whether `key` is in the first `percentage` percent of `group`.
    public static func includes(group: String, key: String, percentage: Int) -> Bool {
        percentage > 0 && bucket(group: group, key: key) <= percentage
    }

    /// MurmurHash3, x86 32-bit variant (Austin Appleby's public-domain algorithm).
    public static func murmur3_x86_32(_ bytes: [UInt8], seed: UInt32) -> UInt32 {
        let c1: UInt32 = 0xcc9e_2d51
        let c2: UInt32 = 0x1b87_3593
        var h = seed
        let blocks = bytes.count / 4
        for index in 0..<blocks {
            let at = index * 4
            var k =
                UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16
                | UInt32(bytes[at + 3]) << 24
            k &*= c1
            k = k << 15 | k >> 17
            k &*= c2
            h ^= k
            h = h << 13 | h >> 19
            h = h &* 5 &+ 0xe654_6b64
        }
        let tail = blocks * 4
        var k: UInt32 = 0
        switch bytes.count & 3 {
        case 3:
            k ^= UInt32(bytes[tail + 2]) << 16
            fallthrough
        case 2:
            k ^= UInt32(bytes[tail + 1]) << 8
            fallthrough
        case 1:
            k ^= UInt32(bytes[tail])
            k &*= c1
            k = k << 15 | k >> 17
            k &*= c2
            h ^= k
        default: break
        }
        h ^= UInt32(truncatingIfNeeded: bytes.count)
        h ^= h >> 16
        h &*= 0x85eb_ca6b
        h ^= h >> 13
        h &*= 0xc2b2_ae35
        h ^= h >> 16
        return h
    }
}
