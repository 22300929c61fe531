/// Which side of a percentage split a key falls on, the way Unleash's SDKs decide gradual rollouts, so
/// that greenlight's router, its flags and an OpenFeature/Unleash SDK put a user on the same side:
///
///     bucket = murmur3_x86_32("<group>:<key>" as UTF-8, seed 0), as unsigned, % 100, + 1   (1…100)
///     included when bucket <= percentage
///
/// Raising the percentage only adds keys (a key included at 5 % is included at 25 %), and a key never
/// changes side at a fixed percentage. Percentages are whole numbers from 0 to 100.
public enum StickyBucket {
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
