import Foundation
import HealKit
import Testing

/// The uniqueness rule's compact key store against the standard library's Set, through many table growths.
@Suite("Key set")
struct KeySetTests {
    @Test func agreesWithSetThroughGrowth() {
        var rng = SplitMix(seed: 11)
        let keys = KeySet(capacity: 16)
        var reference = Set<[UInt8]>()
        for _ in 0..<200_000 {
            // Short keys collide often; some are empty, some span several words, a few exceed 127 bytes (2-byte length).
            let length = [0, 1, 3, 8, 10, 17, 130][Int(rng.next() % 7)]
            let key = (0..<length).map { _ in UInt8(rng.next() % 4) + 48 }
            let inserted = key.withUnsafeBytes { keys.insert($0) }
            #expect(inserted == reference.insert(key).inserted)
        }
        #expect(keys.count == reference.count)
        for key in reference.prefix(1000) { #expect(key.withUnsafeBytes { keys.contains($0) }) }
        #expect(!Array("absent".utf8).withUnsafeBytes { keys.contains($0) })
    }

    @Test func aKeyLargerThanAPageIsKeptWhole() {
        let keys = KeySet()
        let big = [UInt8](repeating: 7, count: 5 << 20)
        #expect(big.withUnsafeBytes { keys.insert($0) })
        var other = big
        other[other.count - 1] = 8
        #expect(!other.withUnsafeBytes { keys.contains($0) })
        #expect(!big.withUnsafeBytes { keys.insert($0) })
        #expect(Array("after".utf8).withUnsafeBytes { keys.insert($0) })
    }

    @Test func tenMillionBytesOfShortKeysStayCompact() {
        let keys = KeySet()
        for n in 0..<1_000_000 { _ = Array("S\(String(format: "%09d", n))".utf8).withUnsafeBytes { keys.insert($0) } }
        #expect(keys.count == 1_000_000)
        // 12 bytes of page per 10-byte key plus a 5-byte slot per table entry (2^21 entries at this count).
        #expect(keys.footprint <= 1_000_000 * 12 + (1 << 21) * 5 + (4 << 20))
    }
}
