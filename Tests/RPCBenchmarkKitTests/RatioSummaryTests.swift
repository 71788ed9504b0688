import Testing

@testable import RPCBenchmarkKit

@Suite struct RatioSummaryTests {
    @Test(arguments: [
        // rounds, k: the sign test's order statistic, from the binomial table
        (5, 0), (6, 1), (8, 1), (9, 2), (10, 2), (20, 6), (30, 10), (50, 18), (100, 40),
    ])
    func orderStatisticBoundingTheMedianAt95Percent(rounds: Int, k: Int) {
        #expect(RatioSummary.orderStatistic(rounds: rounds) == k)
    }

    @Test func medianOfAnEvenCountIsTheMeanOfTheTwoMiddleRounds() {
        #expect(RatioSummary([0.6, 0.9, 0.7, 0.8]).median == 0.75)
        #expect(RatioSummary([0.9, 0.6, 0.7]).median == 0.7)
    }

    @Test func intervalIsTheKthSmallestAndKthLargestRound() throws {
        // 30 rounds: k = 10, so the 10th smallest and the 10th largest (21st smallest).
        let ratios = (1...30).map { Double($0) / 100 }.shuffled()
        let interval = try #require(RatioSummary(ratios).interval)
        #expect(interval == 0.10...0.21)
    }

    @Test func fewerThanSixRoundsGiveNoIntervalAndNoVerdict() {
        let summary = RatioSummary([0.9, 0.95, 0.99, 0.97, 0.92])
        #expect(summary.interval == nil)
        #expect(summary.verdict(atLeast: 0.7) == .undecided)
    }

    @Test(arguments: [
        // lowest and highest of ten rounds; k = 2 keeps the second of each end
        ([0.50, 0.71, 0.72, 0.74, 0.75, 0.76, 0.78, 0.80, 0.85, 0.99], RatioSummary.Verdict.met),
        ([0.50, 0.69, 0.72, 0.74, 0.75, 0.76, 0.78, 0.80, 0.85, 0.99], .undecided),
        ([0.40, 0.50, 0.55, 0.60, 0.62, 0.64, 0.66, 0.68, 0.69, 0.99], .notMet),
        ([0.40, 0.50, 0.55, 0.60, 0.62, 0.64, 0.66, 0.68, 0.70, 0.99], .undecided),
    ])
    func verdictNeedsTheWholeIntervalOnOneSideOfTheGoal(ratios: [Double], verdict: RatioSummary.Verdict) {
        #expect(RatioSummary(ratios).verdict(atLeast: 0.7) == verdict)
    }
}
