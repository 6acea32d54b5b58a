// Texts in English and Russian, the names of the API's codes, and dates in
// the person's time zone. The language and zone are the account's (GET /me);
// before sign-in, the browser's language.
"use strict";

const TEXT = {
  en: {
    signIn: "Sign in", username: "Username", password: "Password", code: "One-time code",
    codeHelp: "The 6-digit code from your authenticator app, or a recovery code.",
    intro: "Sign in with your ngo-cases account.",
    signOut: "Sign out", signOutEverywhere: "Sign out everywhere", lock: "Lock screen",
    admin: "Administration", docs: "API documentation", failed: "Something went wrong. Try again.",
    notYours: "The workspace is for caseworkers, supervisors, coordinators and partner staff. Your work is in the administration.",
    navCases: "My cases", navFollowUps: "Follow-ups", navNotifications: "Notifications", navRegister: "Register a survivor",
    myCases: "My cases", reference: "Reference", survivor: "Survivor", status: "Status", risk: "Risk",
    nextFollowUp: "Next follow-up", opened: "Opened", overdue: "overdue", noCases: "No cases match.",
    searchReference: "Search by reference", anyStatus: "Any status", anyRisk: "Any risk", filter: "Show",
    erased: "(erased)", open: "Open",
    caseFile: "Case {reference}", team: "Team", trafficking: "Trafficking status", exploitation: "Exploitation",
    notes: "Notes", noNotes: "No notes yet.", newNote: "New note", addNote: "Add note",
    followUps: "Follow-ups", noFollowUps: "No follow-ups.", due: "Due", description: "Description",
    assignee: "Assignee", addFollowUp: "Add follow-up", complete: "Mark done", done: "Done",
    access: "Who can see this case and why", noAccess: "Nobody else.", holder: "Who", why: "Why",
    until: "Until", backToCases: "Back to my cases",
    conflict: "Someone else changed this while you were working. Nothing of yours was saved.",
    reload: "Reload and try again",
    myFollowUps: "My follow-ups", whenAll: "All open", whenDue: "Due", whenOverdue: "Overdue", caseCol: "Case",
    notifications: "Notifications", noNotifications: "No notifications.", markAllRead: "Mark all as read",
    unread: "unread",
    register: "Register a survivor", registerIntro: "First check whether this person is already known.",
    givenNames: "Given names", familyName: "Family name", dateOfBirth: "Date of birth", phone: "Phone",
    documentNumber: "Identity document number", check: "Check for duplicates",
    noMatches: "No one with these details is known.", matchesHere: "Known already — open their file instead:",
    othersExist: "Someone with these details is known elsewhere in the organisation, in a file you cannot see. Ask your supervisor before registering them again.",
    matchedOn: "matched on", registerAnyway: "Register and open a case", gender: "Gender",
    citizenships: "Citizenships (ISO codes, e.g. UZB, RUS)", languages: "Languages (ISO codes, e.g. uz, ru)",
    openCase: "Open the case", registered: "Registered. Now open a case in your team:",
    idleWarning: "You will be signed out in {seconds} seconds because nothing happened for a while.",
    stay: "Stay signed in", idleSignedOut: "You were signed out after {minutes} minutes without activity.",
    locked: "Screen locked", lockedHelp: "Enter your password to come back.", unlock: "Unlock",
    signedOutElsewhere: "Your session ended. Sign in again.",
    navReferrals: "Referrals", refAll: "All", refReceived: "Received", refSent: "Sent", refAwaiting: "Waiting for me",
    refTo: "To", refFrom: "From", urgency: "Urgency", services: "Services", sent: "Sent", noReferrals: "No referrals.",
    nothingShared: "The sender shared nothing more with you.", act_send: "Send", act_accept: "Accept", act_start: "Start",
    act_decline: "Decline", act_complete: "Complete", act_withdraw: "Withdraw", act_assign: "Assign",
    act_send_with_override: "Send without the survivor's consent",
    overrideWarning: "Only where consent cannot be obtained and the survivor is at risk. Your reason is kept with the referral and your name is recorded.",
    overrideReason: "Why consent cannot be obtained (at least 10 characters)",
    reason: "Reason", outcome: "Outcome", notesField: "Notes", deliveries: "Services delivered", started: "Started",
    ended: "Ended", noDeliveries: "None recorded yet.", recordDelivery: "Record a service delivered",
    referralTitle: "Referral {reference}", consentLapsed: "The survivor's consent has lapsed: shared details are hidden until it is renewed.",
    openCaseFile: "Open the case file", shared: "What the sender shared", revoke: "Revoke", revoked: "revoked",
    live: "live", expired: "expired", consentScope: "Consent for", givenBy: "Given by", method: "How", givenAt: "Given on",
    recordConsent: "Record consent", consents: "Consents", noConsents: "No consents recorded.", needs: "Needs",
    shareGroups: "Share with the organisation", newReferral: "New referral",
    shareHint: "Only what you tick is shown to the organisation, and only while the survivor's consent is live.",
    createReferral: "Create referral (sent in the next step)",
    closureReason: "Closure reason", closeCase: "Close the case", reopen: "Reopen the case", assignees: "Who works on the case",
    assign: "Assign", readOnlyBreakGlass: "Emergency access: you can read this case, not change it, until {until}. Your reading is logged and the supervisors are told.",
    breakGlass: "Emergency access to {reference}", breakGlassReason: "Why you need this case now",
    breakGlassHint: "None of your cases has this reference. You may open it read-only for a few hours: the reason, your reading and the time are logged, and the case's supervisors and the auditors are told.",
    breakGlassOpen: "Open read-only",
    account: "My account", language: "Language", timeZone: "Time zone (e.g. Europe/Moscow, Asia/Vladivostok)",
    emailDigest: "Reminder emails as one digest a day",
    assignedTo: "Assigned to",
    required: "Required.", save: "Save", theirCases: "Open their cases",
    match_name: "name", match_date_of_birth: "date of birth", match_phone: "phone", match_document_number: "document number",
    mfaTitle: "Two-factor sign-in", mfaFirst: "Set up two-factor sign-in first",
    mfaRequired: "Your organisation requires a code from an authenticator app at every sign-in. Set it up now: you need a phone with an authenticator app.",
    mfaOff: "Two-factor sign-in is off for your account. With it on, a stolen password alone cannot open your account.",
    mfaSetUp: "Set up an authenticator app", mfaScan: "Scan this code with the authenticator app, or type in the key below.",
    mfaQrAlt: "QR code for your authenticator app", mfaKey: "Key to type in instead:", mfaConfirm: "Confirm",
    mfaOn: "Two-factor sign-in is on. Recovery codes left: {count}.", newRecoveryCodes: "New recovery codes",
    recoveryCodes: "Your recovery codes",
    recoveryCodesHelp: "Each code opens your account once if your phone is lost. Write them on paper and keep them safe; they will not be shown again.",
    savedThem: "I have written them down",
    survivorFile: "The survivor's file", erasedFile: "This survivor's identity was erased: nothing of it can be read any more.",
    middleNames: "Middle names", aliases: "Aliases", aliasesHint: "Aliases (separated by commas)", placeOfBirth: "Place of birth",
    ageBand: "Age band", citizenshipsShort: "Citizenships", languagesShort: "Languages", migrationStatus: "Migration status",
    email: "Email", address: "Address", documents: "Identity documents", noDocuments: "No identity documents recorded.",
    docType: "Document", docNumber: "Number", docCountry: "Issued by (ISO code)", docExpiry: "Valid until",
    docExpired: "expired", docExpiresIn: "expires in {days} days", docAdd: "Add a document", docRemove: "Remove this document",
    docNumbered: "Document {n}", editIdentity: "Change identity, contact details or documents",
    milestones: "Identification, recovery period and support plan", noMilestones: "No milestones recorded.",
    milestoneKind: "Milestone", decision: "Decision", decidingBody: "Deciding body", startsOn: "Starts", endsOn: "Ends",
    period: "Period", completedOn: "Completed", newMilestone: "Record a milestone", recordMilestone: "Record",
    recordDecision: "Record the decision", markComplete: "Mark complete", details: "Details",
    recoveryHint: "Without an end date the recovery and reflection period ends after the organisation's standard length.",
    escalations: "Escalations", teamOverdue: "Overdue follow-ups in my teams", noTeamOverdue: "No follow-up in your teams is overdue.",
    daysLate: "{days} days late", unanswered: "Referrals still without an answer", noUnanswered: "Every referral sent has been answered.",
    daysWaiting: "waiting {days} days",
    directory: "Directory", orgName: "Name", orgSlug: "Short name (letters, digits, dashes)", orgType: "Type", region: "Region",
    about: "About", orgActive: "Active", addOrganisation: "Add an organisation", searchName: "Search by name",
    anyType: "Any type", anyService: "Any service", yes: "yes", no: "no", noOrganisations: "No organisation matches.",
    deactivate: "Deactivate", activate: "Activate", service: "Service", regionsHint: "Regions served (separated by commas)",
    regions: "Regions", addService: "Add a service", servicesOffered: "Services offered", noServices: "No services recorded.",
    remove: "Remove", contactName: "Contact's name", position: "Position", addContact: "Add a contact", contacts: "Contacts",
    noContacts: "No contacts recorded.", editOrganisation: "Change this organisation",
    filterType: "Show the type", filterService: "Show the service",
    editNote: "Change this note", noteText: "Note", changed: "changed", changeFollowUp: "Change",
    survivorDocuments: "The survivor's documents", caseDocuments: "Documents of the case", noDocuments: "No documents.",
    fileName: "File", category: "Category", size: "Size", uploaded: "Uploaded", chooseFile: "File (PDF, JPEG, PNG or WebP)",
    uploadFile: "Upload", deleteFile: "Delete", download: "Download", documentsToShare: "Documents the recipient may open",
    uploadHint: "Photos lose their location and camera details when uploaded. Everything is encrypted.",
    sharedDocuments: "Shared documents",
  },
  ru: {
    signIn: "Войти", username: "Имя пользователя", password: "Пароль", code: "Одноразовый код",
    codeHelp: "6-значный код из приложения-аутентификатора или резервный код.",
    intro: "Войдите со своей учётной записью ngo-cases.",
    signOut: "Выйти", signOutEverywhere: "Выйти на всех устройствах", lock: "Заблокировать экран",
    admin: "Администрирование", docs: "Документация API", failed: "Что-то пошло не так. Попробуйте ещё раз.",
    notYours: "Рабочее пространство — для социальных работников, руководителей групп, координаторов и сотрудников партнёров. Ваша работа — в администрировании.",
    navCases: "Мои дела", navFollowUps: "Контрольные сроки", navNotifications: "Уведомления", navRegister: "Зарегистрировать пострадавшего",
    myCases: "Мои дела", reference: "Номер", survivor: "Пострадавший", status: "Статус", risk: "Риск",
    nextFollowUp: "Ближайший срок", opened: "Открыто", overdue: "просрочено", noCases: "Дел не найдено.",
    searchReference: "Поиск по номеру", anyStatus: "Любой статус", anyRisk: "Любой риск", filter: "Показать",
    erased: "(удалено)", open: "Открыть",
    caseFile: "Дело {reference}", team: "Группа", trafficking: "Статус жертвы торговли людьми", exploitation: "Эксплуатация",
    notes: "Записи", noNotes: "Записей пока нет.", newNote: "Новая запись", addNote: "Добавить запись",
    followUps: "Контрольные сроки", noFollowUps: "Сроков нет.", due: "Срок", description: "Описание",
    assignee: "Исполнитель", addFollowUp: "Добавить срок", complete: "Отметить выполненным", done: "Выполнено",
    access: "Кто видит это дело и почему", noAccess: "Больше никто.", holder: "Кто", why: "Почему",
    until: "До", backToCases: "Назад к моим делам",
    conflict: "Пока вы работали, кто-то другой изменил эту запись. Ваши изменения не сохранены.",
    reload: "Обновить и повторить",
    myFollowUps: "Мои контрольные сроки", whenAll: "Все открытые", whenDue: "Наступившие", whenOverdue: "Просроченные", caseCol: "Дело",
    notifications: "Уведомления", noNotifications: "Уведомлений нет.", markAllRead: "Отметить все прочитанными",
    unread: "непрочитанных",
    register: "Регистрация пострадавшего", registerIntro: "Сначала проверьте, не известен ли уже этот человек.",
    givenNames: "Имя", familyName: "Фамилия", dateOfBirth: "Дата рождения", phone: "Телефон",
    documentNumber: "Номер документа, удостоверяющего личность", check: "Проверить на дубликаты",
    noMatches: "Человек с такими данными не известен.", matchesHere: "Уже известен — откройте его дело:",
    othersExist: "Человек с такими данными известен в организации, но его дело вам недоступно. Прежде чем регистрировать повторно, спросите руководителя.",
    matchedOn: "совпадение", registerAnyway: "Зарегистрировать и открыть дело", gender: "Пол",
    citizenships: "Гражданство (коды ISO, напр. UZB, RUS)", languages: "Языки (коды ISO, напр. uz, ru)",
    openCase: "Открыть дело", registered: "Зарегистрирован(а). Теперь откройте дело в своей группе:",
    idleWarning: "Через {seconds} с вы выйдете из системы: давно не было действий.",
    stay: "Остаться в системе", idleSignedOut: "Вы вышли из системы после {minutes} минут без действий.",
    locked: "Экран заблокирован", lockedHelp: "Введите пароль, чтобы вернуться.", unlock: "Разблокировать",
    signedOutElsewhere: "Сеанс завершён. Войдите снова.",
    navReferrals: "Направления", refAll: "Все", refReceived: "Полученные", refSent: "Отправленные", refAwaiting: "Ждут меня",
    refTo: "Куда", refFrom: "Откуда", urgency: "Срочность", services: "Услуги", sent: "Отправлено", noReferrals: "Направлений нет.",
    nothingShared: "Больше отправитель ничего не передал.", act_send: "Отправить", act_accept: "Принять", act_start: "Начать",
    act_decline: "Отклонить", act_complete: "Завершить", act_withdraw: "Отозвать", act_assign: "Назначить",
    act_send_with_override: "Отправить без согласия пострадавшего",
    overrideWarning: "Только если согласие получить нельзя, а человеку грозит опасность. Причина сохраняется в направлении, ваше имя записывается.",
    overrideReason: "Почему согласие получить нельзя (не меньше 10 символов)",
    reason: "Причина", outcome: "Результат", notesField: "Примечания", deliveries: "Оказанные услуги", started: "Начало",
    ended: "Окончание", noDeliveries: "Пока ничего не записано.", recordDelivery: "Записать оказанную услугу",
    referralTitle: "Направление {reference}", consentLapsed: "Срок согласия пострадавшего истёк: переданные сведения скрыты до его продления.",
    openCaseFile: "Открыть дело", shared: "Что передал отправитель", revoke: "Отозвать", revoked: "отозвано",
    live: "действует", expired: "истекло", consentScope: "Согласие на", givenBy: "Кто дал", method: "Как", givenAt: "Когда",
    recordConsent: "Записать согласие", consents: "Согласия", noConsents: "Согласий не записано.", needs: "Потребности",
    shareGroups: "Передать организации", newReferral: "Новое направление",
    shareHint: "Организация увидит только отмеченное и только пока действует согласие пострадавшего.",
    createReferral: "Создать направление (отправка — следующим шагом)",
    closureReason: "Причина закрытия", closeCase: "Закрыть дело", reopen: "Открыть дело снова", assignees: "Кто работает с делом",
    assign: "Назначить", readOnlyBreakGlass: "Экстренный доступ: вы можете читать это дело, но не менять его, до {until}. Чтение записывается, руководители получают уведомление.",
    breakGlass: "Экстренный доступ к {reference}", breakGlassReason: "Зачем вам это дело сейчас",
    breakGlassHint: "Среди ваших дел нет дела с таким номером. Вы можете открыть его только для чтения на несколько часов: причина, чтение и время записываются, руководители дела и аудиторы получают уведомление.",
    breakGlassOpen: "Открыть для чтения",
    account: "Моя учётная запись", language: "Язык", timeZone: "Часовой пояс (напр. Europe/Moscow, Asia/Vladivostok)",
    emailDigest: "Напоминания по почте одним письмом в день",
    assignedTo: "Назначено",
    required: "Обязательное поле.", save: "Сохранить", theirCases: "Открыть их дела",
    match_name: "имя", match_date_of_birth: "дата рождения", match_phone: "телефон", match_document_number: "номер документа",
    mfaTitle: "Двухфакторный вход", mfaFirst: "Сначала настройте двухфакторный вход",
    mfaRequired: "Ваша организация требует код из приложения-аутентификатора при каждом входе. Настройте его сейчас: нужен телефон с приложением-аутентификатором.",
    mfaOff: "Двухфакторный вход для вашей учётной записи выключен. Когда он включён, одного украденного пароля мало, чтобы войти.",
    mfaSetUp: "Настроить приложение-аутентификатор", mfaScan: "Отсканируйте этот код приложением-аутентификатором или введите ключ ниже.",
    mfaQrAlt: "QR-код для приложения-аутентификатора", mfaKey: "Ключ для ввода вручную:", mfaConfirm: "Подтвердить",
    mfaOn: "Двухфакторный вход включён. Осталось резервных кодов: {count}.", newRecoveryCodes: "Новые резервные коды",
    recoveryCodes: "Ваши резервные коды",
    recoveryCodesHelp: "Каждый код один раз открывает вашу учётную запись, если телефон потерян. Запишите их на бумаге и храните надёжно: больше они показаны не будут.",
    savedThem: "Я их записал(а)",
    survivorFile: "Данные пострадавшего", erasedFile: "Личные данные этого человека удалены: прочитать их больше нельзя.",
    middleNames: "Отчество / другие имена", aliases: "Другие имена", aliasesHint: "Другие имена (через запятую)", placeOfBirth: "Место рождения",
    ageBand: "Возрастная группа", citizenshipsShort: "Гражданство", languagesShort: "Языки", migrationStatus: "Миграционный статус",
    email: "Эл. почта", address: "Адрес", documents: "Документы, удостоверяющие личность", noDocuments: "Документы не записаны.",
    docType: "Документ", docNumber: "Номер", docCountry: "Кем выдан (код ISO)", docExpiry: "Действует до",
    docExpired: "истёк", docExpiresIn: "истекает через {days} дн.", docAdd: "Добавить документ", docRemove: "Убрать этот документ",
    docNumbered: "Документ {n}", editIdentity: "Изменить личные данные, контакты или документы",
    milestones: "Идентификация, период восстановления и план поддержки", noMilestones: "Этапы не записаны.",
    milestoneKind: "Этап", decision: "Решение", decidingBody: "Кто принял решение", startsOn: "Начало", endsOn: "Окончание",
    period: "Срок", completedOn: "Завершено", newMilestone: "Записать этап", recordMilestone: "Записать",
    recordDecision: "Записать решение", markComplete: "Отметить завершённым", details: "Подробности",
    recoveryHint: "Без даты окончания период восстановления и размышления заканчивается через стандартный для организации срок.",
    escalations: "Эскалации", teamOverdue: "Просроченные задачи моих групп", noTeamOverdue: "Просроченных задач в ваших группах нет.",
    daysLate: "просрочено на {days} дн.", unanswered: "Направления без ответа", noUnanswered: "На все отправленные направления ответили.",
    daysWaiting: "ждёт {days} дн.",
    directory: "Справочник", orgName: "Название", orgSlug: "Краткое имя (латиница, цифры, дефисы)", orgType: "Тип", region: "Регион",
    about: "Описание", orgActive: "Действует", addOrganisation: "Добавить организацию", searchName: "Поиск по названию",
    anyType: "Любой тип", anyService: "Любая услуга", yes: "да", no: "нет", noOrganisations: "Организаций не найдено.",
    deactivate: "Отключить", activate: "Включить", service: "Услуга", regionsHint: "Регионы работы (через запятую)",
    regions: "Регионы", addService: "Добавить услугу", servicesOffered: "Услуги", noServices: "Услуги не записаны.",
    remove: "Удалить", contactName: "Имя контакта", position: "Должность", addContact: "Добавить контакт", contacts: "Контакты",
    noContacts: "Контакты не записаны.", editOrganisation: "Изменить организацию",
    filterType: "Показать тип", filterService: "Показать услугу",
    editNote: "Изменить заметку", noteText: "Заметка", changed: "изменено", changeFollowUp: "Изменить",
    survivorDocuments: "Документы пострадавшего", caseDocuments: "Документы дела", noDocuments: "Документов нет.",
    fileName: "Файл", category: "Категория", size: "Размер", uploaded: "Загружен", chooseFile: "Файл (PDF, JPEG, PNG или WebP)",
    uploadFile: "Загрузить", deleteFile: "Удалить", download: "Скачать", documentsToShare: "Документы, которые получатель сможет открыть",
    uploadHint: "У фотографий при загрузке удаляются место съёмки и сведения о камере. Всё хранится в зашифрованном виде.",
    sharedDocuments: "Переданные документы",
  },
};

// The API's codes in words, from GET /vocabularies in the person's language
// (the server's translations: one wording for the admin, the API and here).
let vocabularies = {};

export function setVocabularies(data) {
  vocabularies = data;
}

/** [code, label] pairs of a code list, in the API's order. */
export const terms = (name) => (vocabularies[name] || []).map((term) => [term.code, term.label]);

/** The word for an API code of the named code list, or the code itself. */
export function word(name, code) {
  if (!code) return "";
  const term = (vocabularies[name] || []).find((item) => item.code === code);
  return term ? term.label : code;
}

let language = (navigator.language || "en").toLowerCase().startsWith("ru") ? "ru" : "en";
let zone = Intl.DateTimeFormat().resolvedOptions().timeZone;

export function setLocale(code, timeZone) {
  language = code === "ru" ? "ru" : "en";
  if (timeZone) zone = timeZone;
  document.documentElement.lang = language;
}

export const currentLanguage = () => language;

/** The text for `key`, with {name} placeholders filled from `values`. */
export function t(key, values = {}) {
  const text = TEXT[language][key] ?? TEXT.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));
}

/** A timestamp as a date and time in the person's zone. */
export const dateTime = (value) =>
  value ? new Intl.DateTimeFormat(language, { dateStyle: "medium", timeStyle: "short", timeZone: zone }).format(new Date(value)) : "";

/** A calendar date (YYYY-MM-DD, no zone) as the person writes dates. */
export function date(value) {
  if (!value) return "";
  const [year, month, day] = value.split("-").map(Number);
  return new Intl.DateTimeFormat(language, { dateStyle: "medium", timeZone: "UTC" }).format(Date.UTC(year, month - 1, day));
}

/** A calendar date (YYYY-MM-DD) as a whole number of days, for counting days between two dates. */
export function dayNumber(isoDate) {
  const [year, month, day] = isoDate.split("-").map(Number);
  return Date.UTC(year, month - 1, day) / 86400000;
}

/** Today in the person's zone, as YYYY-MM-DD. */
export function today() {
  return new Intl.DateTimeFormat("en-CA", { timeZone: zone }).format(new Date());
}
