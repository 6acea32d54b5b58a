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
    notYours: "The workspace shows cases to caseworkers and supervisors. Your work is in the administration.",
    navCases: "My cases", navFollowUps: "Follow-ups", navNotifications: "Notifications", navRegister: "Register a survivor",
    myCases: "My cases", reference: "Reference", survivor: "Survivor", status: "Status", risk: "Risk",
    nextFollowUp: "Next follow-up", opened: "Opened", overdue: "overdue", noCases: "No cases match.",
    searchReference: "Search by reference", anyStatus: "Any status", anyRisk: "Any risk", filter: "Show",
    erased: "(erased)", open: "Open",
    caseFile: "Case {reference}", team: "Team", trafficking: "Trafficking status", exploitation: "Exploitation",
    notes: "Notes", noNotes: "No notes yet.", newNote: "New note", addNote: "Add note",
    followUps: "Follow-ups", noFollowUps: "No follow-ups.", due: "Due", description: "Description",
    assignee: "Assignee", addFollowUp: "Add follow-up", complete: "Mark done", done: "Done",
    access: "Who can see this case and why", noAccess: "Nobody else.", holder: "Who", reason: "Why",
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
    required: "Required.", save: "Save", theirCases: "Open their cases",
  },
  ru: {
    signIn: "Войти", username: "Имя пользователя", password: "Пароль", code: "Одноразовый код",
    codeHelp: "6-значный код из приложения-аутентификатора или резервный код.",
    intro: "Войдите со своей учётной записью ngo-cases.",
    signOut: "Выйти", signOutEverywhere: "Выйти на всех устройствах", lock: "Заблокировать экран",
    admin: "Администрирование", docs: "Документация API", failed: "Что-то пошло не так. Попробуйте ещё раз.",
    notYours: "Рабочее пространство показывает дела социальным работникам и руководителям групп. Ваша работа — в администрировании.",
    navCases: "Мои дела", navFollowUps: "Контрольные сроки", navNotifications: "Уведомления", navRegister: "Зарегистрировать пострадавшего",
    myCases: "Мои дела", reference: "Номер", survivor: "Пострадавший", status: "Статус", risk: "Риск",
    nextFollowUp: "Ближайший срок", opened: "Открыто", overdue: "просрочено", noCases: "Дел не найдено.",
    searchReference: "Поиск по номеру", anyStatus: "Любой статус", anyRisk: "Любой риск", filter: "Показать",
    erased: "(удалено)", open: "Открыть",
    caseFile: "Дело {reference}", team: "Группа", trafficking: "Статус жертвы торговли людьми", exploitation: "Эксплуатация",
    notes: "Записи", noNotes: "Записей пока нет.", newNote: "Новая запись", addNote: "Добавить запись",
    followUps: "Контрольные сроки", noFollowUps: "Сроков нет.", due: "Срок", description: "Описание",
    assignee: "Исполнитель", addFollowUp: "Добавить срок", complete: "Отметить выполненным", done: "Выполнено",
    access: "Кто видит это дело и почему", noAccess: "Больше никто.", holder: "Кто", reason: "Почему",
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
    required: "Обязательное поле.", save: "Сохранить", theirCases: "Открыть их дела",
  },
};

// The API's codes in words (the same words as the admin's).
const CODES = {
  en: {
    Active: "Active", FollowUp: "Follow-up", Closed: "Closed", ClosedReferred: "Closed, referred",
    high: "High", medium: "Medium", low: "Low", open: "Open", done: "Done", cancelled: "Cancelled",
    PossibleVictim: "Possible victim", ActualVictim: "Actual victim", NotAVictim: "Not a victim",
    owner: "owner", assigned: "assigned", team_supervisor: "team supervisor", referral: "referral", break_glass: "break-glass",
    name: "name", date_of_birth: "date of birth", phone: "phone", document_number: "document number",
    Feminine: "Female", Masculine: "Male", TransgenderFeminine: "Transgender female",
    TransgenderMasculine: "Transgender male", NonConforming: "Gender non-conforming", NonSpecifiedUnknown: "Not specified",
  },
  ru: {
    Active: "Активно", FollowUp: "Наблюдение", Closed: "Закрыто", ClosedReferred: "Закрыто, передано",
    high: "Высокий", medium: "Средний", low: "Низкий", open: "Открыт", done: "Выполнен", cancelled: "Отменён",
    PossibleVictim: "Возможная жертва", ActualVictim: "Жертва", NotAVictim: "Не жертва",
    owner: "владелец", assigned: "назначен(а)", team_supervisor: "руководитель группы", referral: "направление", break_glass: "экстренный доступ",
    name: "имя", date_of_birth: "дата рождения", phone: "телефон", document_number: "номер документа",
    Feminine: "Женский", Masculine: "Мужской", TransgenderFeminine: "Трансгендерная женщина",
    TransgenderMasculine: "Трансгендерный мужчина", NonConforming: "Гендерно неконформный", NonSpecifiedUnknown: "Не указан",
  },
};

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

/** The word for an API code (status, risk, reason…), or the code itself. */
export const word = (code) => (code ? CODES[language][code] ?? code : "");

/** A timestamp as a date and time in the person's zone. */
export const dateTime = (value) =>
  value ? new Intl.DateTimeFormat(language, { dateStyle: "medium", timeStyle: "short", timeZone: zone }).format(new Date(value)) : "";

/** A calendar date (YYYY-MM-DD, no zone) as the person writes dates. */
export function date(value) {
  if (!value) return "";
  const [year, month, day] = value.split("-").map(Number);
  return new Intl.DateTimeFormat(language, { dateStyle: "medium", timeZone: "UTC" }).format(Date.UTC(year, month - 1, day));
}

/** Today in the person's zone, as YYYY-MM-DD. */
export function today() {
  return new Intl.DateTimeFormat("en-CA", { timeZone: zone }).format(new Date());
}
