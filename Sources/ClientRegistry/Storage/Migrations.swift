import Foundation
import GRDB
import ServiceKit

/// The registry's schema. Shipped migrations are never edited; changes are new ones.
enum RegistryMigrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-cards") { db in
            try db.create(table: "card") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("type", .integer).notNull().check { (1...6).contains($0) }
                t.column("rbs_number", .text).notNull().defaults(to: "")
                t.column("surname", .text).notNull()
                t.column("name", .text).notNull()
                t.column("patronymic", .text).notNull().defaults(to: "")
                // Lower case, ё → е: what name search compares.
                t.column("surname_key", .text).notNull()
                t.column("name_key", .text).notNull()
                t.column("patronymic_key", .text).notNull()
                t.column("birth_date", .text) // YYYY-MM-DD
                t.column("region_code", .text).notNull()
                t.column("settlement", .text).notNull().defaults(to: "")
                t.column("passport_series", .text)
                t.column("passport_number", .text)
                t.column("script_names", .text).notNull().defaults(to: "") // one per line
                t.column("recommended_by_card_id", .integer).references("card")
                t.column("version", .integer).notNull().defaults(to: 1)
                t.column("created_ms", .integer).notNull()
                t.check(sql: "(passport_series IS NULL) = (passport_number IS NULL)")
            }
            try db.create(index: "card_by_name", on: "card", columns: ["surname_key", "name_key", "patronymic_key", "birth_date"])
            try db.create(index: "card_by_recommender", on: "card", columns: ["recommended_by_card_id"])
            try db.create(index: "card_by_type_region", on: "card", columns: ["type", "region_code"])

            try db.create(table: "contact") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("card_id", .integer).notNull().references("card", onDelete: .cascade)
                t.column("kind", .integer).notNull().check { (1...7).contains($0) }
                t.column("value", .text).notNull()
                // The 10-digit number for phone kinds, NULL for e-mail: what phone search reads.
                t.column("phone", .text)
                t.column("struck_out", .boolean).notNull().defaults(to: false)
                t.column("strike_reason", .integer)
                t.column("comment", .text).notNull().defaults(to: "")
                t.column("created_ms", .integer).notNull()
                t.check(sql: "(kind = 7) = (phone IS NULL)")
                t.check(sql: "struck_out = (strike_reason IS NOT NULL)")
            }
            try db.create(index: "contact_by_phone", on: "contact", columns: ["phone"])
            // At most one live entry per kind on a card.
            try db.execute(sql: "CREATE UNIQUE INDEX contact_live_kind ON contact(card_id, kind) WHERE struck_out = 0")
            try db.create(index: "contact_by_card", on: "contact", columns: ["card_id"])

            try db.create(table: "contact_change") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("card_id", .integer).notNull().references("card", onDelete: .cascade)
                t.column("changed_ms", .integer).notNull()
                t.column("data_type", .integer).notNull()
                t.column("data_type_label", .text).notNull()
                t.column("new_value", .text).notNull()
                t.column("old_value", .text).notNull()
                t.column("reason", .integer)
                t.column("comment", .text).notNull().defaults(to: "")
                t.column("by_login", .text).notNull()
                t.column("by_name", .text).notNull()
            }
            try db.create(index: "contact_change_by_card", on: "contact_change", columns: ["card_id", "changed_ms", "id"])

            try db.create(table: "product") { t in
                t.primaryKey("id", .text)
                t.column("card_id", .integer).notNull().references("card", onDelete: .cascade)
                t.column("open_date", .text).notNull()
                t.column("name", .text).notNull()
                t.column("category", .integer).notNull()
                t.column("close_date", .text)
                t.column("credit_sum", .integer).notNull()
                t.column("balance", .integer).notNull()
                t.column("repaid_percent", .integer).notNull().check { $0 >= 0 && $0 <= 100 }
                t.column("is_halva", .boolean).notNull()
                t.column("closed", .boolean).notNull()
            }
            try db.create(index: "product_by_card", on: "product", columns: ["card_id", "closed"])

            try db.create(table: "halva_transaction") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("product_id", .text).notNull().references("product", onDelete: .cascade)
                t.column("card_id", .integer).notNull()
                t.column("occurred_ms", .integer).notNull()
                t.column("operation_type", .text).notNull()
                t.column("amount", .integer).notNull()
                t.column("purpose", .text).notNull()
                t.column("shop_name", .text).notNull().defaults(to: "")
            }
            try db.create(index: "halva_by_card", on: "halva_transaction", columns: ["card_id", "occurred_ms", "id"])
            try db.create(index: "halva_by_product", on: "halva_transaction", columns: ["product_id", "occurred_ms", "id"])

            try db.create(table: "bureau_decision") { t in
                t.primaryKey("id", .text)
                t.column("card_id", .integer).notNull().references("card", onDelete: .cascade)
                t.column("decision", .integer).notNull().check { $0 == 1 || $0 == 2 }
                t.column("decided_ms", .integer).notNull()
                t.column("rule", .text).notNull()
                t.column("by_login", .text).notNull()
            }
            try db.create(index: "bureau_by_card", on: "bureau_decision", columns: ["card_id", "decided_ms"])

            try db.create(table: "loan") { t in
                t.primaryKey("contract_number", .text)
                t.column("card_id", .integer).notNull().references("card", onDelete: .cascade)
                t.column("product_name", .text).notNull()
                t.column("issue_date", .text).notNull()
                t.column("debt", .integer).notNull().check { $0 >= 0 }
                t.column("overdue", .integer).notNull().check { $0 >= 0 }
                t.column("overdue_days", .integer).notNull()
                t.column("overdue_since", .text)
                t.column("principal", .integer).notNull()
                t.column("term_days", .integer).notNull()
                t.column("annual_rate_hundredths", .integer).notNull()
                t.column("installment", .integer).notNull()
                t.column("maturity_date", .text).notNull()
                t.column("last_payment_date", .text)
                t.column("last_payment", .integer).notNull()
                t.column("next_due_date", .text)
                t.column("next_due", .integer).notNull()
                t.column("refinancing_available", .boolean).notNull()
                t.column("refinancing_installment", .integer).notNull()
                t.column("refinancing_term_days", .integer).notNull()
                t.column("refinancing_conditions", .text).notNull()
                t.column("office_name", .text).notNull()
                t.column("office_address", .text).notNull()
                t.column("office_hours", .text).notNull()
            }
            try db.create(index: "loan_by_card", on: "loan", columns: ["card_id"])

            try db.create(table: "installment") { t in
                t.column("contract_number", .text).notNull().references("loan", onDelete: .cascade)
                t.column("number", .integer).notNull()
                t.column("due_date", .text).notNull()
                t.column("total", .integer).notNull()
                t.column("principal", .integer).notNull()
                t.column("interest", .integer).notNull()
                t.column("penalty", .integer).notNull()
                t.column("paid", .integer).notNull()
                t.column("paid_date", .text)
                t.column("state", .integer).notNull()
                t.primaryKey(["contract_number", "number"])
            }

            try db.create(table: "loan_phone") { t in
                t.column("contract_number", .text).notNull().references("loan", onDelete: .cascade)
                t.column("phone", .text).notNull()
                t.column("ownership", .integer).notNull().check { $0 == 1 || $0 == 2 }
                t.column("comment", .text).notNull().defaults(to: "")
                t.column("added_ms", .integer).notNull()
                t.column("by_login", .text).notNull()
                t.column("by_name", .text).notNull()
                t.primaryKey(["contract_number", "phone"])
            }
            try db.create(index: "loan_phone_by_phone", on: "loan_phone", columns: ["phone"])

            try db.create(table: "client_comment") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("card_id", .integer).notNull().references("card", onDelete: .cascade)
                t.column("contract_number", .text).notNull().defaults(to: "")
                t.column("text", .text).notNull()
                t.column("created_ms", .integer).notNull()
                t.column("by_login", .text).notNull()
                t.column("by_name", .text).notNull()
            }
            try db.create(index: "client_comment_by_card", on: "client_comment", columns: ["card_id", "created_ms", "id"])
        }

        migrator.registerMigration("v1-operators") { db in
            try db.create(table: "operator") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("login", .text).notNull().unique()
                t.column("surname", .text).notNull()
                t.column("name", .text).notNull()
                t.column("patronymic", .text).notNull().defaults(to: "")
                t.column("role", .text).notNull()
                t.column("mobile", .text).notNull()
                t.column("created_ms", .integer).notNull()
            }
            try db.create(index: "operator_by_role", on: "operator", columns: ["role", "login"])
            // Stage-1 code and the wrong-try count of a login; one row per operator.
            try db.create(table: "login_state") { t in
                t.primaryKey("login", .text).references("operator", column: "login", onDelete: .cascade)
                t.column("code", .text)
                t.column("code_expires_ms", .integer)
                t.column("failed_tries", .integer).notNull().defaults(to: 0)
                t.column("locked_until_ms", .integer)
            }
            // Codes handed to the built-in SMS outbox (tests and the embedded demo read them).
            try db.create(table: "login_code_outbox") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("login", .text).notNull()
                t.column("phone", .text).notNull()
                t.column("code", .text).notNull()
                t.column("created_ms", .integer).notNull()
            }
            try db.create(index: "login_code_outbox_by_login", on: "login_code_outbox", columns: ["login", "id"])
            // First answers of idempotent calls, per operator, method and key.
            try db.create(table: "idempotency") { t in
                t.column("operator_login", .text).notNull()
                t.column("method", .text).notNull()
                t.column("key", .text).notNull()
                t.column("request", .blob).notNull()
                t.column("response", .blob).notNull()
                t.column("created_ms", .integer).notNull()
                t.primaryKey(["operator_login", "method", "key"])
            }
        }
        // The retention sweep (ServiceKit.IdempotencyRetention) deletes by age without a scan.
        migrator.registerMigration("v2-idempotency-by-age") { db in
            try db.execute(sql: "CREATE INDEX idempotency_by_age ON idempotency(created_ms)")
        }
        // Login hardening: codes only as keyed hashes (login_state held them in plain text and
        // never cleared them), wrong tries per login and source address, the SMS rate limit.
        migrator.registerMigration("v3-login-hardening") { db in
            try db.drop(table: "login_state")
            // The code a login may use now; deleted when used, spent or expired.
            try db.create(table: "login_code") { t in
                t.primaryKey("login", .text)
                t.column("code_hash", .blob).notNull()
                t.column("expires_ms", .integer).notNull()
                t.column("wrong_tries", .integer).notNull().defaults(to: 0)
            }
            try db.create(index: "login_code_by_expiry", on: "login_code", columns: ["expires_ms"])
            // Wrong tries per login and source address (known logins or not: the answer is the same).
            try db.create(table: "login_attempt") { t in
                t.column("login", .text).notNull()
                t.column("source", .text).notNull()
                t.column("failed_tries", .integer).notNull().defaults(to: 0)
                t.column("locks", .integer).notNull().defaults(to: 0)
                t.column("locked_until_ms", .integer)
                t.column("updated_ms", .integer).notNull()
                t.primaryKey(["login", "source"])
            }
            try db.create(index: "login_attempt_by_update", on: "login_attempt", columns: ["updated_ms"])
            // Each stage-1 request, for the per-login and per-source SMS limits.
            try db.create(table: "login_code_request") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("login", .text).notNull()
                t.column("source", .text).notNull()
                t.column("created_ms", .integer).notNull()
            }
            try db.create(index: "login_code_request_by_login", on: "login_code_request", columns: ["login", "created_ms"])
            try db.create(index: "login_code_request_by_source", on: "login_code_request", columns: ["source", "created_ms"])
        }
        // Sessions behind access tokens: ended at logout or by an administrator, so every
        // replica refuses them from the shared database (docs/ARCHITECTURE.md «Sessions»).
        migrator.registerMigration("v4-sessions") { db in
            try db.create(table: "session") { t in
                t.primaryKey("id", .text)
                t.column("login", .text).notNull()
                t.column("created_ms", .integer).notNull()
                t.column("expires_ms", .integer).notNull()
                t.column("ended_ms", .integer)
                t.column("ended_by", .text)
            }
            try db.create(index: "session_by_login", on: "session", columns: ["login"])
            try db.create(index: "session_by_expiry", on: "session", columns: ["expires_ms"])
        }
        // One schema and scope for idempotent answers in every service (ServiceKit.IdempotencyStore).
        migrator.registerMigration("v5-one-idempotency-store") { db in
            try IdempotencyStore.migrate(db)
        }
        return migrator
    }
}
