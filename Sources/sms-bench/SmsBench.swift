import ArgumentParser
import Auth
import CRMAPI
import CRMDomain
import Foundation
import Histogram
import Logging
import RPCCore
import RPCTesting
import Scheduling
import Synchronization
import Wire

/// Accept → hand-off latency of an immediate SMS at idle: the scheduling service's own
/// SmsService, interceptors, SQLite file (WAL, on disk) and outbox worker with its default
/// configuration, one message at a time with a pause between (the outbox idle when each
/// arrives). Measured from SendSms returning to the caller to the provider's `send` being
/// called; a provider called before the answer reached the caller counts as 0 (and is
/// counted apart).
@main
struct SmsBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sms-bench",
        abstract: "Accept → provider hand-off latency of an immediate SMS at idle."
    )

    @Option(help: "Messages measured.") var samples = 300
    @Option(help: "Messages before measuring.") var warmup = 20
    @Option(help: "Milliseconds of idle between messages.") var pause = 50
    @Option(help: "tcp (a loopback listener, as deployed) or in-process.") var transport = "tcp"

    func run() async throws {
        let chosen: TestTransport = switch transport {
        case "tcp": .tcp
        case "in-process": .inProcess
        default: throw ValidationError("--transport: tcp or in-process")
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sms-bench-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try SQLiteSchedulingStore.open(path: folder.appendingPathComponent("scheduling.sqlite").path)
        let provider = StampingProvider()
        var logger = Logger(label: "scheduling.outbox")
        logger.logLevel = .warning
        let worker = OutboxWorker(store: store, provider: provider, nowMs: { SystemClockMs.now() }, logger: logger)
        let environment = SchedulingEnvironment(store: store, providerName: provider.name, wakeOutbox: { worker.notify() })
        let signer = try SessionTokenSigner(secret: UUID().uuidString + UUID().uuidString)
        let working = Task { try await worker.run() }
        defer { working.cancel() }

        // "Ссылка на МП" (marketing) goes 09:00–21:00 in the client's region: a region where it is day now.
        let nowMs = SystemClockMs.now()
        guard let region = Regions.all.first(where: { region in
            let minute = ((nowMs / 60_000 + Int64(region.utcOffsetMinutes)) % 1440 + 1440) % 1440
            return minute >= 9 * 60 + 5 && minute < 20 * 60 + 30
        }) else { throw ValidationError("no region has daytime now") }
        var result = (fromReturn: Histogram<UInt64>(highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: .three),
                      fromCall: Histogram<UInt64>(highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: .three),
                      beforeReturn: 0)
        try await withTestServer(chosen, services: [SmsService(environment: environment)], interceptors: [
            LoggingInterceptor(logger: logger), MetricsInterceptor(), AuthInterceptor(signer: signer),
        ]) { client in
            let sms = SchedulingV1.Sms.Client(wrapping: client)
            var handOffs = provider.handOffs.makeAsyncIterator()
            let clock = ContinuousClock()
            for index in 0..<(warmup + samples) {
                var metadata = Metadata()
                metadata.bearerToken = signer.sign(signer.claims(operatorID: 1, login: "bench", role: .vcc, fullName: "Bench", nowMs: SystemClockMs.now()))
                metadata.idempotencyKey = "bench-\(index)-\(UUID().uuidString)"
                let called = clock.now
                _ = try await sms.sendSms(.init(templateID: "mobile-app-link", cardID: 1, phone: "9372888099", regionCode: region.code), metadata: metadata)
                let returned = clock.now
                guard let handedOff = await handOffs.next() else { throw ValidationError("the worker stopped") }
                if index >= warmup {
                    let micros = { (duration: Duration) in max(0, duration.components.seconds * 1_000_000 + duration.components.attoseconds / 1_000_000_000_000) }
                    if handedOff < returned { result.beforeReturn += 1 }
                    _ = result.fromReturn.record(UInt64(micros(handedOff - returned)))
                    _ = result.fromCall.record(UInt64(micros(handedOff - called)))
                }
                try await Task.sleep(for: .milliseconds(pause))
            }
        }
        func row(_ name: String, _ histogram: Histogram<UInt64>) -> String {
            let ms = { (p: Double) in String(format: "%.2f", Double(histogram.valueAtPercentile(p)) / 1000) }
            return "\(name): p50 \(ms(50)) ms, p90 \(ms(90)) ms, p99 \(ms(99)) ms, max \(String(format: "%.2f", Double(histogram.max) / 1000)) ms"
        }
        print("sms-bench: \(samples) immediate SMS (region \(region.code)) over \(chosen), one at a time, \(pause) ms idle between, outbox poll every 500 ms")
        print(row("SendSms returned → provider called", result.fromReturn))
        print(row("SendSms called   → provider called", result.fromCall))
        print("provider called before SendSms returned to the caller: \(result.beforeReturn) of \(samples)")
    }
}

/// A provider that takes every message at once and reports the moment it was called.
final class StampingProvider: SmsProvider {
    let name = "bench"
    let handOffs: AsyncStream<ContinuousClock.Instant>
    let continuation: AsyncStream<ContinuousClock.Instant>.Continuation

    init() {
        (handOffs, continuation) = AsyncStream.makeStream()
    }

    func send(_ sms: OutgoingSms) async throws -> SmsHandOff {
        continuation.yield(ContinuousClock.now)
        return .sent
    }
}
