public import Auth
import CRMAPI
import Foundation
public import Logging
public import RPCCore
public import ServiceLifecycle
import Wire

/// Delivers SMS states to the contacts service's history (`ContactHistory/RecordSms`), so the
/// contact history shows each SMS with its number and state. The marks it works from are
/// written by a trigger in the transaction that changes the state, so no change is lost to
/// a crash; each is retried with backoff until contacts takes it. Contacts upserts by SMS
/// id and never moves a state back, so a repeat (two replicas, a crash before the mark is
/// cleared) records nothing twice.
public final class ContactsReporter: Service, Sendable {
    public struct Configuration: Sendable {
        public var pollInterval: Duration = .seconds(1)
        public var batchSize = 64
        public var baseBackoffMs: Int64 = 1_000
        public var maxBackoffMs: Int64 = 300_000
        public var callTimeout: Duration = .seconds(5)
        public init() {}
    }

    let store: any SchedulingStore
    let client: ContactsV1.ContactHistory.Client
    let signer: SessionTokenSigner
    let nowMs: @Sendable () -> Int64
    let configuration: Configuration
    let logger: Logger
    let doorbell = Doorbell()

    public init(
        store: any SchedulingStore, client: RPCClient, signer: SessionTokenSigner, configuration: Configuration = Configuration(),
        nowMs: @escaping @Sendable () -> Int64, logger: Logger = Logger(label: "scheduling.contacts-reporter")
    ) {
        self.store = store
        self.client = ContactsV1.ContactHistory.Client(wrapping: client)
        self.signer = signer
        self.configuration = configuration
        self.nowMs = nowMs
        self.logger = logger
    }

    /// Wakes the reporter now (a state changed) instead of at the next poll.
    public func notify() {
        Task { await doorbell.ring() }
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                let handled: Int
                do {
                    handled = try await self.runOnce()
                } catch is CancellationError {
                    return
                } catch {
                    self.logger.error("contacts report poll failed", metadata: ["error": "\(error)"])
                    handled = 0
                }
                if handled == 0 { await self.doorbell.wait(upTo: self.configuration.pollInterval) }
            }
        }
    }

    /// Reports one batch of due marks; returns how many were delivered.
    @discardableResult
    public func runOnce() async throws -> Int {
        let now = nowMs()
        let limit = configuration.batchSize
        let due = try await store.dueReports(nowMs: now, limit: limit)
        var delivered = 0
        for (sms, version, attempts) in due {
            do {
                _ = try await client.recordSms(Self.request(sms), metadata: metadata(), options: CallOptions(timeout: configuration.callTimeout))
                try await store.clearReport(smsID: sms.id, version: version)
                delivered += 1
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                let next = nowMs() + OutboxWorker.backoffMs(afterAttempts: attempts + 1, base: configuration.baseBackoffMs, cap: configuration.maxBackoffMs)
                let reason = "\(error)"
                try await store.postponeReport(smsID: sms.id, version: version, nextAttemptMs: next, error: reason)
                logger.warning("sms state not reported to contacts", metadata: ["sms": "\(sms.id)", "error": "\(error)"])
            }
        }
        return delivered
    }

    func metadata() -> Metadata {
        var metadata = Metadata()
        metadata.bearerToken = signer.sign(signer.claims(operatorID: 0, login: "crm-scheduling", role: .system, fullName: "CRM Scheduling", nowMs: nowMs()))
        return metadata
    }

    static func request(_ sms: SmsRecord) -> ContactsV1.RecordSmsRequest {
        let stateMs: Int64 = switch sms.state {
        case .delivered: sms.deliveredMs
        case .sent, .noReport: sms.sentMs
        default: 0
        }
        return ContactsV1.RecordSmsRequest(
            smsID: sms.id, cardID: sms.cardId, contractNumber: sms.contractNumber, phone: sms.phone, text: sms.text,
            templateID: sms.templateId, state: sms.state.wire, failureReason: sms.state == .failed || sms.state == .cancelled ? sms.failureReason : "",
            acceptedUnixMs: sms.acceptedMs, stateUnixMs: stateMs != 0 ? stateMs : sms.acceptedMs,
            operator: TypesV1.OperatorRef(login: sms.sentByLogin, fullName: sms.sentByName)
        )
    }
}
