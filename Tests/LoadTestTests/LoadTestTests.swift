import Foundation
import CRMAPI
import Histogram
import NIOCore
@testable import LoadTest
import RPCCore
import RPCTransportTCP
import Synchronization
import Testing
import Wire

@Suite struct FailConditionTests {
    static func report(calls: Int, errors: Int, micros: [UInt64], seconds: Double = 1) -> LoadReport {
        var report = LoadReport(
            method: "m", target: "t", concurrency: 1, connections: 1, targetRate: nil, calls: calls,
            errorsByCode: errors > 0 ? ["UNAVAILABLE": errors] : [:], seconds: seconds, interrupted: false,
            histogram: .init(highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .three)
        )
        for value in micros { _ = report.histogram.record(value) }
        return report
    }

    @Test(arguments: [
        ("p99>5ms", [UInt64](repeating: 1000, count: 98) + [9000, 9000], true),
        ("p99>5ms", [UInt64](repeating: 1000, count: 100), false),
        ("p50 >= 1ms", [UInt64](repeating: 1000, count: 10), true),
        ("max>2s", [3_000_000], true),
        ("p99.9<100us", [50], true),
    ])
    func latencyBounds(expression: String, micros: [UInt64], violated: Bool) throws {
        let condition = try FailCondition(parsing: expression)
        #expect(condition.isViolated(by: Self.report(calls: micros.count, errors: 0, micros: micros)) == violated)
    }

    @Test func errorRateAndRateBounds() throws {
        let report = Self.report(calls: 200, errors: 3, micros: [100], seconds: 2)
        #expect(try FailCondition(parsing: "error-rate>1%").isViolated(by: report))
        #expect(try !FailCondition(parsing: "error-rate>2%").isViolated(by: report))
        #expect(try FailCondition(parsing: "rps<1000").isViolated(by: report))
        #expect(try !FailCondition(parsing: "rps<50").isViolated(by: report))
    }

    @Test(arguments: ["p99", "p99>5", "p101>1ms", "error-rate>1", "latency>1ms", "rps<fast"])
    func malformedExpressionsAreRefused(expression: String) {
        #expect(throws: LoadTestError.self) { try FailCondition(parsing: expression) }
    }
}

@Suite struct RequestTemplateTests {
    @Test func placeholdersAreFilledFromCSVRowsAndEncoded() throws {
        let rows = RequestTemplate.csvRows("payload,other\nAQI=,x\nAwQ=,y\n")
        let bodies = try RequestTemplate(text: #"{"payload": "{{payload}}"}"#).render(as: RPCV1.EchoMessage.self, count: 3, rows: rows)
        let decoded = try bodies.map { try RPCV1.EchoMessage(serializedBytes: $0).payload }
        #expect(decoded == [[1, 2], [3, 4], [1, 2]])
    }

    @Test func aTemplateThatIsNotTheMessageIsRefused() {
        #expect(throws: LoadTestError.self) {
            _ = try RequestTemplate(text: #"{"payload": 12"#).render(as: RPCV1.EchoMessage.self, count: 1)
        }
    }

    @Test func aPlaceholderNobodyKnowsStopsTheRunAndIsNamed() {
        #expect {
            _ = try RequestTemplate(text: #"{"service": "{{phon}}"}"#).render(as: RPCV1.HealthCheckRequest.self, count: 1)
        } throws: { error in
            "\(error)".contains("{{phon}}")
        }
    }

    @Test func aFieldTheMessageDoesNotHaveStopsTheRunAndIsNamed() {
        #expect {
            _ = try RequestTemplate(text: #"{"servise": "x"}"#).render(as: RPCV1.HealthCheckRequest.self, count: 1)
        } throws: { error in
            "\(error)".contains("«servise»")
        }
        // Nested: a misspelt field of the booking's date.
        #expect {
            _ = try RequestTemplate(text: #"{"date": {"year": 2027, "dya": 3}}"#).render(as: SchedulingV1.BookVisitRequest.self, count: 1)
        } throws: { error in
            "\(error)".contains("«date.dya»")
        }
    }

    @Test func integersMayBeWrittenAsStringsOrNumbers() throws {
        let asString = try RequestTemplate(text: #"{"cardId": "{{seq}}", "date": {"year": "2027"}}"#)
            .render(as: SchedulingV1.BookVisitRequest.self, count: 3)
        let asNumber = try RequestTemplate(text: #"{"cardId": {{seq}}, "date": {"year": 2027}}"#)
            .render(as: SchedulingV1.BookVisitRequest.self, count: 3)
        #expect(asString == asNumber)
        #expect(try SchedulingV1.BookVisitRequest(serializedBytes: asString[2]).cardID == 2)
        #expect(throws: (any Error).self) {
            _ = try RequestTemplate(text: #"{"cardId": "seventeen"}"#).render(as: SchedulingV1.BookVisitRequest.self, count: 1)
        }
    }

    @Test(arguments: [
        ("{{random 5 5}}", "5"), ("{{now}}", "1000000"), ("{{now+2h}}", "8200000"), ("{{now-1s}}", "999000"),
        ("{{ seq }}", "3"),
    ])
    func builtInPlaceholders(placeholder: String, expected: String) throws {
        var random = SystemRandomNumberGenerator()
        #expect(try RequestTemplate(text: placeholder).fill(row: [:], index: 3, nowMs: 1_000_000, random: &random) == expected)
    }

    @Test(arguments: ["{{random 5}}", "{{random 9 1}}", "{{now+2w}}", "{{now*2h}}", "{{uuid"])
    func malformedPlaceholdersAreRefused(placeholder: String) {
        var random = SystemRandomNumberGenerator()
        #expect(throws: LoadTestError.self) {
            try RequestTemplate(text: placeholder).fill(row: [:], index: 0, nowMs: 0, random: &random)
        }
    }

    @Test func cardPlaceholdersComeFromThePreparedCardsAndAgreeWithinARequest() throws {
        let cards = PreparedCards(cards: [.init(id: 7, phones: ["9160000007"]), .init(id: 9, phones: ["9160000009", "9260000009"])])
        var random = SystemRandomNumberGenerator()
        let template = RequestTemplate(text: "{{card}}:{{card.phone}}", cards: cards)
        #expect(template.needsCards)
        let filled = try (0..<4).map { try template.fill(row: [:], index: $0, nowMs: 0, random: &random) }
        #expect(filled == ["7:9160000007", "9:9160000009", "7:9160000007", "9:9260000009"])
        #expect(throws: LoadTestError.self) {
            try RequestTemplate(text: "{{card}}").fill(row: [:], index: 0, nowMs: 0, random: &random)
        }
    }

    @Test func uuidsDiffer() throws {
        var random = SystemRandomNumberGenerator()
        let template = RequestTemplate(text: "{{uuid}}")
        let first = try template.fill(row: [:], index: 0, nowMs: 0, random: &random)
        #expect(first.count == 36)
        #expect(try first != template.fill(row: [:], index: 1, nowMs: 0, random: &random))
    }

    @Test(arguments: [
        ("crm.registry.v1.ClientRegistry.SearchByPhone", "crm.registry.v1.ClientRegistry/SearchByPhone"),
        ("crm.registry.v1.ClientRegistry/SearchByPhone", "crm.registry.v1.ClientRegistry/SearchByPhone"),
    ])
    func bothMethodSpellings(given: String, canonical: String) {
        #expect(APICatalog.canonicalName(given) == canonical)
        #expect(APICatalog.method(named: APICatalog.canonicalName(given)) != nil)
    }

    @Test func describeListsFieldsTypesNestedMessagesAndAnExampleThatRenders() throws {
        let text = MessageDescription.describe(SchedulingV1.BookVisitRequest.self)
        #expect(text.contains("cardId                   int64"))
        #expect(text.contains("date                     crm.types.v1.Date"))
        #expect(text.contains("    year                     int32"))
        // The printed example is a valid template for the method.
        let example = String(text[text.range(of: "{")!.lowerBound...])
        let bodies = try RequestTemplate(text: example).render(as: SchedulingV1.BookVisitRequest.self, count: 1)
        #expect(bodies.count == 1)
    }

    @Test func syntheticPhonesDifferPerRow() throws {
        let bodies = try RequestTemplate(text: #"{"service": "{{phone}}"}"#).render(as: RPCV1.HealthCheckRequest.self, count: 50)
        let phones = Set(try bodies.map { try RPCV1.HealthCheckRequest(serializedBytes: $0).service })
        #expect(phones.count == 50)
        #expect(phones.allSatisfy { $0.count == 10 && $0.hasPrefix("9") })
    }
}

@Suite struct LoadRunnerTests {
    @Test func aTotalRunMakesExactlyThatManyMeasuredCallsAndCountsErrorsByCode() async throws {
        try await withLoadServer { port in
            let body = try RPCV1.EchoMessage(payload: [1, 2, 3]).serializedBytes()
            let ok = try await LoadRunner(.init(
                host: "127.0.0.1", port: port, method: "crm.rpc.v1.Echo/Echo", bodies: [body],
                concurrency: 8, connections: 2, duration: nil, total: 500
            )).run()
            #expect(ok.calls == 500)
            #expect(ok.errors == 0)
            #expect(ok.histogram.totalCount == 500)

            let missing = try await LoadRunner(.init(
                host: "127.0.0.1", port: port, method: "crm.nope.v1.Nope/Nope", bodies: [body],
                concurrency: 4, duration: nil, total: 40, preflight: false
            )).run()
            #expect(missing.calls == 40)
            #expect(missing.errorsByCode == ["UNIMPLEMENTED": 40])
        }
    }

    @Test func aScenariosCallsCarryThePerCallDeadline() async throws {
        try await withLoadServer { port in
            // The echo answers at once; a deadline already spent makes every call fail, which
            // only happens if the scenario's client carries the run's deadline.
            let seen = Mutex<[Duration?]>([])
            let report = try await LoadRunner(.init(
                host: "127.0.0.1", port: port, method: "scenario", bodies: [],
                concurrency: 2, duration: nil, total: 10, timeout: .nanoseconds(1),
                iteration: { client, _, _ in
                    seen.withLock { $0.append(client.defaultTimeout) }
                    _ = try await RPCV1.Echo.Client(wrapping: client).echo(RPCV1.EchoMessage(payload: [1]))
                },
                preflight: false
            )).run()
            #expect(seen.withLock { $0.allSatisfy { $0 == .nanoseconds(1) } })
            #expect(report.errorsByCode == ["DEADLINE_EXCEEDED": 10])
        }
    }

    @Test func anOpenLoopRunReportsItsTargetRate() async throws {
        try await withLoadServer { port in
            let body = try RPCV1.EchoMessage(payload: [9]).serializedBytes()
            let report = try await LoadRunner(.init(
                host: "127.0.0.1", port: port, method: "crm.rpc.v1.Echo/Echo", bodies: [body],
                concurrency: 4, duration: nil, total: 50, rate: 500
            )).run()
            #expect(report.calls == 50)
            #expect(report.targetRate == 500)
            #expect(report.text().contains("open loop"))
            #expect(report.csv().split(separator: "\n").count == 2)
        }
    }
}

@Suite struct LoadRunnerOutcomeTests {
    @Test func expectedRefusalsAreCountedUnderTheirNameNotAsDoneOrErrors() async throws {
        try await withLoadServer { port in
            let report = try await LoadRunner(.init(
                host: "127.0.0.1", port: port, method: "scenario", bodies: [], concurrency: 2, duration: nil, total: 40,
                iteration: { client, _, iteration in
                    _ = try await RPCV1.Echo.Client(wrapping: client).echo(RPCV1.EchoMessage(payload: [1]))
                    if iteration % 2 == 1 { throw ExpectedRefusal("slot full") }
                }
            )).run()
            #expect(report.calls == 40)
            #expect(report.errors == 0)
            #expect(report.expectedByName == ["slot full": 20])
            #expect(report.statusRows().map(\.status) == ["OK", "expected: slot full"])
            #expect(report.statusRows().map(\.count) == [20, 20])
            #expect(report.text().contains("expected: slot full"))
        }
    }

    @Test func aFailingPreflightStopsTheRunWithTheServersStatusAndMessage() async throws {
        try await withLoadServer { port in
            let body = try RPCV1.EchoMessage(payload: [1]).serializedBytes()
            await #expect {
                _ = try await LoadRunner(.init(host: "127.0.0.1", port: port, method: "crm.nope.v1.Nope/Nope", bodies: [body], total: 10)).run()
            } throws: { error in
                (error as? PreflightError)?.code == "UNIMPLEMENTED"
            }
            let made = Atomic<Int>(0)
            await #expect {
                _ = try await LoadRunner(.init(
                    host: "127.0.0.1", port: port, method: "scenario", bodies: [], total: 10,
                    iteration: { _, _, _ in
                        made.add(1, ordering: .relaxed)
                        throw RPCError(code: .permissionDenied, message: "Только для коллекторов")
                    }
                )).run()
            } throws: { error in
                let preflight = error as? PreflightError
                return preflight?.code == "PERMISSION_DENIED" && preflight?.message == "Только для коллекторов"
            }
            #expect(made.load(ordering: .relaxed) == 1, "nothing runs after a failed preflight")
        }
    }

    @Test func errorCodesKeepOneSampleMessageEach() async throws {
        try await withLoadServer { port in
            let report = try await LoadRunner(.init(
                host: "127.0.0.1", port: port, method: "scenario", bodies: [], concurrency: 1, duration: nil, total: 6,
                iteration: { _, _, iteration in
                    throw RPCError(code: iteration % 2 == 0 ? .unavailable : .invalidArgument, message: "причина \(iteration % 2)")
                },
                preflight: false
            )).run()
            #expect(report.errorsByCode == ["UNAVAILABLE": 3, "INVALID_ARGUMENT": 3])
            #expect(report.errorSamples == ["UNAVAILABLE": "причина 0", "INVALID_ARGUMENT": "причина 1"])
            let json = try #require(try JSONSerialization.jsonObject(with: Data(report.json().utf8)) as? [String: Any])
            let status = try #require(json["status"] as? [[String: Any]])
            #expect(status.contains { $0["status"] as? String == "INVALID_ARGUMENT" && $0["sample"] as? String == "причина 1" })
        }
    }

    @Test func aRateTheServerCannotReachIsWarned() async throws {
        try await withLoadServer { port in
            // One caller, 20 ms a call: at most 50/s of the 200/s asked for.
            let report = try await LoadRunner(.init(
                host: "127.0.0.1", port: port, method: "scenario", bodies: [], concurrency: 1, duration: nil, total: 20, rate: 200,
                iteration: { _, _, _ in try await Task.sleep(for: .milliseconds(20)) }
            )).run()
            let shortfall = try #require(report.rateShortfall)
            #expect(shortfall.requested == 200)
            #expect(shortfall.achieved < 60)
            #expect(report.text().contains("WARNING: reached"))
            #expect(try report.json().contains("rateShortfall"))
        }
    }

    @Test(arguments: [(100, 1.0, 100.0, false), (91, 1.0, 100.0, false), (89, 1.0, 100.0, true), (602, 1.0, 1500.0, true)])
    func theShortfallIsBelowNinetyPercentOfTheRequestedRate(calls: Int, seconds: Double, rate: Double, short: Bool) {
        var report = FailConditionTests.report(calls: calls, errors: 0, micros: [100], seconds: seconds)
        report.targetRate = rate
        #expect((report.rateShortfall != nil) == short)
        report.interrupted = true
        #expect(report.rateShortfall == nil, "an interrupted run is not said to fall short")
    }

    @Test func everyMeasuredCallIsARowOfThePerCallCSVAndTheSummaryHasItsColumns() async throws {
        try await withLoadServer { port in
            var plan = LoadRunner.Plan(
                host: "127.0.0.1", port: port, method: "scenario", bodies: [], concurrency: 2, duration: nil, total: 30,
                iteration: { _, _, iteration in
                    if iteration % 3 == 0 { throw RPCError(code: .notFound, message: "нет") }
                }
            )
            plan.preflight = false
            plan.recordCalls = true
            let report = try await LoadRunner(plan).run()
            let rows = report.callsCSV().split(separator: "\n")
            #expect(rows.first == "due_us,latency_us,status,method")
            #expect(rows.count == 31)
            #expect(rows.dropFirst().filter { $0.hasSuffix(",NOT_FOUND,scenario") }.count == 10)
            #expect(rows.dropFirst().filter { $0.hasSuffix(",OK,scenario") }.count == 20)
            let summary = report.csv().split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false) }
            #expect(summary.count == 2)
            #expect(summary[0].count == summary[1].count)
            #expect(summary[0].contains("p95_us") && summary[0].contains("mean_us") && summary[0].contains("min_us"))
        }
    }

    @Test func progressIsPerIntervalAndTheSeriesIsInTheReport() async throws {
        try await withLoadServer { port in
            let body = try RPCV1.EchoMessage(payload: [1]).serializedBytes()
            let seen = Mutex<[LoadRunner.Progress]>([])
            let report = try await LoadRunner(.init(
                host: "127.0.0.1", port: port, method: "crm.rpc.v1.Echo/Echo", bodies: [body], concurrency: 2,
                duration: .milliseconds(4500), rate: 200
            )).run { progress in seen.withLock { $0.append(progress) } }
            let lines = seen.withLock { $0 }
            #expect(lines.count >= 2)
            // Each line is its own interval, not the run so far: they add up to the total, and
            // a later line's count is not the running total.
            #expect(lines.map(\.calls).reduce(0, +) <= report.calls)
            #expect(lines.last!.totalCalls > lines.last!.calls)
            #expect(report.timeSeries.count >= 2)
            #expect(report.timeSeries.map(\.calls).reduce(0, +) == report.calls)
            #expect(report.timeSeries.allSatisfy { $0.calls < report.calls })
        }
    }
}

@Suite struct CoordinatedOmissionTests {
    /// A server that stalls for half a second once: a closed loop waits with it and measures
    /// one slow call; the open loop measures every call that fell due during the stall from
    /// when it was due, as the callers who waited would have seen it.
    @Test func theOpenLoopMeasuresAStallFromEachCallsDueTime() async throws {
        func stallingIteration() -> LoadScenario.Iteration {
            let began = Mutex<ContinuousClock.Instant?>(nil)
            return { _, _, _ in
                let start = began.withLock { began in
                    if began == nil { began = .now }
                    return began!
                }
                let elapsed = ContinuousClock.now - start
                if elapsed >= .milliseconds(500), elapsed < .milliseconds(1000) {
                    try await Task.sleep(until: start + .milliseconds(1000))
                } else {
                    try await Task.sleep(for: .milliseconds(1))
                }
            }
        }
        let closed = try await LoadRunner(.init(
            host: "127.0.0.1", port: 1, method: "stall", bodies: [], concurrency: 1, duration: .seconds(2),
            iteration: stallingIteration(), preflight: false
        )).run()
        let open = try await LoadRunner(.init(
            host: "127.0.0.1", port: 1, method: "stall", bodies: [], concurrency: 1, duration: .seconds(2), rate: 100,
            iteration: stallingIteration(), preflight: false
        )).run()
        // Closed: the caller waited with the server, so one call (two if a call began just
        // before the stall's end) took about 500 ms; whatever else the machine was doing, the
        // rest were not held by the stall.
        let closedSlow = closed.histogram.count(within: 300_000...UInt64.max / 2)
        #expect(closedSlow >= 1 && closedSlow <= 2, "closed: \(closedSlow) calls over 300 ms")
        // Open: the ~50 calls due during the stall (100/s for 0.5 s) each waited from its due
        // time to the stall's end; those due in its first 40 % waited over 300 ms.
        let openSlow = open.histogram.count(within: 300_000...UInt64.max / 2)
        #expect(openSlow >= 15, "open: \(openSlow) calls over 300 ms")
    }
}

@Suite struct LoadScheduleTests {
    @Test(arguments: [
        // kind, start, step, end, step seconds, values of steps 0...4
        (LoadSchedule.Kind.const, 50.0, 0.0, Double?.none, 1.0, [50.0, 50, 50, 50, 50]),
        (.step, 100, 100, 300, 10, [100, 200, 300, 300, 300]),
        (.step, 300, -100, 100, 10, [300, 200, 100, 100, 100]),
        (.line, 5, 2, nil, 99, [5, 7, 9, 11, 13]),
    ])
    func valuesPerStep(kind: LoadSchedule.Kind, start: Double, step: Double, end: Double?, seconds: Double, values: [Double]) throws {
        let schedule = try LoadSchedule(kind: kind, start: start, step: step, end: end, stepDuration: .seconds(seconds))
        #expect((0..<5).map { schedule.value(atStep: $0) } == values)
        if kind == .line { #expect(schedule.stepDuration == .seconds(1)) }
    }

    @Test func anOpenLoopFollowingAScheduleIsDueWhereTheRateIntegratesToTheTicket() throws {
        let schedule = try LoadSchedule(kind: .step, start: 100, step: 100, end: 200, stepDuration: .seconds(1))
        // 100 calls in the first second, then 200/s for ever.
        #expect(schedule.dueOffset(ofTicket: 0) == .zero)
        #expect(schedule.dueOffset(ofTicket: 50) == .milliseconds(500))
        #expect(schedule.dueOffset(ofTicket: 100) == .seconds(1))
        #expect(schedule.dueOffset(ofTicket: 200) == .milliseconds(1500))
        #expect(schedule.dueOffset(ofTicket: 500) == .seconds(3))
        #expect(LoadSchedule.constant(4).dueOffset(ofTicket: 2) == .milliseconds(500))
    }

    @Test(arguments: [(0.0, 1.0, 10.0), (10, 0, 20), (10, 5, 1), (10, 1, -5)])
    func nonsenseSchedulesAreRefused(start: Double, step: Double, end: Double) {
        #expect(throws: LoadTestError.self) { try LoadSchedule(kind: .step, start: start, step: step, end: end) }
    }

    @Test func aStepRateScheduleReportsEachStepAtItsTarget() async throws {
        try await withLoadServer { port in
            let body = try RPCV1.EchoMessage(payload: [1]).serializedBytes()
            // With a warm-up: it runs at the first rate, and the steps start after it.
            var plan = LoadRunner.Plan(
                host: "127.0.0.1", port: port, method: "crm.rpc.v1.Echo/Echo", bodies: [body], concurrency: 8, duration: nil,
                warmup: .milliseconds(300)
            )
            plan.rateSchedule = try LoadSchedule(
                kind: .step, start: 100, step: 100, end: 300, stepDuration: .milliseconds(500), maxDuration: .milliseconds(1500)
            )
            let report = try await LoadRunner(plan).run()
            #expect(report.steps.map(\.targetRate) == [100, 200, 300])
            // Calls count in the step they were due in: 50, 100 and 150 are due.
            for (step, due) in zip(report.steps, [50.0, 100, 150]) {
                #expect(abs(Double(step.calls) - due) <= due * 0.1 + 2, "step \(step.index + 1): \(step.calls) calls")
            }
            #expect(report.text().contains("steps (find the knee"))
            #expect(try report.json().contains("\"steps\""))
        }
    }

    @Test func aConcurrencyScheduleAddsCallersStepByStep() async throws {
        try await withLoadServer { port in
            let active = Atomic<Int>(0)
            // When each call began (from the first) and how many were running then.
            let seen = Mutex<[(at: ContinuousClock.Instant, running: Int)]>([])
            var plan = LoadRunner.Plan(
                host: "127.0.0.1", port: port, method: "scenario", bodies: [], concurrency: 4, duration: nil,
                iteration: { _, _, _ in
                    let now = active.add(1, ordering: .relaxed).newValue
                    seen.withLock { $0.append((.now, now)) }
                    try await Task.sleep(for: .milliseconds(20))
                    active.subtract(1, ordering: .relaxed)
                }
            )
            let schedule = try LoadSchedule(
                kind: .step, start: 1, step: 1, end: 4, stepDuration: .milliseconds(400), maxDuration: .milliseconds(1600)
            )
            plan.concurrencySchedule = schedule
            let started = ContinuousClock.now
            let report = try await LoadRunner(plan).run()
            #expect(report.steps.map(\.concurrency) == [1, 2, 3, 4])
            // Never more callers at once than the step allows (a caller checks before each
            // call, so the step is the one at its start, or a later one).
            let calls = seen.withLock { $0 }
            for call in calls {
                #expect(call.running <= Int(schedule.value(atStep: schedule.stepIndex(at: call.at - started))), "\(call)")
            }
            // And callers were added: more than one ran at once later on.
            #expect(calls.map(\.running).max() ?? 0 >= 2)
        }
    }
}

@Suite struct LoadMixTests {
    @Test(arguments: [[3, 1], [25, 5, 30, 20, 10, 5, 5], [1], [7, 7]])
    func eachPartGetsItsWeightSpreadEvenlyWithUniqueIterationNumbers(weights: [Int]) throws {
        let scenario = LoadScenario.all[0]
        let mix = try LoadMix(parts: weights.map { LoadMix.Part(scenario: scenario, weight: $0) })
        let total = weights.reduce(0, +)
        let picks = (0..<total * 10).map { mix.pick($0) }
        for (index, weight) in weights.enumerated() {
            let mine = picks.filter { $0.part == index }
            #expect(mine.count == weight * 10)
            // Numbered 1, 2, 3, … within the part: 0 is the preflight's, none repeats.
            #expect(mine.map(\.iteration).sorted() == Array(1...(weight * 10)))
        }
        // Spread, not in runs: within any window of one cycle each part appears its weight's worth.
        for start in [0, total / 2, total + 1] {
            let window = (start..<start + total).map { mix.pick($0).part }
            for (index, weight) in weights.enumerated() { #expect(window.filter { $0 == index }.count == weight) }
        }
    }

    @Test(arguments: ["registry.get-card=0", "registry.nope=3", "registry.get-card", "=3"])
    func badWeightsAreRefused(text: String) {
        #expect(throws: LoadTestError.self) { try LoadMix.parse(text) }
    }

    @Test func theOperatorDayCoversAllThreeServices() throws {
        let mix = try LoadMix.parse(nil)
        #expect(Set(mix.parts.map(\.scenario.service)) == ["registry", "contacts", "scheduling"])
        #expect(mix.parts.map(\.weight).reduce(0, +) == 100)
    }
}

private func withLoadServer(_ body: (Int) async throws -> Void) async throws {
    let transport = TCPServerTransport()
    let server = RPCServer(transport: transport, services: [EchoService()])
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await server.run() }
        defer { group.cancelAll() }
        try await body(try await transport.listeningAddress().port!)
    }
}
