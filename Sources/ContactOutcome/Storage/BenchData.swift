import CRMDomain
public import GRDB
import Foundation
import Wire

/// Deterministic load data for the benchmarks (scripts/bench-contacts): a debtor portfolio
/// with a year of recorded calls (`crm-load --scenario contacts.save-outcome` makes its own sessions).
/// The same seed and clock give the same rows.
public enum BenchData {
    public struct Plan: Sendable {
        public var contracts: Int
        /// Contracts are dealt round-robin to this many collectors; the first is `collector.volkov`
        /// (the demo collector whose login the benchmark uses), the others `collector.bench<N>`.
        public var collectors: Int
        /// Recorded calls per contract over the last year (each a contact attempt and a history entry).
        public var callsPerContract: Int
        public var seed: UInt64

        public init(contracts: Int, collectors: Int = 20, callsPerContract: Int = 6, seed: UInt64 = 1) {
            self.contracts = contracts
            self.collectors = collectors
            self.callsPerContract = callsPerContract
            self.seed = seed
        }
    }

    public static func collector(_ index: Int) -> String { index == 0 ? "collector.volkov" : "collector.bench\(index)" }
    public static func contractNumber(_ index: Int) -> String { "B" + String(format: "%011d", index) }

    public static func seed(_ writer: any DatabaseWriter, _ plan: Plan, nowMs: Int64, log: (String) -> Void) throws {
        var random = SplitMix64(seed: plan.seed)
        let surnames = ["Петров", "Иванова", "Сидоров", "Кузнецова", "Смирнов", "Попова", "Васильев", "Морозова"]
        let names = ["Петр", "Анна", "Иван", "Мария", "Сергей", "Ольга", "Алексей", "Елена"]
        let procedures: [ContactsV1.CollectionProcedure] = [.portfolio, .portfolio, .portfolio, .portfolio, .portfolio, .portfolio, .portfolio,
                                                            .portfolioThirdParties, .incomingCall, .incomingCall]
        let system = TypesV1.OperatorRef(login: "system.loader", fullName: "Загрузка")
        let batch = 10_000
        for start in stride(from: 0, to: plan.contracts, by: batch) {
            try writer.write { db in
                let contract = try db.makeStatement(sql: """
                    INSERT INTO portfolio (contract_number, process_key, card_id, surname, name, patronymic, region_code, moscow_offset,
                        collector_login, procedure, priority, planned_start, debt_kopecks, overdue_kopecks, overdue_days, last_payment,
                        contact_ban, hidden_until, promise_made_on, is_new, next_call_ms)
                    VALUES (?, ?, ?, ?, ?, '', '', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """)
                let attempt = try db.makeStatement(sql: "INSERT INTO contact_attempt (contract_number, channel, at_ms) VALUES (?, ?, ?)")
                for index in start..<min(start + batch, plan.contracts) {
                    let number = contractNumber(index)
                    let offset = Int32(random.below(11) - 1)  // Калининград (−1) to Камчатка (+9)
                    let utc = utcOffsetMinutes(moscowOffsetHours: offset)
                    let today = LocalDate.of(unixMs: nowMs, utcOffsetMinutes: utc)
                    let calls = (0..<plan.callsPerContract).map { _ in nowMs - Int64(random.below(365 * 24 * 60)) * 60_000 }
                    let roll = random.below(100)
                    let hidden = roll < 10 ? today.adding(days: random.below(10) - 3).description : nil
                    let promise = roll >= 10 && roll < 15 ? today.adding(days: -random.below(5)).description : nil
                    let paid = random.below(3) == 0 ? today.adding(days: -random.below(40)).description : nil
                    try contract.execute(arguments: [
                        number, "СВВ-bench-\(index)", Int64(1_000_000 + index), surnames[random.below(surnames.count)],
                        names[random.below(names.count)], offset, collector(index % max(1, plan.collectors)),
                        procedures[random.below(procedures.count)].rawValue, Int32(random.below(100) + 1),
                        today.adding(days: -random.below(60)).description, random.below(50) == 0 ? 0 : Int64(random.below(500_000_00) + 100_00),
                        Int64(random.below(50_000_00)), Int32(random.below(400)), paid, random.below(50) == 0 ? 4 : 0,
                        hidden, promise, random.below(4) == 0, Law230.nextCallAllowedMs(calls: calls, utcOffsetMinutes: utc),
                    ])
                    for (n, at) in calls.enumerated() {
                        try attempt.execute(arguments: [number, ContactsV1.ContactChannel.call.rawValue, at])
                        try ContactsStore.insertEntry(db, ContactsV1.HistoryEntry(
                            entryID: "bench-\(index)-\(n)", occurredUnixMs: at, action: .outgoingCall, actionLabel: "Исходящий звонок",
                            resultLabel: "Контакт учтен", cardID: Int64(1_000_000 + index), contractNumber: number, operator: system,
                            details: .collection(ContactsV1.CollectionContactDetails(channel: .call, phone: ""))
                        ))
                    }
                }
            }
            log("seed: \(min(start + batch, plan.contracts)) contracts")
        }
    }
}
