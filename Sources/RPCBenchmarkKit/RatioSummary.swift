import Foundation

/// The RPC/raw ratios of rounds taken in turn, summarised so that the host's noise cannot pass
/// for a verdict.
///
/// On a shared virtual machine one round's ratio moves by ±20 points from the next, both ways,
/// so a single run "meets" or "misses" a goal by chance. The median of the rounds carries an
/// interval: the order statistics that hold the true median with at least 95 % probability,
/// whatever the rounds' distribution (the sign-test interval; it assumes only independent
/// rounds). A goal is met when the whole interval is at or above it, missed when the whole
/// interval is below, and undecided otherwise: more rounds narrow the interval.
public struct RatioSummary: Sendable, Equatable {
    public enum Verdict: String, Sendable {
        case met
        case notMet = "not met"
        case undecided
    }

    /// Each round's ratio, in the order taken.
    public let ratios: [Double]
    /// The middle round's ratio; the mean of the two middle ones for an even count.
    public let median: Double
    /// The 95 % interval of the median, or nil with fewer than 6 rounds (too few for one).
    public let interval: ClosedRange<Double>?

    public init(_ ratios: [Double]) {
        precondition(!ratios.isEmpty, "no rounds to summarise")
        self.ratios = ratios
        let sorted = ratios.sorted()
        let n = sorted.count
        median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
        let k = Self.orderStatistic(rounds: n)
        interval = k > 0 ? sorted[k - 1]...sorted[n - k] : nil
    }

    public func verdict(atLeast goal: Double) -> Verdict {
        guard let interval else { return .undecided }
        if interval.lowerBound >= goal { return .met }
        if interval.upperBound < goal { return .notMet }
        return .undecided
    }

    /// The largest k (1-based) such that the k-th smallest and k-th largest of n rounds bound
    /// the median with at least 95 % probability: P(Binomial(n, ½) < k) ≤ 2.5 %. Zero when
    /// no such k exists (n < 6).
    static func orderStatistic(rounds n: Int) -> Int {
        var k = 0
        var below = 0.0  // P(Binomial(n, ½) ≤ k - 1), i.e. P(X < k) for the next k
        while k < n / 2 {
            // P(X = k) = C(n, k) / 2^n, in logarithms so large n does not underflow.
            let term = exp(lgamma(Double(n + 1)) - lgamma(Double(k + 1)) - lgamma(Double(n - k + 1)) - Double(n) * log(2))
            guard below + term <= 0.025 else { break }
            below += term
            k += 1
        }
        return k
    }

    /// "median 74 % (95 % interval 66–79 %, 30 rounds)".
    public var description: String {
        let rounds = "\(ratios.count) round\(ratios.count == 1 ? "" : "s")"
        guard let interval else {
            return String(format: "median %.0f %% (%@; 6 or more give an interval)", 100 * median, rounds)
        }
        return String(
            format: "median %.0f %% (95 %% interval %.0f–%.0f %%, %@)",
            100 * median, 100 * interval.lowerBound, 100 * interval.upperBound, rounds
        )
    }
}
