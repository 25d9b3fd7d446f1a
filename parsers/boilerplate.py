"""What is not article text: DOM patterns to prune and line patterns to drop.

Two layers, both language-aware and general (no per-site rules):

* ``is_boilerplate_node`` -- class/id/role tokens of page furniture (share bars,
  related lists, comment forms, cookie and newsletter boxes, breadcrumbs, tag
  lists) pruned from the DOM before extraction;
* ``is_boilerplate_line`` -- whole paragraphs that survive extraction but are
  furniture (``Leave a Reply``, ``Related topics``, ``Bu haberi paylaşın``,
  ``Tagged:``, ``Home / World / ...``, agency subscription disclaimers, cookie
  notices, ``责任编辑：``...).

``paywall_marker`` recognises subscribe-to-continue prompts in many languages.
"""

from __future__ import annotations

import re

_NODE_TOKEN = re.compile(
    r"^(?:.*[-_])?(?:share|shares|sharing|sharebar|social|socials|sns|related|relatedposts|newsletter|"
    r"newsletters|cookie|cookies|consent|gdpr|breadcrumb|breadcrumbs|comment|comments|respond|"
    r"commentform|tags|taglist|tagcloud|keywords|subscribe|subscription|signup|promo|advert|"
    r"advertisement|adslot|ad|ads|sidebar|outbrain|taboola|recirc|recirculation|morestories|"
    r"readmore|readalso|alsoread|most-read|mostread|popular|trending|toolbar|follow|disclaimer|"
    r"copyright|nav|navbar|navigation|menu|masthead|footer|skip|sponsored|widget|modal|banner|"
    r"byline-share|print|caption|credits?)(?:[-_].*)?$",
    re.IGNORECASE,
)
_KEEP_TOKEN = re.compile(
    r"(?:article|story|post|entry|content|body|text|main)[-_]?(?:body|text|content|main)?$", re.I
)
#: Tags that are furniture whatever their attributes.
FURNITURE_TAGS = frozenset(
    {"nav", "footer", "aside", "form", "button", "select", "textarea", "input", "noscript", "iframe",
     "svg", "figcaption", "template", "dialog", "menu"}
)
# standfirsts / decks / kickers: header furniture, not body paragraphs
_DECK_TOKEN = re.compile(
    r"^(?:.*[-_])?(?:standfirst|deck|dek|subtitle|sub-title|subheadline|subhead|teaser|entradilla|sumario|"
    r"chapo|chapeau|spot|kicker|dachzeile|desc|strapline|read-time|readtime|reading-time)(?:[-_].*)?$",
    re.IGNORECASE,
)
_BOILERPLATE_ROLES = frozenset(
    {"navigation", "banner", "contentinfo", "complementary", "search", "dialog", "menu", "menubar",
     "toolbar", "alertdialog"}
)


def is_boilerplate_node(tag: str, classes: str, ident: str, role: str) -> bool:
    """True for a DOM element that is page furniture judged by its tag, class/id tokens or ARIA role."""
    if tag in FURNITURE_TAGS:
        return True
    if role.lower() in _BOILERPLATE_ROLES:
        return True
    tokens = (classes + " " + ident).split()
    if not tokens:
        return False
    if any(_KEEP_TOKEN.fullmatch(t) for t in tokens) and not any(
        re.search(r"(?:share|related|comment|newsletter|cookie|promo|tags)", t, re.I) for t in tokens
    ):
        return False
    return any(_NODE_TOKEN.match(t) or _DECK_TOKEN.match(t) for t in tokens)


_LINE_PATTERNS = [
    # comment forms
    r"^leave a (?:reply|comment)\b", r"your email address will not be published", r"required fields are marked",
    r"^(?:post|submit) comment$", r"^\d+\s+comments?$", r"^comments?(?: \(\d+\))?$", r"^cancel reply$",
    r"^save my name, email", r"^(?:no|\d+) (?:responses?|replies)\b",
    # related / read more, many languages
    r"^related(?: topics| articles| stories| coverage| news| content| posts)?:?$", r"^(?:read|see) (?:more|also)\b.{0,120}$",
    r"^more (?:from|on|stories|news)\b.{0,80}$", r"^you (?:may|might) (?:also )?like\b", r"^recommended(?: for you)?:?$",
    r"^(?:most read|most popular|trending now|top stories|latest news|latest stories)$",
    r"^all related articles\b", r"^updated \(\d+ articles?\)$", r"^(?:top headlines|feeds)$",
    r"^(?:lee|lea|leer|ver) (?:también|más|tambien)\b", r"^te puede interesar\b", r"^noticias relacionadas:?$",
    r"^(?:lire|voir) (?:aussi|également|la suite)\b", r"^à lire aussi\b", r"^sur le même sujet:?$",
    r"^(?:mehr zum thema|lesen sie auch|auch interessant|weitere artikel)\b", r"^das könnte sie auch interessieren",
    r"^(?:ilgili haberler|ilginizi çekebilir|daha fazla)\b", r"^читайте также\b", r"^по теме:?$", r"^смотрите также\b",
    r"^اقرأ (?:أيضا|أيضًا|أيضاً)", r"^مواضيع ذات صلة", r"^関連(?:記事|ニュース)", r"^あわせて読みたい", r"^관련\s?기사",
    r"^相关(?:新闻|阅读|文章)", r"^延伸阅读", r"^推荐阅读",
    # share prompts
    r"^share(?: this)?(?: article| story| post| page)?(?: on \w+)?:?$", r"^share on (?:facebook|twitter|x|linkedin|whatsapp)",
    r"^(?:facebook|twitter|x|linkedin|whatsapp|telegram|email|e-mail|print|copy link)(?:\s*[|/·,]\s*\w+)*$",
    r"^bu haberi paylaşın$", r"^paylaş$", r"^(?:compartir|compartir en \w+|comparte esta noticia)$",
    r"^(?:partager|partager sur \w+|partagez cet article)$", r"^(?:teilen|artikel teilen|jetzt teilen)$",
    r"^поделиться$", r"^شارك(?:\s|$)", r"^(?:この記事を)?(?:シェア|共有)(?:する)?$", r"^(?:기사\s?)?공유(?:하기)?$",
    r"^分享(?:到|至)?[:：]?", r"^(?:copied|link copied)!?$",
    # tags, breadcrumbs, categories
    r"^(?:tagged|tags|topics|filed under|etiketler|schlagwörter|stichworte|themen|étiquettes|mots-clés|"
    r"etiquetas|temas|теги|метки|タグ|태그|标签|关键词|الكلمات المفتاحية|وسوم)\s*[:：]",
    r"^(?:tagged|tags|etiketler)$",
    r"^(?:home|start|inicio|portada|accueil|startseite|anasayfa|ana sayfa|главная|ホーム|トップ|홈|首页|الرئيسية)"
    r"\s*(?:[/>»›|→]|&gt;)",
    # cookies, newsletters, app prompts
    r"\b(?:we|this (?:site|website)) uses? cookies\b", r"^accept(?: all)? cookies", r"^manage (?:cookies|preferences)",
    r"\bnous utilisons des cookies\b", r"\bwir verwenden cookies\b", r"\butilizamos cookies\b", r"çerez(?:ler)?\s",
    r"^(?:sign up|subscribe) (?:for|to) (?:our|the) .{0,40}newsletter", r"newsletter.{0,60}(?:inbox|sign up|subscribe)",
    r"^get (?:the latest|our) .{0,60}(?:delivered|in your inbox)", r"^download (?:our|the) app\b",
    r"^(?:follow us on|folgen sie uns|síguenos en|suivez-nous)\b",
    # agency / subscription footers and credits
    r"website contains only a portion of the news stories", r"please contact us for subscription options",
    r"abonelere sunulan haberlerin", r"abonelik için lütfen iletişime geçiniz",
    r"(?:会員登録|有料会員|ログイン)(?:する)?(?:と|で|すると).{0,30}(?:読め|閲覧|続き)",
    r"^\S{2,5}\s?기자(?:\s+[\w.+-]+@[\w-]+\.[\w.]+)?$", r"^[（(]\S{2,8}[)）]$",
    r"^\d+[\s-]*(?:min(?:ute)?s?|mins?)\.?\s+(?:read|de lectura|lesezeit|de lecture)$", r"^lesezeit\s*:?\s*\d+",
    r"^(?:©|\(c\)|copyright\b).{0,160}$", r"^.{0,100}\ball rights reserved\b.{0,60}$", r"^todos los derechos reservados",
    r"^责任编辑[:：]", r"^(?:编辑|责编|校对)[:：]", r"^来源[:：].{0,40}$", r"^本文来源[:：]",
    r"^(?:記者|기자)\s*[:：]?\s*\S{1,10}$", r"^[\w.+-]+@[\w-]+\.[\w.]+$",
    r"^(?:reporting by|editing by|writing by|additional reporting by)\b.{0,200}$",
    r"^advertisement$", r"^story continues below", r"^scroll (?:down )?to continue", r"^(?:anzeige|publicidad|реклама|広告|광고|广告)$",
    r"^(?:print|email|facebook|twitter)\s*$", r"^(?:印刷|印刷する|プリント|인쇄|打印|drucken|imprimer|imprimir|print (?:this )?(?:article|page|story))$", r"^back to top$", r"^skip to (?:main )?content$",
]


def _line_regexes(patterns: list[str]) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The patterns as two alternations: those anchored at the start (tried once, with ``match``)
    and the others (``search``) -- one search over all of them tries every pattern at every offset."""
    anchored = [p[1:] for p in patterns if p.startswith("^")]
    floating = [p for p in patterns if not p.startswith("^")]
    return (re.compile("|".join(f"(?:{p})" for p in anchored), re.IGNORECASE),
            re.compile("|".join(f"(?:{p})" for p in floating), re.IGNORECASE))


_LINE_START_RE, _LINE_ANYWHERE_RE = _line_regexes(_LINE_PATTERNS)

# Cheap necessary conditions for the unanchored searches on (near-)ASCII text. Every ASCII branch
# of ``_LINE_ANYWHERE_RE`` / ``_PAYWALL_RE`` contains one of these words literally (case aside);
# the other branches hold non-ASCII letters, which an ASCII text cannot match. Keep in step!
_LINE_ANYWHERE_ASCII_WORDS = (
    "your email address will not be published", "required fields are marked", "cookies", "newsletter",
    "website contains only a portion of the news stories", "please contact us for subscription options",
    "abonelere sunulan haberlerin",
)
_PAYWALL_ASCII_WORDS = ("subscri", "continue reading", "sign in to read", "unlock", "abonn", "suscri")
# typographic punctuation that keeps much English text from being ASCII; no pattern relies on it
_TYPOGRAPHIC = ("\u2019", "\u2018", "\u201c", "\u201d", "\u2014", "\u2013", "\u2026", "\u00a0")


def _ascii_lower(text: str) -> str | None:
    """``text`` lower-cased when it is ASCII apart from typographic quotes and dashes (blanked), else None."""
    if not text.isascii():
        for c in _TYPOGRAPHIC:
            if c in text:
                text = text.replace(c, " ")
        if not text.isascii():
            return None
    return text.lower()


def _may_match(text: str, ascii_words: tuple[str, ...]) -> bool:
    """False only when no ASCII word occurs in a (near-)ASCII ``text``: the regex cannot match then."""
    low = _ascii_lower(text)
    return low is None or any(w in low for w in ascii_words)
_BREADCRUMB_RE = re.compile(r"^[^.!?。]{1,60}(?:\s+(?:/|>|»|›|→)\s+[^/>»›→]{1,120}){2,}$")

_PAYWALL_RE = re.compile(
    r"subscribe to (?:continue|read)|to continue reading|continue reading (?:with|by)|"
    r"this (?:article|story|content) is (?:for|only available to|reserved for) (?:paying )?subscribers|"
    r"subscribers only|already a subscriber|become a subscriber to read|sign in to read the full|"
    r"unlock (?:this|full) (?:article|story)|for subscribers|abonnez-vous pour (?:lire|continuer)|"
    r"réservé aux abonnés|nur für abonnenten|jetzt abonnieren und weiterlesen|"
    r"contenido (?:exclusivo )?para suscriptores|suscríbete para (?:leer|seguir)|"
    r"только для подписчиков|この記事は有料会員限定|有料会員になると続きを|続きを読むには|"
    r"유료\s?회원|구독자 전용|订阅后(?:阅读|查看)|付费(?:阅读|内容)|للمشتركين فقط",
    re.IGNORECASE,
)


def is_boilerplate_line(line: str) -> bool:
    """True for one extracted paragraph that is furniture, not article text."""
    s = line.strip()
    if not s:
        return True
    if len(s) > 400:
        return bool(re.search(r"website contains only a portion of the news stories", s, re.I))
    if _LINE_START_RE.match(s):
        return True
    if _may_match(s, _LINE_ANYWHERE_ASCII_WORDS) and _LINE_ANYWHERE_RE.search(s):
        return True
    return bool(_BREADCRUMB_RE.match(s)) and len(s) < 250


def paywall_marker(text: str) -> bool:
    """True when ``text`` contains a subscribe-to-continue / subscribers-only prompt."""
    return _may_match(text, _PAYWALL_ASCII_WORDS) and bool(_PAYWALL_RE.search(text))
