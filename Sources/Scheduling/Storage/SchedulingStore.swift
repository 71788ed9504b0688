import CRMDomain
import Foundation
public import ServiceKit

/// The seam between the scheduling rules and a database engine (docs/ARCHITECTURE.md
/// «Storage engines»). Two implementations: `SQLiteSchedulingStore` (GRDB, one file, one
/// writer) and `PostgresSchedulingStore` (postgres-nio, several replicas over one database).
/// Each named write is one transaction on either engine; the decisions inside it are the
/// pure rules (`SlotRules`, `SmsCaps`, `SmsHold`, the closures a `SchedulingWrite` carries),
/// so only the SQL differs between the two.
public protocol SchedulingStore: Sendable {
    // MARK: Offices
    func regions() async throws -> [Region]
    /// nil when the region is unknown.
    func settlements(region: String) async throws -> [SettlementRow]?
    func searchOffices(_ query: OfficeQuery) async throws -> [OfficeDetails]
    func office(id: String) async throws -> OfficeDetails?

    // MARK: Bookings and messages
    func activeBookings(office: String, date: LocalDate) async throws -> [BookingRecord]
    func booking(id: String) async throws -> BookingRecord?
    func sms(id: String) async throws -> SmsRecord?
    /// A card's messages, newest first; the cursor is (accepted_ms, row order) of the last row.
    func smsOfCard(card: Int64, after cursor: (Int64, Int64)?, limit: Int) async throws -> [(SmsRecord, Int64)]
    /// The due moments of a debtor's collection messages that count against the caps.
    func collectionDueTimes(card: Int64, contract: String) async throws -> [Int64]
    func outboxCounts(nowMs: Int64) async throws -> OutboxCounts

    // MARK: Named writes
    /// Runs `write` in one transaction. With `idempotency`, a repeat of the same request
    /// returns the stored answer (and a different request under the key is refused);
    /// otherwise `respond` encodes the answer, which is stored in the same transaction.
    func perform(
        _ write: SchedulingWrite, idempotency: IdempotencyScope?, nowMs: Int64,
        respond: @escaping @Sendable (WriteOutcome) throws -> [UInt8]
    ) async throws -> [UInt8]

    // MARK: The outbox
    /// In one transaction: marks sent messages older than `sweepSentBefore` as without a
    /// report, leases up to `limit` due messages to `owner`, and moves those the hand-off
    /// window or the caps do not allow now (`SmsHold`). Returns the messages that may go
    /// now and how many were marked without a report. Replicas never lease one row twice.
    func claimBatch(
        owner: String, nowMs: Int64, leaseMs: Int64, limit: Int, sweepSentBefore: Int64?, calendar: ProductionCalendar
    ) async throws -> (claimed: [(sms: SmsRecord, earlierClaim: Bool)], overdue: Int)
    /// Hands claimed rows back untouched; a row that carried a lapsed claim keeps it.
    func release(_ rows: [(id: String, earlierClaim: Bool)], claim owner: String) async throws
    /// The outcome of one hand-off by the holder of its claim.
    func recordHandOff(id: String, claim owner: String, _ outcome: HandOffOutcome, nowMs: Int64) async throws
    /// A delivery report; returns whether the message exists.
    @discardableResult
    func applyReport(id: String, event: DeliveryEvent, nowMs: Int64) async throws -> Bool
    /// Sent messages with no report since `sentBeforeMs` become `noReport`; returns how many.
    func markReportsOverdue(sentBeforeMs: Int64) async throws -> Int

    // MARK: The contact-history reports
    func dueReports(nowMs: Int64, limit: Int) async throws -> [(SmsRecord, Int64, Int)]
    func clearReport(smsID: String, version: Int64) async throws
    func postponeReport(smsID: String, version: Int64, nextAttemptMs: Int64, error: String) async throws
    func pendingContactReports() async throws -> Int

    /// Deletes stored idempotent answers created before `cutoffMs`, at most `limit`; returns how many.
    func deleteIdempotency(createdBefore cutoffMs: Int64, limit: Int) async throws -> Int
}

/// What `SearchOffices` asks: a region, optionally a settlement and a kind, and the words
/// of a free-text query (each a prefix that must appear in the name, address, metro or landmarks).
public struct OfficeQuery: Sendable, Hashable {
    public var region: String
    public var settlement: String?
    public var words: [String]
    public var kind: Int?
    public var offset: Int
    public var limit: Int
}

/// The named writes of the scheduling service. The closures are the rules applied to the
/// rows the transaction read; they run inside it and throw `RuleError` to refuse.
public enum SchedulingWrite: Sendable {
    /// A place in a slot; RESOURCE_EXHAUSTED when the slot holds `capacity` already.
    case book(BookingRecord, capacity: Int)
    /// Cancels a booking and its pending visit SMS; a cancelled booking is returned as it is.
    case cancel(id: String, reason: String, nowMs: Int64)
    /// Moves an active booking (the old place is freed only if the new one is taken); its
    /// pending visit SMS becomes `followVisitSms(sms)`.
    case move(id: String, office: OfficeRecord, date: LocalDate, start: Int, followVisitSms: @Sendable (SmsRecord) -> SmsRecord)
    /// Accepts a message into the outbox; `checkCaps` sees the due moments of the debtor's
    /// other collection messages (only for a collection message).
    case acceptSms(SmsRecord, checkCaps: (@Sendable ([Int64]) throws -> Void)?)
    /// The visit SMS of a booking: `decide` sees the booking and its office (nil when not
    /// found) and returns the message to queue, or nil for none. A queued earlier one is cancelled.
    case visitSms(bookingID: String, decide: @Sendable (BookingRecord?, OfficeDetails?) throws -> SmsRecord?)
}

/// What a named write produced, for the answer.
public enum WriteOutcome: Sendable {
    /// A booking, with its office when the write looked it up (cancel).
    case booking(BookingRecord, office: OfficeDetails?)
    case sms(SmsRecord?)
}

/// What became of one hand-off to the SMS provider.
public enum HandOffOutcome: Sendable, Hashable {
    /// The stop cut it off: whether the provider took it is unknown; the claim lapses at
    /// once so the next claim hands it off marked may-have-been-sent.
    case interrupted
    case handedOff(delivered: Bool)
    /// Failed; tried again at `nextAttemptMs`, or failed for good when nil.
    case failed(reason: String, nextAttemptMs: Int64?)
}
