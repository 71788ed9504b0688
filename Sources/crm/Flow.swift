import Gateway

/// Questions asked one after another where «назад» at any of them returns to the one
/// before (with the answers as they were then) and a confirmed «отмена» ends the flow. A
/// step that asked nothing (its answer came from a flag, or there was one choice) is
/// passed over on the way back, so «назад» always reaches a question.
struct Flow<State> {
    struct Step {
        let run: (inout State) async throws -> Step?

        init(_ run: @escaping (inout State) async throws -> Step?) { self.run = run }
    }

    var state: State

    /// Runs from `first` until a step returns nil; the state as the last step left it.
    /// `backFromFirst`: «назад» at the first question leaves the flow (to the caller's
    /// question before it) instead of being refused.
    mutating func run(from first: Step, backFromFirst: Bool = false) async throws {
        let movesBefore = Console.movesAllowed
        Console.movesAllowed = true
        defer { Console.movesAllowed = movesBefore }
        var history: [(step: Step, before: State, asked: Bool)] = []
        var current: Step? = first
        while let step = current {
            let before = state
            let read = Console.answersRead
            do {
                current = try await step.run(&state)
                history.append((step, before, Console.answersRead > read))
            } catch let error as GatewayError where error.reason == .back {
                state = before
                // Back to the last step that asked something; the steps after it are undone.
                guard let index = history.lastIndex(where: \.asked) else {
                    if backFromFirst { throw error }
                    Console.say("Назад некуда: это первый вопрос")
                    continue
                }
                let target = history[index]
                history.removeSubrange(index...)
                state = target.before
                current = target.step
            }
        }
    }
}
