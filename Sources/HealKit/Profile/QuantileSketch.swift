import Foundation

/// Quantiles of a numeric column in fixed memory: a DDSketch of logarithmic buckets with 2 % relative accuracy
/// (2 × 2,048 counters, 32 KiB, for magnitudes from 1e-18 to 1e18), so any quantile is within 2 % of a true value.
struct QuantileSketch {
    static let gamma = 1.02 / 0.98
    static let logGamma = log(gamma)
    static let offset = 1024
    private var positive = [Int](repeating: 0, count: 2 * QuantileSketch.offset)
    private var negative = [Int](repeating: 0, count: 2 * QuantileSketch.offset)
    private var zeros = 0
    private(set) var count = 0

    @inline(__always)
    private static func bucket(_ magnitude: Double) -> Int {
        let i = Int((log(magnitude) / logGamma).rounded(.up)) + offset
        return min(max(i, 0), 2 * offset - 1)
    }

    @inline(__always)
    private static func value(_ bucket: Int) -> Double {
        2 * pow(gamma, Double(bucket - offset)) / (gamma + 1)
    }

    @inline(__always)
    mutating func add(_ x: Double) {
        count += 1
        if x == 0 || !x.isFinite { zeros += 1 } else if x > 0 { positive[Self.bucket(x)] += 1 } else { negative[Self.bucket(-x)] += 1 }
    }

    /// The value at rank `q` (0…1) of the values added; nil when none were.
    func quantile(_ q: Double) -> Double? {
        guard count > 0 else { return nil }
        let rank = Int((q * Double(count - 1)).rounded(.down))
        var seen = 0
        for i in stride(from: negative.count - 1, through: 0, by: -1) where negative[i] > 0 {
            seen += negative[i]
            if seen > rank { return -Self.value(i) }
        }
        seen += zeros
        if seen > rank { return 0 }
        for i in positive.indices where positive[i] > 0 {
            seen += positive[i]
            if seen > rank { return Self.value(i) }
        }
        return nil
    }
}
