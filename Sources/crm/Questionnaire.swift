import CRMDomain
import Foundation
import Gateway

/// A questionnaire at the prompts: its questions in order, each answer checked where it is
/// typed and asked again with the reason; «назад» returns to the previous question asked,
/// «отмена» asks to confirm. Questions answered by flags are not asked (and «назад» passes
/// them by). Reads through `Console.answer()`, like every prompt.
struct Questionnaire {
    struct Question {
        /// The prompt, without the colon.
        var text: String
        /// The flag that answers it in a script.
        var flag: String
        /// Enter leaves it empty (the handler gets nil).
        var optional = false
        /// What Enter does, said after an optional question.
        var enter = "пропустить"
        /// Answered by a flag: not asked.
        var given = false
        /// Shown when the operator types «?».
        var menu: String?
        /// Takes the answer (nil: left empty) or refuses it with the reason.
        var take: (String?) throws(FieldRefusal) -> Void
    }

    /// What the confirmation at the end says; «да»/Enter accepts.
    var confirmation: String
    /// What «отмена» cancels, for its confirmation («ввод анкеты»).
    var what: String
    var questions: [Question]
    /// The answers as a whole, shown before the confirmation.
    var summary: (() -> String)?
    /// A check of the answers so far that concerns one question (by its index): the reason
    /// to ask it again, or nil — the services' bounds, which no single answer's rule knows.
    var recheck: ((Int) -> String?)?

    /// Asks every question from `start` on, then the confirmation (`only`: the question at
    /// `start` alone, then the confirmation — a correction). Throws a `discarded` error when
    /// the operator confirmed «отмена», `Console.inputEnded` at the end of input.
    func run(from start: Int = 0, only: Bool = false) throws {
        var index = start
        // The summary is shown on arriving at the confirmation, not again at each re-ask.
        var arrived = true
        while index <= questions.count {
            if index < questions.count, questions[index].given {
                index += 1
                continue
            }
            let question = index < questions.count ? questions[index] : nil
            if question == nil, arrived, let summary { say(summary()) }
            arrived = false
            let hint = question.map { $0.optional ? " (Enter — \($0.enter))" : "" } ?? ""
            ask((question?.text ?? "\(confirmation) [Д/н]") + hint)
            guard let line = Console.answer() else { throw Console.inputEnded }
            let answer = line.trimmingCharacters(in: .whitespaces)
            switch answer.lowercased() {
            case "назад":
                guard let previous = questions[..<index].lastIndex(where: { !$0.given }) else {
                    say("Это первый вопрос")
                    continue
                }
                index = previous
                arrived = true
                continue
            case "отмена":
                if Console.confirm("Отменить \(what)? Ничего не будет сохранено", default: false) {
                    throw GatewayError("\(what.prefix(1).uppercased() + what.dropFirst()) отменён: ничего не сохранено", reason: .discarded)
                }
                continue
            case "?" where question?.menu != nil:
                say(question?.menu ?? "")
                continue
            default:
                break
            }
            guard let question else {
                if answer.isEmpty || answer.lowercased().hasPrefix("д") || answer.lowercased().hasPrefix("y") { return }
                say("Ответьте «да», «назад» (исправить ответ) или «отмена»")
                continue
            }
            if answer.isEmpty, !question.optional {
                say("\(question.text): ответ обязателен («назад» — предыдущий вопрос, «отмена» — отменить)")
                continue
            }
            do {
                try question.take(answer.isEmpty ? nil : answer)
                if let reason = recheck?(index) {
                    say(reason)
                    continue
                }
                index = only && index == start ? questions.count : index + 1
                arrived = true
            } catch {
                say(error.message)
            }
        }
    }

    private func ask(_ text: String) { FileHandle.standardError.write(Data("\(text): ".utf8)) }
    private func say(_ text: String) { FileHandle.standardError.write(Data("\(text)\n".utf8)) }
}
