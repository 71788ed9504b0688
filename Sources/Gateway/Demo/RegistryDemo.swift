import CRMAPI
import Foundation
import RPCCore
import Wire

/// The registry part of the demo: login, search in every shape, the card and its tabs,
/// edits with their rules and history, the bureau decision, a recommendation, and the
/// collector's identification.
struct RegistryDemo {
    let run: DemoRun
    let registry: ServiceEndpoints.Endpoint
    let smsFile: URL

    /// Returns the operator's session when the login worked, for the parts that follow.
    @discardableResult
    func perform() async -> Session? {
        var operatorSession: Session?
        await run.step("Вход оператора \(DemoScenario.vcc.login): логин, SMS с кодом, пароль из 10 цифр") {
            let session = try await OperatorLogin.login(
                DemoScenario.vcc.login, mobile: DemoScenario.vcc.mobile, registry: registry, smsFile: smsFile
            )
            run.say("Вы вошли: \(session.fullName), \(session.role)")
            run.expect(session.role == "Специалист Virtual CC", "роль \(session.role)")
            operatorSession = session
        }
        guard let session = operatorSession else { return nil }
        let client = RegistryV1.ClientRegistry.Client(wrapping: registry.client(metadata: bearer(session)).rpc)
        let call = registry.client(metadata: bearer(session))

        await run.step("Без входа в систему сервис не отвечает") {
            let anonymous = RegistryV1.ClientRegistry.Client(wrapping: registry.client().rpc)
            let refusal = await run.expectRefusal("поиск без токена") {
                try await registry.client().call { _ in try await anonymous.searchByPhone(.init(phone: DemoScenario.sharedPhone)) }
            }
            run.expect(refusal?.code == .unauthenticated, "код \(String(describing: refusal?.code))")
        }

        var clientCard: RegistryV1.CardSummary?
        var internetCard: RegistryV1.CardSummary?
        await run.step("Поиск по телефону, набранному по-разному: все находят одни и те же карточки") {
            var found: [Set<Int64>] = []
            for shape in DemoScenario.sharedPhoneShapes {
                let answer = try await call.call { _ in try await client.searchByPhone(.init(phone: shape)) }
                found.append(Set(answer.cards.map(\.cardID)))
                run.say("«\(shape)» → \(Labels.phone(answer.normalizedPhone)): карточек \(answer.cards.count)")
                if shape == DemoScenario.sharedPhoneShapes.first {
                    run.say(CardView.summaries(answer.cards))
                    clientCard = answer.cards.first { $0.type == .client }
                    internetCard = answer.cards.first { $0.type == .internetApplicant }
                }
            }
            run.expect(Set(found).count == 1, "разные формы номера нашли разные карточки: \(found)")
            run.expect(clientCard != nil && internetCard != nil, "нет карточек типов Клиент и Заявитель Интернет")
            let city = try await call.call { _ in try await client.searchByPhone(.init(phone: DemoScenario.cityPhoneShape)) }
            run.say("«\(DemoScenario.cityPhoneShape)» → \(Labels.phone(city.normalizedPhone)): карточек \(city.cards.count)")
            run.expect(city.normalizedPhone == "8125893369" && !city.cards.isEmpty, "городской номер не найден")
        }

        await run.step("Номер, который не может быть российским, — понятный отказ с названием поля") {
            let refusal = await run.expectRefusal("поиск по 12345") {
                try await call.call { _ in try await client.searchByPhone(.init(phone: "12345")) }
            }
            run.expect(refusal?.code == .invalidArgument, "код \(String(describing: refusal?.code))")
        }

        guard let clientCard, let internetCard else { return session }
        await run.step("Карточка клиента: личные данные и вкладки") {
            let card = try await call.call { _ in try await client.getCard(.init(cardID: clientCard.cardID)) }.card
            guard let card else { return run.fail("карточка \(clientCard.cardID) не найдена") }
            run.say(CardView.personal(card))
            run.expect(card.age > 0 && card.region?.moscowOffsetHours != nil, "нет возраста или региона")
            let products = try await call.call { _ in try await client.listCurrentProducts(.init(cardID: card.cardID)) }.products
            run.say("Текущие продукты\n" + CardView.products(products))
            let closed = try await call.call { _ in try await client.listProductHistory(.init(cardID: card.cardID)) }.products
            run.say("История оформленных продуктов\n" + CardView.products(closed))
            let halva = try await call.call { _ in try await client.listHalvaTransactions(.init(cardID: card.cardID, pageSize: 5)) }
            run.say("Транзакции по Халве (последние 5)\n" + CardView.halva(halva.transactions))
            run.expect(!products.isEmpty && !closed.isEmpty && halva.transactions.count == 5, "пустые вкладки")
            let times = halva.transactions.map(\.occurredUnixMs)
            run.expect(times == times.sorted(by: >), "транзакции не от новых к старым")
        }

        await run.step("Личные данные карточки «Клиент» не редактируются — отказ с правилом, ничего не записано") {
            let card = try await call.call { _ in try await client.getCard(.init(cardID: clientCard.cardID)) }.card!
            var request = RegistryV1.UpdatePersonalDataRequest(cardID: card.cardID, expectedVersion: card.version)
            request.fullName = card.fullName
            request.fullName?.surname = "Смирнов-Петров"
            request.birthDate = card.birthDate
            request.regionCode = card.region?.code ?? ""
            request.settlement = card.settlement
            let refusal = await run.expectRefusal("правка личных данных Клиента") {
                try await call.call { _ in try await client.updatePersonalData(request) }
            }
            run.expect(refusal?.code == .failedPrecondition, "код \(String(describing: refusal?.code))")
            let after = try await call.call { _ in try await client.getCard(.init(cardID: card.cardID)) }.card!
            run.expect(after.version == card.version && after.fullName == card.fullName, "карточка изменилась после отказа")
        }

        await run.step("Заявитель Интернет: фамилия исправлена, изменение в истории; второй оператор со старой версией получает отказ") {
            let card = try await call.call { _ in try await client.getCard(.init(cardID: internetCard.cardID)) }.card!
            var request = RegistryV1.UpdatePersonalDataRequest(cardID: card.cardID, expectedVersion: card.version)
            request.fullName = card.fullName
            request.fullName?.surname = "Смирнов"
            request.fullName?.name = "Алексей"
            request.fullName?.patronymic = "Викторович (испр.)"
            request.birthDate = card.birthDate
            request.regionCode = card.region?.code ?? ""
            request.settlement = card.settlement
            request.comment = "Клиент уточнил отчество"
            let updated = try await call.call { _ in try await client.updatePersonalData(request) }.card!
            run.say("Отчество теперь: \(updated.fullName?.patronymic ?? "")")
            let stale = await run.expectRefusal("правка по устаревшей версии") {
                try await call.call { _ in try await client.updatePersonalData(request) }
            }
            run.expect(stale?.code == .aborted, "код \(String(describing: stale?.code))")
            let changes = try await call.call { _ in try await client.listContactChanges(.init(cardID: card.cardID, pageSize: 10)) }.changes
            run.say("История изменения данных\n" + CardView.changes(changes))
            run.expect(changes.contains { $0.newValue.contains("(испр.)") }, "нет строки истории")
        }

        await run.step("Контактные данные: добавлен контактный телефон, затем вычеркнут с причиной «Не используется»") {
            var card = try await call.call { _ in try await client.getCard(.init(cardID: internetCard.cardID)) }.card!
            let added = try await call.call { _ in
                try await client.addContactData(.init(
                    cardID: card.cardID, expectedVersion: card.version,
                    contact: .init(kind: .contactPhone, value: "+7 (916) 555-12-34"), comment: "Продиктовал клиент"
                ))
            }
            card = added.card!
            guard let entry = card.contacts.first(where: { $0.kind == .contactPhone && !$0.struckOut }) else {
                return run.fail("контактный телефон не добавлен")
            }
            let struck = try await call.call { _ in
                try await client.strikeOutContactData(.init(
                    cardID: card.cardID, expectedVersion: card.version, entryID: entry.id,
                    reason: .notInUse, comment: "Номер больше не обслуживается"
                ))
            }.card!
            run.say(CardView.personal(struck))
            let changes = try await call.call { _ in try await client.listContactChanges(.init(cardID: card.cardID, pageSize: 10)) }.changes
            run.expect(changes.contains { $0.reason == .notInUse }, "вычеркивание не попало в историю")
        }

        await run.step("Решение БКИ: по клиенту с просрочкой — Отказ; повторный запрос в течение 10 дней берёт прежнее решение") {
            let card = try await call.call { _ in try await client.getCard(.init(cardID: clientCard.cardID)) }.card!
            let request = RegistryV1.RequestBureauDecisionRequest(
                cardID: card.cardID,
                passport: TypesV1.Passport(series: DemoScenario.clientPassport.series, number: DemoScenario.clientPassport.number),
                birthDate: card.birthDate
            )
            let first = try await call.call { _ in try await client.requestBureauDecision(request) }
            run.say("Предварительное решение: \(first.decision == .approved ? "ОДОБРЕНО" : "ОТКАЗ") (\(first.rule))")
            let second = try await call.call { _ in try await client.requestBureauDecision(request) }
            run.say("Повторный запрос: \(second.reused ? "взято решение от \(CardView.dateTime(second.decidedUnixMs))" : "новое решение")")
            run.expect(first.decision == .rejected, "ожидался отказ")
            run.expect(second.reused && second.decisionID == first.decisionID, "решение не переиспользовано")
        }

        await run.step("Ввод рекомендации: специалисту VCC нельзя, сотруднику офиса — можно; карточка связана") {
            let request = RegistryV1.AddRecommendationRequest(
                recommenderCardID: clientCard.cardID,
                fullName: TypesV1.FullName(surname: "Смирнова", name: "Татьяна", patronymic: "Алексеевна"),
                regionCode: (try await call.call { _ in try await client.getCard(.init(cardID: clientCard.cardID)) }.card?.region?.code) ?? "",
                birthDate: TypesV1.Date(year: 1988, month: 5, day: 20),
                mobilePhone: "+7 917 100-20-30", contactPhone: ""
            )
            let denied = await run.expectRefusal("рекомендация от VCC") {
                try await call.call { _ in try await client.addRecommendation(request) }
            }
            run.expect(denied?.code == .permissionDenied, "код \(String(describing: denied?.code))")
            let office = try await OperatorLogin.login(
                DemoScenario.office.login, mobile: DemoScenario.office.mobile, registry: registry, smsFile: smsFile
            )
            let officeCall = registry.client(metadata: bearer(office))
            let officeClient = RegistryV1.ClientRegistry.Client(wrapping: officeCall.rpc)
            var idempotent = Metadata()
            idempotent.idempotencyKey = "demo-recommendation-1"
            let created = try await officeCall.call { _ in try await officeClient.addRecommendation(request, metadata: idempotent) }.card!
            run.say("Создана карточка \(created.cardID): \(Labels.cardType(created.type)), \(Labels.fullName(created.fullName))")
            let linked = try await officeCall.call { _ in try await officeClient.listLinkedCards(.init(cardID: clientCard.cardID)) }.cards
            run.say("Связанные карточки\n" + CardView.summaries(linked))
            run.expect(created.type == .recommendation && linked.contains { $0.cardID == created.cardID }, "карточка не связана")
        }

        await run.step("Взыскание: идентификация по телефону — свой номер, номер 3-го лица, договор без долга не находится") {
            let collector = try await OperatorLogin.login(
                DemoScenario.collector.login, mobile: DemoScenario.collector.mobile, registry: registry, smsFile: smsFile
            )
            let collectorCall = registry.client(metadata: bearer(collector))
            let collectorClient = RegistryV1.ClientRegistry.Client(wrapping: collectorCall.rpc)
            for (phone, expected) in [(DemoScenario.sharedPhone, TypesV1.PhoneOwnership.client), (DemoScenario.thirdPartyPhone, .thirdParty)] {
                let matches = try await collectorCall.call { _ in try await collectorClient.identifyDebtorByPhone(.init(phone: phone)) }.matches
                for match in matches {
                    run.say("\(Labels.phone(phone)): договор \(match.contractNumber), \(Labels.fullName(match.borrower)), "
                        + (match.phoneOwnership == .thirdParty ? "Тип телефона: Телефон 3-го лица" : "Телефон клиента"))
                }
                run.expect(matches.contains { $0.contractNumber == DemoScenario.debtContract && $0.phoneOwnership == expected },
                           "\(phone): нет договора \(DemoScenario.debtContract) с нужным типом телефона")
            }
            let none = try await collectorCall.call { _ in try await collectorClient.identifyDebtorByPhone(.init(phone: DemoScenario.paidUpPhone)) }.matches
            run.say("\(Labels.phone(DemoScenario.paidUpPhone)): найдено договоров с долгом: \(none.count)")
            run.expect(none.isEmpty, "найден договор без долга")
        }
        return session
    }

    private func bearer(_ session: Session) -> Metadata {
        var metadata = Metadata()
        metadata.bearerToken = session.token
        return metadata
    }
}
