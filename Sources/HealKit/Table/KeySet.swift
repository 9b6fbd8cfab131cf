import Foundation

/// The keys a uniqueness rule has seen, stored compactly: every key's bytes once in 4 MiB pages, and an
/// open-addressing table of 4-byte slots plus a 1-byte hash tag. About 17 bytes for a 10-byte key where a
/// `Set<String>` takes 27, and growing never copies the keys, only the table.
public final class KeySet {
    private static let pageShift = 22
    private static let pageBytes = 1 << pageShift
    /// Slots address 4-byte units, so 32 bits reach 16 GiB of keys.
    private static let unitsPerPageShift = pageShift - 2

    private var pages: [UnsafeMutableRawPointer] = []
    private var pageSizes: [Int] = []
    private var used = KeySet.pageBytes
    private var slots: UnsafeMutablePointer<UInt32>
    private var tags: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    public private(set) var count = 0

    public init(capacity: Int = 1 << 12) {
        self.capacity = max(16, 1 << (Int.bitWidth - (capacity - 1).leadingZeroBitCount))
        slots = .allocate(capacity: self.capacity)
        slots.initialize(repeating: 0, count: self.capacity)
        tags = .allocate(capacity: self.capacity)
        tags.initialize(repeating: 0, count: self.capacity)
    }

    deinit {
        slots.deallocate()
        tags.deallocate()
        for page in pages { page.deallocate() }
    }

    /// Bytes held: the pages and the table.
    public var footprint: Int { pageSizes.reduce(0, +) + capacity * 5 }

    public func contains(_ key: UnsafeRawBufferPointer) -> Bool {
        let hash = KeySet.hash(key)
        return find(key, hash).found
    }

    /// Adds the key; false when it was already there.
    @discardableResult
    public func insert(_ key: UnsafeRawBufferPointer) -> Bool {
        let hash = KeySet.hash(key)
        let (found, slot) = find(key, hash)
        if found { return false }
        slots[slot] = store(key)
        tags[slot] = KeySet.tag(hash)
        count += 1
        if count * 4 > capacity * 3 { grow() }
        return true
    }

    private func find(_ key: UnsafeRawBufferPointer, _ hash: UInt64) -> (found: Bool, slot: Int) {
        let mask = capacity - 1
        let tag = KeySet.tag(hash)
        var i = Int(truncatingIfNeeded: hash) & mask
        while true {
            let entry = slots[i]
            if entry == 0 { return (false, i) }
            if tags[i] == tag && equals(entry, key) { return (true, i) }
            i = (i + 1) & mask
        }
    }

    /// A stored key: a LEB128 length, then its bytes.
    @inline(__always)
    private func stored(_ entry: UInt32) -> UnsafeRawBufferPointer {
        let unit = Int(entry - 1)
        let page = pages[unit >> KeySet.unitsPerPageShift]
        var p = page + (unit & ((1 << KeySet.unitsPerPageShift) - 1)) << 2
        var length = 0
        var shift = 0
        while true {
            let byte = p.load(as: UInt8.self)
            p += 1
            length |= Int(byte & 0x7F) << shift
            if byte < 0x80 { break }
            shift += 7
        }
        return UnsafeRawBufferPointer(start: p, count: length)
    }

    @inline(__always)
    private func equals(_ entry: UInt32, _ key: UnsafeRawBufferPointer) -> Bool {
        let other = stored(entry)
        guard other.count == key.count else { return false }
        guard let a = other.baseAddress, let b = key.baseAddress else { return true }
        return memcmp(a, b, key.count) == 0
    }

    private func store(_ key: UnsafeRawBufferPointer) -> UInt32 {
        var headerCount = 1
        var rest = key.count >> 7
        while rest > 0 {
            headerCount += 1
            rest >>= 7
        }
        let size = (headerCount + key.count + 3) & ~3
        if used + size > (pageSizes.last ?? 0) {
            // A key larger than a page gets a page of its own size (rounded to whole units).
            let bytes = max(KeySet.pageBytes, size)
            precondition(pages.count < (1 << (32 - KeySet.unitsPerPageShift)) - 1, "a uniqueness rule's keys passed 16 GiB")
            pages.append(.allocate(byteCount: bytes, alignment: 8))
            pageSizes.append(bytes)
            used = 0
        }
        var p = pages[pages.count - 1] + used
        var n = key.count
        repeat {
            p.storeBytes(of: UInt8(n & 0x7F) | (n >= 0x80 ? 0x80 : 0), as: UInt8.self)
            p += 1
            n >>= 7
        } while n > 0
        if let base = key.baseAddress { p.copyMemory(from: base, byteCount: key.count) }
        let unit = (pages.count - 1) << KeySet.unitsPerPageShift | used >> 2
        used += size
        return UInt32(unit + 1)
    }

    /// Doubles the table; keys stay where they are, only their slots move.
    private func grow() {
        let old = (slots, tags, capacity)
        capacity *= 2
        slots = .allocate(capacity: capacity)
        slots.initialize(repeating: 0, count: capacity)
        tags = .allocate(capacity: capacity)
        tags.initialize(repeating: 0, count: capacity)
        let mask = capacity - 1
        for i in 0..<old.2 where old.0[i] != 0 {
            let hash = KeySet.hash(stored(old.0[i]))
            var j = Int(truncatingIfNeeded: hash) & mask
            while slots[j] != 0 { j = (j + 1) & mask }
            slots[j] = old.0[i]
            tags[j] = old.1[i]
        }
        old.0.deallocate()
        old.1.deallocate()
    }

    /// Several fields as one key, each after its 4-byte length, so ("a,b", "c") and ("a", "b,c") stay apart.
    public static func composite(_ fields: [FieldBytes], into scratch: inout [UInt8]) {
        scratch.removeAll(keepingCapacity: true)
        for field in fields {
            withUnsafeBytes(of: UInt32(field.count)) { scratch.append(contentsOf: $0) }
            scratch.append(contentsOf: field.buffer)
        }
    }

    @inline(__always) private static func tag(_ hash: UInt64) -> UInt8 { UInt8(truncatingIfNeeded: hash >> 56) }

    /// A word-at-a-time multiply-xorshift hash with murmur's finaliser: fast on short keys, well mixed in the low bits.
    @inline(__always)
    static func hash(_ key: UnsafeRawBufferPointer) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(key.count)
        guard let base = key.baseAddress else { return finalise(h) }
        var i = 0
        while i + 8 <= key.count {
            h = (h ^ base.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0x9FB2_1C65_1E98_DF25
            h ^= h >> 29
            i += 8
        }
        if i < key.count {
            var word: UInt64 = 0
            for j in i..<key.count { word |= UInt64(base.load(fromByteOffset: j, as: UInt8.self)) << UInt64((j - i) * 8) }
            h = (h ^ word) &* 0x9FB2_1C65_1E98_DF25
            h ^= h >> 29
        }
        return finalise(h)
    }

    @inline(__always)
    private static func finalise(_ x: UInt64) -> UInt64 {
        var h = x
        h ^= h >> 33
        h = h &* 0xFF51_AFD7_ED55_8CCD
        h ^= h >> 33
        h = h &* 0xC4CE_B9FE_1A85_EC53
        h ^= h >> 33
        return h
    }
}
