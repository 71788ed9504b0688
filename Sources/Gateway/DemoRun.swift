import Foundation

/// Runs the demo's steps: prints each as the operator would see it and records whether it
/// gave the expected answer. The demo passes only if every step did.
public final class DemoRun: @unchecked Sendable {
    public private(set) var passed = 0
    public private(set) var failures: [String] = []
    private var current = ""
    private var stepFailed = false

    public init() {}

    /// One step: a title, the work (which prints what the operator sees) and its checks.
    public func step(_ title: String, _ body: () async throws -> Void) async {
        current = title
        stepFailed = false
        print("\n▶ \(title)")
        do {
            try await body()
        } catch {
            fail("неожиданная ошибка: \(error)")
        }
        if !stepFailed {
            passed += 1
            print("  ✔ как ожидалось")
        }
    }

    /// A check inside a step.
    public func expect(_ condition: Bool, _ what: @autoclosure () -> String) {
        if !condition { fail(what()) }
    }

    /// A call that must be refused; returns the refusal for printing.
    public func expectRefusal<T>(_ what: String, _ body: () async throws -> T) async -> GatewayError? {
        do {
            _ = try await body()
            fail("\(what): ожидался отказ, а запрос выполнен")
            return nil
        } catch let error as GatewayError {
            print("  отказ: \(error.message.replacingOccurrences(of: "\n", with: "\n  "))")
            return error
        } catch {
            fail("\(what): \(error)")
            return nil
        }
    }

    public func fail(_ reason: String) {
        stepFailed = true
        failures.append("\(current): \(reason)")
        print("  ✘ \(reason)")
    }

    public func say(_ text: String) {
        print(text.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(separator: "\n"))
    }

    public var summary: String {
        failures.isEmpty
            ? "\nДемонстрация пройдена: \(passed) шагов из \(passed) дали ожидаемый ответ."
            : "\nДемонстрация НЕ пройдена: \(failures.count) шагов с ошибкой:\n" + failures.map { " - \($0)" }.joined(separator: "\n")
    }
}
