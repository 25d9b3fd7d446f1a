"""Language-general cue words for negation, modality, habitual aspect and attribution.

These are properties of how news sentences are written, not of one story: the watch file
supplies the actors and predicates, this module decides their scope. Each list mixes
English, Japanese, Korean, Chinese, Russian, Spanish, French and German cues.
"""

from __future__ import annotations

# Negation of the predicate (looked for between the actor and the cue, and just around the cue).
NEGATION: tuple[str, ...] = (
    "not", "n't", "no", "never", "yet to", "has yet", "have yet", "neither", "nor", "without", "failed to",
    "silent", "silence", "ignored", "unanswered", "absence of", "lack of", "refrained from",
    # ja (post-verbal forms are matched after the cue)
    "ていない", "ていません", "ない", "なし", "なく", "ず", "せず", "未", "まだ", "沈黙", "無反応",
    # ko
    "않", "없", "못", "아직", "침묵", "묵묵부답",
    # zh
    "没有", "没", "未", "尚未", "并未", "不", "无", "沉默",
    # ru / es / fr / de
    "не", "нет", "пока не", "ни", "молч", "no ha", "aún no", "todavía no", "sin", "ningun", "ne ", "pas",
    "aucun", "sans", "nicht", "kein", "noch nicht",
)
# Negative pronouns right after a verb of saying: nothing was said ("said nothing", "dijo nada").
SAID_NOTHING: tuple[str, ...] = ("nothing", "rien", "nada", "nichts", "ничего", "none", "no word")
# Refusal verbs before a predicate negate it ("rejected contact", "ruled out talks"); not checked on the cue.
REFUSAL: tuple[str, ...] = (
    "reject*", "refus*", "rebuff*", "ruled out", "rules out", "rule out", "turned down", "shut* the door on",
    "shut* door on", "called off", "cancel*", "拒否", "拒絶", "거부", "거절", "拒绝", "отверг*", "rechaz*", "refus*",
)
# A negated exclusion before a predicate keeps it possible, not negated ("did not rule out contacts",
# "не исключила контакты", 接触を排除しない): a prospect, like "contacts have not been ruled out".
LITOTES: tuple[str, ...] = (
    "not rule out", "not ruling out", "did not rule out", "does not rule out", "didn't rule out", "doesn't rule out",
    "не исключ*", "не исключа*", "n'exclut pas", "n'a pas exclu", "no descarta", "no descartó", "no ha descartado",
    "schließt nicht aus", "schloss nicht aus", "nicht ausgeschlossen", "排除しない", "排除せず", "排除しなかった",
    "배제하지 않", "不排除", "未排除",
)
# Speculation, conditions, questions and expectations: the event has not (certainly) happened.
SPECULATIVE: tuple[str, ...] = (
    "may", "might", "could", "would", "possibly", "possible", "likely", "unlikely", "expected to", "whether",
    "expect", "expects", "expecting", "predicts", "predicted",
    "if ", "unclear", "uncertain", "awaiting", "await", "waiting for", "wait for", "ahead of", "potential",
    # a prospect named as a noun: "a green light for contact", "the path to talks", "chances of a summit"
    "green light for", "path to", "road to", "prospect of", "prospects of", "prospects for", "chance of", "chances of",
    "chances for", "hopes of", "hopes for", "opening for",
    "speculat*", "rumou?r*", "hoping", "hope", "hopes", "any response", "any reply", "should",
    "見通し", "可能性", "かどうか", "か注目", "注目される", "待って", "期待", "とみられ", "予想",
    "가능성", "전망", "지 주목", "기다리", "기대", "예상", "여부",
    "可能", "是否", "如果", "假如", "若", "预计", "有望", "等待", "期待", "或将",
    "может", "могут", "могли бы", "мог бы", "смогут", "возможно", "ожида", "ли ", "puede", "pueden", "podría",
    "podrían", "posible", "espera", "pourrait", "pourraient", "attend",
    "könnte", "könnten", "wartet", "wenn", "falls", "если", "si ",
    # conditionals attached to the verb in ja/ko/zh ("帰国すれば", "귀국하면")
    "すれば", "れば", "なら", "たら", "하면", "되면", "오면", "가면", "으면", "如果", "的话",
)
# Definite future / plans: the event is announced but not yet done.
FUTURE: tuple[str, ...] = (
    "will", "shall", "going to", "plans to", "plan to", "set to", "is to", "are to", "scheduled to",
    "intends to", "to be held", "next week", "next month", "soon", "shortly",
    "予定", "方針", "へ", "する見込み", "近く", "近日", "예정", "계획", "조만간", "곧", "将", "将于", "计划", "即将",
    "будет", "планиру", "скоро", "va a", "prevé", "va ", "pronto", "bientôt", "wird", "bald",
)
# Desire / request: an actor wants something to happen.
DESIRE: tuple[str, ...] = (
    "want*", "wish*", "hope*", "seek*", "sought", "desire*", "eager", "willing*", "ready to", "open to",
    "call* for", "urg*", "push* for", "aim*", "propos*", "offer*", "request*", "ask*", "invit*", "press* for",
    "意欲", "望", "求め", "要請", "希望", "意向", "呼びかけ", "提案", "제안", "提议", "희망", "원하", "촉구", "요청", "의향", "愿意", "希望",
    "寻求", "呼吁", "хочет", "готов", "призыва", "quiere", "dispuesto", "souhaite", "prêt",
    "要求", "요구", "wirbt", "werben", "bemüht", "fordert",
    # purpose: what an act is for is its aim, not a second act ("eases the ban to host a delegation")
    "in order to", "so as to", "to host", "to allow", "to let", "to enable", "to pave the way", "paving the way",
    "のため", "ための", "위해", "위한", "为了", "以便", "чтобы", "para que", "afin de", "pour permettre", "damit",
)
# Habitual / long-standing position: a restated old stance, not a new act.
HABITUAL: tuple[str, ...] = (
    "has long", "have long", "long insisted", "long maintained", "has always", "has repeatedly",
    "has consistently", "had sought", "had asked", "had proposed", "had offered", "had requested", "had urged",
    "had called for", "keep seeking", "keep pushing", "keep pressing", "continue to seek", "continues to seek", "has maintained", "has insisted", "has claimed", "has said", "has argued",
    "has stated", "has stuck", "maintains", "insists", "has stood", "has held", "previously", "in the past",
    "reiterat*", "restat*", "once again", "keeps", "continues to",
    "for months", "for years", "for decades", "seit monaten", "seit jahren", "seit jahrzehnten", "seit langem",
    "depuis des mois", "depuis des annees", "desde hace", "годами", "長年", "수년째", "多年来",
    "so far", "지금까지", "至今",
    "これまで", "従来", "一貫して", "かねて", "그동안", "줄곧", "기존", "종전", "一直", "始终", "此前", "一贯",
    "неоднократно", "ранее", "всегда", "siempre", "ha sostenido", "toujours", "a toujours",
)
# Time anchors that make a perfect-tense sentence report a new act (today, on Monday, this week...).
ANCHOR: tuple[str, ...] = (
    "today", "on monday", "on tuesday", "on wednesday", "on thursday", "on friday", "on saturday",
    "on sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    "this week", "earlier this week", "this morning", "tonight", "late on",
    "今日", "本日", "きょう", "月曜", "火曜", "水曜", "木曜", "金曜", "土曜", "日曜",
    "오늘", "월요일", "화요일", "수요일", "목요일", "금요일", "토요일", "일요일",
    "今天", "周一", "周二", "周三", "周四", "周五", "周六", "周日", "星期",
    "сегодня", "в понедельник", "во вторник", "в среду", "в четверг", "в пятницу",
)
# Speech / attribution verbs: who says it.
SPEECH: tuple[str, ...] = (
    "said", "says", "say", "told", "tells", "stated", "claimed", "claims", "believes", "believe",
    "thinks", "according to", "suggested", "suggests", "insisted", "argued", "noted", "added",
    "述べ", "語っ", "明らかにし", "によると", "と話", "との見方", "밝혔", "말했", "전했", "따르면",
    "주장", "表示", "称", "据", "说", "认为", "заявил", "сказал", "по словам", "считает", "dijo",
    "según", "afirmó", "selon", "a déclaré", "a dit", "sagte", "laut",
)
# Predicates about a mental state or disposition (what someone thinks/wants), as opposed to acts.
MENTAL: tuple[str, ...] = (
    "want*", "wish*", "willing*", "open to", "interested", "keen", "eager", "ready to", "thinks",
    "believes", "hopes", "feels", "positive about", "receptive",
    "意向", "前向き", "関心", "望んで", "의향", "관심", "원하", "긍정적", "愿意", "有意", "兴趣", "积极",
    "готов", "хочет", "заинтересован", "dispuesto", "interesado", "prêt", "intéressé",
)
# Litotes of willingness: "not against", "не против", "pas opposé", "nicht abgeneigt", 反対しない.
NOT_AGAINST: tuple[str, ...] = (
    "not against", "not opposed", "не против", "не возражает", "pas opposé", "pas hostile", "no se opone",
    "nicht abgeneigt", "nicht dagegen", "反対しない", "반대하지 않", "不反对", "serait prêt", "sería",
)
# Hedges that make a reported act less than official (raises to official when absent).
HEDGE: tuple[str, ...] = (
    "reportedly", "sources", "source said", "source familiar", "people familiar", "unconfirmed",
    "according to media", "according to reports", "media reported", "reports said", "is said to",
    "関係者", "によると", "報道", "消息筋", "소식통", "보도", "관계자", "据报道", "消息人士", "知情人士",
    "по данным сми", "источник", "fuentes", "selon des sources",
)
# A government denying a report: the act the report told of is what is denied (Latin scripts put
# the denial before the reported clause; see detection.scope for Japanese, Korean and Chinese).
DENIED_REPORT: tuple[str, ...] = (
    "denies report", "denied report", "denies a report", "denied a report", "denies reports", "denied reports",
    "denies media report", "denied media report", "denies news report", "denied news report",
    "dismisses report", "dismissed report", "rejects report", "rejected report",
    "dément", "dementi", "desmiente", "desmintió", "dementiert", "опроверг",
)
# The subject's own verb denying what follows: "Tokyo denies secret summit deal", "Tokio niega una
# cumbre" (a watch whose actor's denial is itself the act names these verbs among that kind's cues).
DENIES: tuple[str, ...] = (
    "denies", "denied", "niega", "negó", "bestreitet", "bestritt", "отрицает", "отрицают", "отрицал*", "nie avoir",
)
# Reaction markers: the lead reacts to an event reported before ("a day after", "welcomed").
REACTION: tuple[str, ...] = (
    "a day after", "day after", "days after", "after meeting", "after their meeting", "in response to",
    "in reaction to", "reacted to", "reacting to", "reaction to", "responding to", "encouraged by", "heartened by",
    "welcomed", "welcomes", "welcome", "hopeful after", "praised", "reactions to", "react to",
    "を受け", "受けて", "に反応", "を歓迎", "翌日", "에 대해", "환영", "에 반응", "하루 뒤", "对此", "欢迎", "次日",
    "в ответ на", "приветствовал*", "tras la", "en respuesta", "au lendemain", "a salué",
)
# Words opening a subordinate clause: what precedes them does not govern the clause after them.
CLAUSE_OPENERS: tuple[str, ...] = (
    "after", "before", "when", "because", "since", "while", "as", "once", "but", "although", "though",
)
