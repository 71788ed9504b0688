import CRMDomain
import Foundation
public import GRDB

/// What a demo load writes.
public struct DemoDataOptions: Sendable {
    /// The same seed (and `today`) gives the same rows.
    public var seed: UInt64
    /// Random cards after the anchors.
    public var clients: Int
    /// History runs up to the start of this day (Moscow); the registry's date when it seeds.
    public var today: LocalDate
    /// Cards per write transaction (a person's cards never straddle two).
    public var batchSize: Int
    /// Random operators per working role, on top of the anchors; nil: by the size of the load.
    public var operatorsPerRole: Int?

    public init(seed: UInt64 = 1, clients: Int, today: LocalDate, batchSize: Int = 10_000, operatorsPerRole: Int? = nil) {
        self.seed = seed
        self.clients = clients
        self.today = today
        self.batchSize = batchSize
        self.operatorsPerRole = operatorsPerRole
    }
}

public struct DemoDataProgress: Sendable {
    /// Cards written so far, anchors included.
    public var cards: Int
    /// Cards the load will have written at the end.
    public var totalCards: Int
    public var rows: Int
    public var seconds: Double
}

public struct DemoDataReport: Sendable {
    public var cards: Int
    public var randomCards: Int
    public var operators: Int
    /// Rows of every table written.
    public var rows: Int
    public var seconds: Double
    public var cardsPerSecond: Double { seconds > 0 ? Double(cards) / seconds : 0 }
    public var rowsPerSecond: Double { seconds > 0 ? Double(rows) / seconds : 0 }
}

public enum DemoDataError: Error, Equatable, CustomStringConvertible {
    /// Seeding refuses a registry that already has cards: it is a load for a fresh database.
    case registryNotEmpty(cards: Int)
    /// An anchor operator's login is taken (e.g. by `--bootstrap-admin` on an earlier start).
    case operatorExists(login: String)

    public var description: String {
        switch self {
        case .registryNotEmpty(let cards): "демо-данные загружаются только в пустой реестр, а в нём карточек: \(cards)"
        case .operatorExists(let login): "демо-данные не загружены: оператор \(login) уже существует"
        }
    }
}

/// The deterministic demo-data generator (issue 4 «Demo data»).
///
/// A load is the anchors (`DemoAnchors`: fixed operators of every role and six fixed cards,
/// ids 1…6), then `clients` random cards: people with one to three cards from different
/// sources sharing a mobile, with contacts, edits in tab 8, products, Halva histories, loans
/// with schedules and third-party phones, bureau decisions and more operators of every role.
///
/// Refusal, not idempotence: a registry with cards (or with an anchor operator's login) is
/// refused with `DemoDataError`, so the load never mixes with real data nor doubles itself;
/// `seedIfEmpty` is the "seed on first start" form.
///
/// Speed: one prepared statement per table, re-bound per row; one write transaction per
/// batch; foreign-key checks off during the load (the generator writes parents first; the
/// tests run `PRAGMA foreign_key_check`); `synchronous = OFF` during the load — a crash
/// mid-load can lose the fresh file, which is then deleted and loaded again; both are
/// restored afterwards, then ANALYZE and a WAL checkpoint.
public enum DemoData {
    public static func cardCount(_ writer: any DatabaseWriter) throws -> Int {
        try writer.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM card") ?? 0 }
    }

    public static func seed(
        into writer: any DatabaseWriter, options: DemoDataOptions, progress: (DemoDataProgress) -> Void = { _ in }
    ) throws -> DemoDataReport {
        let started = ContinuousClock.now
        func elapsed() -> Double {
            let duration = ContinuousClock.now - started
            return Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        }
        let clock = DemoClock(today: options.today)
        let anchorCards = Int(DemoAnchors.firstRandomCardID - 1)
        let totalCards = anchorCards + max(0, options.clients)
        let perRole = options.operatorsPerRole ?? min(60, max(3, options.clients / 20_000))
        let batch = max(1, options.batchSize)
        return try writer.writeWithoutTransaction { db in
            let cards = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM card") ?? 0
            guard cards == 0 else { throw DemoDataError.registryNotEmpty(cards: cards) }
            for anchor in DemoAnchors.operators where try db.operatorAccount(login: anchor.login) != nil {
                throw DemoDataError.operatorExists(login: anchor.login)
            }
            let foreignKeys = try Bool.fetchOne(db, sql: "PRAGMA foreign_keys") ?? true
            let synchronous = try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? 1
            try db.execute(sql: "PRAGMA foreign_keys = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -262144; PRAGMA temp_store = MEMORY")
            defer {
                // The load's 256 MiB page cache goes back to SQLite's default, and its pages are
                // freed now rather than held for the life of a service that seeded itself.
                try? db.execute(sql: "PRAGMA synchronous = \(synchronous); PRAGMA foreign_keys = \(foreignKeys ? "ON" : "OFF"); PRAGMA cache_size = -2000; PRAGMA shrink_memory")
            }
            let writer = try DemoRowWriter(db)
            let population = DemoPopulation(seed: options.seed, writer: writer, clock: clock, firstCardID: DemoAnchors.firstRandomCardID)
            var written = 0
            try db.inTransaction(.immediate) {
                try DemoAnchors.insert(writer, clock: clock)
                try population.insertOperators(perRole: perRole)
                written = anchorCards
                return .commit
            }
            progress(DemoDataProgress(cards: written, totalCards: totalCards, rows: writer.rows, seconds: elapsed()))
            while written < totalCards {
                try db.inTransaction(.immediate) {
                    let end = min(totalCards, written + batch)
                    while written < end { written += try population.person(maxCards: totalCards - written) }
                    return .commit
                }
                progress(DemoDataProgress(cards: written, totalCards: totalCards, rows: writer.rows, seconds: elapsed()))
            }
            try db.execute(sql: "PRAGMA analysis_limit = 1000; ANALYZE")
            if try String.fetchOne(db, sql: "PRAGMA journal_mode") == "wal" {
                try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
            }
            return DemoDataReport(
                cards: written, randomCards: written - anchorCards, operators: DemoAnchors.operators.count + 7 * perRole,
                rows: writer.rows, seconds: elapsed()
            )
        }
    }

    /// Seeds when the registry has no cards; nil (nothing written) when it has some.
    public static func seedIfEmpty(
        into writer: any DatabaseWriter, options: DemoDataOptions, progress: (DemoDataProgress) -> Void = { _ in }
    ) throws -> DemoDataReport? {
        guard try cardCount(writer) == 0 else { return nil }
        return try seed(into: writer, options: options, progress: progress)
    }

    /// Bytes of the database file with its WAL and shared-memory files.
    public static func databaseBytes(path: String) -> Int64 {
        [path, path + "-wal", path + "-shm"].reduce(0) { total, file in
            let size = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? NSNumber)?.int64Value ?? 0
            return total + size
        }
    }
}

extension DemoData {
    /// The service's `--seed-clients`: seeds when the registry has no cards, reporting
    /// progress about every tenth of the load and the rate at the end; nil when it had cards.
    public static func seedOnStart(
        _ writer: any DatabaseWriter, clients: Int, seed: UInt64, today: LocalDate, log: (String) -> Void
    ) throws -> DemoDataReport? {
        let existing = try cardCount(writer)
        guard existing == 0 else {
            log("seed: skipped, the registry already has \(existing) cards")
            return nil
        }
        log("seed: anchors + \(clients) random cards, seed \(seed), history up to \(today)")
        var nextReport = 0
        let step = max(10_000, clients / 10)
        let report = try DemoData.seed(into: writer, options: DemoDataOptions(seed: seed, clients: clients, today: today)) { progress in
            guard progress.cards >= nextReport || progress.cards == progress.totalCards else { return }
            nextReport = progress.cards + step
            let rate = progress.seconds > 0 ? Int(Double(progress.cards) / progress.seconds) : 0
            log("seed: \(progress.cards)/\(progress.totalCards) cards, \(progress.rows) rows, \(String(format: "%.1f", progress.seconds)) s, \(rate) cards/s")
        }
        log("seed: done — \(report.cards) cards (\(report.randomCards) random), \(report.operators) operators, \(report.rows) rows in "
            + "\(String(format: "%.1f", report.seconds)) s: \(Int(report.cardsPerSecond)) cards/s, \(Int(report.rowsPerSecond)) rows/s")
        return report
    }
}
