import ArgumentParser
import ServiceKit
import Testing

/// `--database` (and CRM_DATABASE): a postgres:// URL chooses PostgreSQL, anything else is
/// an SQLite file — the default stays a file, as `crm demo` runs it.
@Suite("--database")
struct DatabaseLocationTests {
    @Test("a path is an SQLite file")
    func path() throws {
        #expect(try DatabaseLocation(parsing: "scheduling.sqlite") == .sqlite(path: "scheduling.sqlite"))
        #expect(try DatabaseLocation(parsing: "/var/lib/crm/scheduling.sqlite") == .sqlite(path: "/var/lib/crm/scheduling.sqlite"))
    }

    @Test("a postgres URL names user, host, port and database; the password never reaches the logs")
    func url() throws {
        guard case .postgres(let url) = try DatabaseLocation(parsing: "postgres://crm@db.internal:5433/scheduling") else {
            Issue.record("not PostgreSQL")
            return
        }
        #expect(url.user == "crm" && url.host == "db.internal" && url.port == 5433 && url.database == "scheduling" && url.password == nil)
        let withPassword = try DatabaseLocation(parsing: "postgresql://crm:s3cr%40t@10.0.0.5/scheduling")
        guard case .postgres(let other) = withPassword else {
            Issue.record("not PostgreSQL")
            return
        }
        #expect(other.port == 5432 && other.password == "s3cr@t")
        #expect(!withPassword.described.contains("s3cr"))
        #expect(withPassword.described == "postgres://crm:***@10.0.0.5:5432/scheduling")
    }

    @Test("a URL missing a part, or with parameters, is refused", arguments: [
        "postgres://db.internal/scheduling",
        "postgres://crm@db.internal",
        "postgres://crm@db.internal/",
        "postgres://crm@/scheduling",
        "postgres://crm@db.internal/scheduling?sslmode=require",
        "postgres://crm@db.internal:0/scheduling",
        "",
    ])
    func refused(text: String) {
        #expect(throws: ValidationError.self) { try DatabaseLocation(parsing: text) }
    }
}
