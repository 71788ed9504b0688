import Foundation
public import Wire

/// What a saved result does to the campaign's call list (DOMAIN.md §3, docs/API.md «Call-list
/// effect on save»), and who may take a due client.
public enum CallListRules {
    /// A callback stays with the operator who set it until it is this much overdue.
    public static let callbackHoldMs: Int64 = hourMs
    /// A callback or «Подумаю» given as a date only comes back at 09:00 local time.
    public static let dateOnlyReturnMinute = 9 * 60

    public struct Outcome: Sendable, Hashable {
        public var effect: ContactsV1.CallListEffect
        /// For RETURNS_AT / RETRY_AT; 0 otherwise.
        public var returnAtMs: Int64
        public var dueReason: ContactsV1.DueReason
        /// Attempts on the campaign after this call.
        public var attempts: Int

        public init(effect: ContactsV1.CallListEffect, returnAtMs: Int64 = 0, dueReason: ContactsV1.DueReason = .unspecified, attempts: Int) {
            self.effect = effect
            self.returnAtMs = returnAtMs
            self.dueReason = dueReason
            self.attempts = attempts
        }
    }

    /// The effect of a validated result (defaults applied). `attemptsBefore` counts the calls
    /// already made to the client on this campaign.
    public static func outcome(
        of result: ContactsV1.CallResult, campaign: ContactsV1.Campaign, attemptsBefore: Int, nowMs: Int64
    ) -> Outcome {
        let attempts = attemptsBefore + 1
        switch result.firstLevel {
        case .doNotDisturb:
            return Outcome(effect: .offAllCampaigns, attempts: attempts)
        case .notReached, .callDropped:
            guard attempts < Int(campaign.maxAttempts) else { return Outcome(effect: .attemptsExhausted, attempts: attempts) }
            return Outcome(effect: .retryAt, returnAtMs: nowMs + Int64(campaign.retryDelayMinutes) * 60_000, dueReason: .retry, attempts: attempts)
        case .reached(let reached):
            switch reached.result {
            case .callback(let callback):
                let at = callback.at.flatMap { ResultRules.instant($0, defaultMinute: dateOnlyReturnMinute) } ?? nowMs + dayMs
                return Outcome(effect: .returnsAt, returnAtMs: at, dueReason: .callback, attempts: attempts)
            case .thinking(let thinking):
                let at = thinking.nextActionAt.flatMap { ResultRules.instant($0, defaultMinute: dateOnlyReturnMinute) }
                    ?? nowMs + Int64(ResultRules.twoWeeksDays) * dayMs
                return Outcome(effect: .returnsAt, returnAtMs: at, dueReason: .thinking, attempts: attempts)
            case .agreed:
                return Outcome(effect: .offCampaign, attempts: attempts)
            default:
                return Outcome(effect: .none, attempts: attempts)
            }
        default:
            return Outcome(effect: .none, attempts: attempts)
        }
    }

    /// Whether `login` may take a due entry now: a callback is held for the operator who set
    /// it until it is an hour overdue, then anyone on the campaign may take it.
    public static func mayTake(holdLogin: String?, dueMs: Int64, login: String, nowMs: Int64) -> Bool {
        guard dueMs <= nowMs else { return false }
        guard let holdLogin, !holdLogin.isEmpty, holdLogin != login else { return true }
        return nowMs >= dueMs + callbackHoldMs
    }
}
