import Foundation

/// The shapes a column's values take: each byte by its class (`A` upper, `a` lower, `9` digit, `~` beyond ASCII,
/// anything else itself), so `P00075` is `A99999` and `Franklin SC #8` is `Aaaaaaaa AA #9`. A letter every value of
/// a shape shares is kept as itself (`P99999`), which tells product ids from customer ids of the same length.
///
/// Bounded: at most `ShapeTally.cap` shapes of at most `ShapeTally.maxLength` bytes; other values are counted only.
final class ShapeTally {
    static let cap = 32
    static let maxLength = 32

    struct Entry {
        var hash: UInt64
        var count: Int
        var classes: [UInt8]
        /// The first value's bytes, and a bit per position still shared by every value (letters only).
        var first: [UInt8]
        var shared: UInt32
    }

    private(set) var entries: [Entry] = []
    /// Values longer than `maxLength` or of a shape past the cap.
    private(set) var other = 0
    private var lastHash: UInt64 = 0
    private var lastIndex = -1

    static let classOf: [UInt8] = (0..<256).map { b -> UInt8 in
        switch b {
        case 48...57: return 57
        case 65...90: return 65
        case 97...122: return 97
        case 128...255: return 126
        default: return UInt8(b)
        }
    }

    @inline(__always)
    func add(_ f: FieldBytes) {
        let n = f.count
        guard n <= Self.maxLength else {
            other += 1
            return
        }
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325 ^ UInt64(n)
        Self.classOf.withUnsafeBufferPointer { table in
            for i in 0..<n { hash = (hash ^ UInt64(table[Int(f[i])])) &* 0x0000_0100_0000_01B3 }
        }
        let index: Int
        if hash == lastHash && lastIndex >= 0 {
            index = lastIndex
        } else if let found = entries.firstIndex(where: { $0.hash == hash }) {
            index = found
        } else {
            guard entries.count < Self.cap else {
                other += 1
                return
            }
            let classes = (0..<n).map { Self.classOf[Int(f[$0])] }
            var letters: UInt32 = 0
            for (i, c) in classes.enumerated() where c == 65 || c == 97 { letters |= 1 << UInt32(i) }
            entries.append(Entry(hash: hash, count: 0, classes: classes, first: Array(f.buffer), shared: letters))
            index = entries.count - 1
        }
        lastHash = hash
        lastIndex = index
        entries[index].count += 1
        var shared = entries[index].shared
        guard shared != 0 else { return }
        entries[index].first.withUnsafeBufferPointer { first in
            var bits = shared
            while bits != 0 {
                let i = bits.trailingZeroBitCount
                if first[i] != f[i] { shared &= ~(1 << UInt32(i)) }
                bits &= bits - 1
            }
        }
        entries[index].shared = shared
    }

    /// The shapes, commonest first, as a profile keeps them.
    var shapes: [ValueShape] {
        entries.sorted { $0.count > $1.count || ($0.count == $1.count && $0.classes.lexicographicallyPrecedes($1.classes)) }.map { e in
            let literals = e.classes.indices.map { i in e.shared & (1 << UInt32(i)) != 0 ? e.first[i] : UInt8(ascii: ".") }
            return ValueShape(
                shape: String(decoding: e.classes, as: UTF8.self),
                literals: String(decoding: literals, as: UTF8.self),
                count: e.count
            )
        }
    }
}

/// One shape of a column's values and how many values had it.
public struct ValueShape: Codable, Sendable, Equatable {
    /// Classes only: `A99999`.
    public var shape: String
    /// Per position, the letter every value shared, or `.`: `P.....`.
    public var literals: String
    public var count: Int

    /// `P99999`: the shape with its shared letters.
    public var form: String {
        String(zip(shape, literals).map { $1 == "." ? $0 : $1 })
    }

    /// Whether values of `self` fit a shape history knew: the same classes, and every letter history always saw
    /// at a position is still there.
    func fits(_ known: ValueShape) -> Bool {
        guard shape == known.shape else { return false }
        for (mine, theirs) in zip(literals, known.literals) where theirs != "." && mine != theirs { return false }
        return true
    }

    /// Two days' view of one shape: a letter stays shared only where both shared the same one.
    func merged(with other: ValueShape) -> ValueShape {
        let literals = String(zip(self.literals, other.literals).map { $0 == $1 ? $0 : "." })
        return ValueShape(shape: shape, literals: literals, count: count + other.count)
    }
}
