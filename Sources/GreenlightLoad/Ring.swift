/// A FIFO of (intended start, arrival number) pairs without per-element allocation.
struct Ring {
    private var storage = [(UInt64, UInt64)](repeating: (0, 0), count: 64)
    private var head = 0
    private var count = 0

    var isEmpty: Bool { count == 0 }
    var first: (UInt64, UInt64)? { count == 0 ? nil : storage[head] }

    mutating func append(_ a: UInt64, _ b: UInt64) {
        if count == storage.count {
            var grown = [(UInt64, UInt64)]()
            grown.reserveCapacity(storage.count * 2)
            for i in 0..<count { grown.append(storage[(head + i) % storage.count]) }
            grown += [(UInt64, UInt64)](repeating: (0, 0), count: storage.count)
            storage = grown
            head = 0
        }
        storage[(head + count) % storage.count] = (a, b)
        count += 1
    }

    mutating func removeFirst() {
        head = (head + 1) % storage.count
        count -= 1
    }
}
